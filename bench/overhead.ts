/**
 * Part 3, overhead: the size of the serialized provider (`__provider`) that every resource carries
 * in state, captured from the compiled example program with the real SDK (scripts/engine), both as
 * the repository serializes it and as an installed package (`npm pack` + install) does; and the
 * latency of create and read through the real dynamic provider host over gRPC when the emulator
 * completes at once, beside the same calls made in-process (the difference is the host's share).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_IDS, DEMO_SECRET_KEY, emulatorStackConfig, startEmulator } from "../emulator/index";
import { configure, provider } from "../provider/resources/impl";
import {
  type CapturedResource,
  capture,
  PROVIDER_KEY,
  type PropertyMap,
  type ProviderHost,
  secret,
  startHost,
} from "../scripts/engine";
import { errorText, median, p95, round, withTimeout } from "./stats";
import { allTimings, KINDS, type Kind, PRIMARY, SECONDARY } from "./world";

const PROJECT = "huaweicloud-snapshots";
const PKG = "pulumi-huaweicloud-snapshots";

export interface LatencyStats {
  samples: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
}

export interface KindLatency {
  kind: Kind;
  grpc: { create: LatencyStats; read: LatencyStats; delete: LatencyStats };
  inProcess: { create: LatencyStats; read: LatencyStats; delete: LatencyStats };
}

export interface OverheadResult {
  providerBytes: {
    /** As serialized from this repository (the package is not under node_modules: by value). */
    repository: Partial<Record<Kind, number>>;
    /** As serialized from an installed copy (npm pack + npm install into a scratch project). */
    installed: Partial<Record<Kind, number>> | null;
    installedNote: string;
    repositoryText: string;
    installedText: string | null;
  };
  host: { startMs: number; captureMs: number };
  latency: KindLatency[];
  failures: number;
  errors: string[];
}

export interface OverheadOptions {
  repetitions: number;
  readRepetitions: number;
  packed: boolean;
  /** Resources whose latency is measured (every kind's `__provider` size is measured regardless). */
  kinds: readonly Kind[];
  repoRoot: string;
  log?: (line: string) => void;
}

function kindOf(r: CapturedResource): Kind | undefined {
  const k = r.type.split(":").pop();
  return KINDS.find((x) => x === k);
}

function providerSizes(resources: CapturedResource[]): {
  sizes: Partial<Record<Kind, number>>;
  text: string;
} {
  const sizes: Partial<Record<Kind, number>> = {};
  let text = "";
  for (const r of resources) {
    const kind = kindOf(r);
    const p = r.inputs[PROVIDER_KEY];
    if (kind && typeof p === "string") {
      sizes[kind] = Buffer.byteLength(p);
      if (kind === "EvsSnapshot") text = p;
    }
  }
  return { sizes, text };
}

function envWithoutHuaweiSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(HW_|HUAWEICLOUD_|CLOUD_SDK_|npm_)/i.test(k)) delete env[k];
  return env;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      cmd,
      args,
      { cwd, env: envWithoutHuaweiSettings(), timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr.slice(0, 2000)}`))
          : resolve(stdout),
    ),
  );
}

/** `npm pack` this package, install the tarball into a scratch project and capture the example there. */
async function installedSizes(
  repoRoot: string,
): Promise<{ sizes: Partial<Record<Kind, number>>; text: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-packed-"));
  try {
    const project = path.join(tmp, "stack");
    fs.mkdirSync(project);
    const packed = JSON.parse(
      await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], repoRoot, 120_000),
    ) as { filename: string }[];
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "bench-stack", version: "0.0.0", private: true }),
    );
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      `name: ${PROJECT}\nruntime: nodejs\nmain: index.js\n`,
    );
    const example = fs.readFileSync(path.join(repoRoot, "dist", "examples", "index.js"), "utf8");
    fs.writeFileSync(
      path.join(project, "index.js"),
      example.replace('require("../emulator/defaults")', `require("${PKG}/emulator")`),
    );
    await run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(tmp, packed[0]!.filename)],
      project,
      240_000,
    );
    const { resources } = await capture({
      program: path.join(project, "index.js"),
      project: PROJECT,
      stack: "bench",
      cwd: project,
    });
    return providerSizes(resources);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function stats(values: number[]): LatencyStats {
  return {
    samples: values.length,
    medianMs: round(median(values), 1),
    p95Ms: round(p95(values), 1),
    minMs: round(values.length ? Math.min(...values) : Number.NaN, 1),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function runOverhead(opts: OverheadOptions): Promise<OverheadResult> {
  const errors: string[] = [];
  const program = path.join(opts.repoRoot, "dist", "examples", "index.js");
  const captured = await withTimeout("capturing the example", 120_000, () =>
    capture({ program, project: PROJECT, stack: "bench", cwd: opts.repoRoot }),
  );
  const repo = providerSizes(captured.resources);
  opts.log?.(`__provider from the repository: ${JSON.stringify(repo.sizes)} bytes`);

  let installed: { sizes: Partial<Record<Kind, number>>; text: string } | null = null;
  let installedNote = "not measured (--quick or --skip-packed)";
  if (opts.packed) {
    try {
      installed = await withTimeout("npm pack and install", 300_000, () => installedSizes(opts.repoRoot));
      installedNote = "npm pack, then npm install of the tarball into a scratch project";
      opts.log?.(`__provider from the installed package: ${JSON.stringify(installed.sizes)} bytes`);
    } catch (err) {
      installedNote = `not measured: ${errorText(err)}`;
      opts.log?.(`installed-package size ${installedNote}`);
    }
  }

  const emu = await startEmulator({ port: 0, host: "127.0.0.1", timings: allTimings(0, 0), seed: 11 });
  let host: ProviderHost | undefined;
  const latency: KindLatency[] = [];
  try {
    const config = emulatorStackConfig(emu.url, { "huaweicloud:region": PRIMARY });
    host = await startHost({
      projectDir: opts.repoRoot,
      project: PROJECT,
      baseEnv: envWithoutHuaweiSettings(),
      callTimeoutMs: 60_000,
    });
    await host.configure({ ...config, "huaweicloud:secretKey": secret(DEMO_SECRET_KEY) });
    configure({ config: { get: (k: string) => config[k] } });

    let rep = 0;
    /** Fresh wire-form inputs for one repetition: unique names, a fresh vault pair for CBR. */
    const inputsFor = (r: CapturedResource, kind: Kind): PropertyMap => {
      rep += 1;
      const inputs: PropertyMap = { ...r.inputs };
      if (kind === "CbrReplication") {
        const src = emu.backend.seed({ cbrVaults: [{ region: PRIMARY, protectType: "backup" }] })
          .cbrVaults[0]!;
        const dst = emu.backend.seed({ cbrVaults: [{ region: SECONDARY, protectType: "replication" }] })
          .cbrVaults[0]!;
        emu.backend.seed({ cbrBackups: [{ vaultId: src }] });
        inputs.sourceVaultId = src;
        inputs.destinationVaultId = dst;
      } else {
        inputs.name = `${String(r.inputs.name)}-${rep}`;
      }
      if (kind === "EvsSnapshot") inputs.volumeId = DEFAULT_IDS.evsVolumeAvailableId;
      return inputs;
    };

    const measured = captured.resources.filter((r) => {
      const kind = kindOf(r);
      return kind !== undefined && opts.kinds.includes(kind);
    });
    // One warm-up lifecycle per kind on each path (module loading, project-id lookups, connections).
    for (const r of measured) {
      const kind = kindOf(r)!;
      const warm = inputsFor(r, kind);
      const c = await host.check(r.urn, {}, warm);
      const made = await host.create(r.urn, c.inputs);
      await host.delete(r.urn, made.id, made.outputs);
      const local = provider(kind);
      const { [PROVIDER_KEY]: _p, ...plain } = inputsFor(r, kind);
      const lc = await local.check({}, plain);
      const lm = await local.create(lc.inputs);
      await local.delete(lm.id, lm.outs);
    }

    for (const r of measured) {
      const kind = kindOf(r)!;
      const g = { create: [] as number[], read: [] as number[], delete: [] as number[] };
      const l = { create: [] as number[], read: [] as number[], delete: [] as number[] };
      for (let i = 0; i < opts.repetitions; i++) {
        try {
          // Through the provider host over gRPC.
          const checked = await host.check(r.urn, {}, inputsFor(r, kind));
          const made = await timed(() => host!.create(r.urn, checked.inputs));
          g.create.push(made.ms);
          for (let j = 0; j < opts.readRepetitions; j++) {
            g.read.push(
              (await timed(() => host!.read(r.urn, made.value.id, made.value.outputs, checked.inputs))).ms,
            );
          }
          g.delete.push((await timed(() => host!.delete(r.urn, made.value.id, made.value.outputs))).ms);
          // The same calls in this process, without the host.
          const local = provider(kind);
          const { [PROVIDER_KEY]: _p, ...plain } = inputsFor(r, kind);
          const lc = await local.check({}, plain);
          const lm = await timed(() => local.create(lc.inputs));
          l.create.push(lm.ms);
          for (let j = 0; j < opts.readRepetitions; j++) {
            l.read.push((await timed(() => local.read(lm.value.id, lm.value.outs))).ms);
          }
          l.delete.push((await timed(() => local.delete(lm.value.id, lm.value.outs))).ms);
        } catch (err) {
          errors.push(`${kind}: ${errorText(err)}`);
        }
      }
      latency.push({
        kind,
        grpc: { create: stats(g.create), read: stats(g.read), delete: stats(g.delete) },
        inProcess: { create: stats(l.create), read: stats(l.read), delete: stats(l.delete) },
      });
      opts.log?.(
        `${kind}: create over gRPC ${round(median(g.create))} ms (in-process ${round(median(l.create))} ms), ` +
          `read ${round(median(g.read), 1)} ms (in-process ${round(median(l.read), 1)} ms)`,
      );
    }
  } catch (err) {
    errors.push(errorText(err));
  } finally {
    if (host?.stderr.trim()) opts.log?.(`provider host stderr: ${host.stderr.slice(0, 500)}`);
    await host?.close();
    await emu.close();
  }
  return {
    providerBytes: {
      repository: repo.sizes,
      installed: installed?.sizes ?? null,
      installedNote,
      repositoryText: repo.text,
      installedText: installed?.text ?? null,
    },
    host: { startMs: host?.startMs ?? 0, captureMs: captured.elapsedMs },
    latency,
    failures: errors.length,
    errors,
  };
}
