/**
 * `npm run demo`: deploy the example stack (examples/index.ts, one of each resource) against the
 * local emulator, refresh it, destroy it, and check that nothing is left behind.
 *
 * - With a Pulumi CLI (built by `npm run pulumi:install`, or `pulumi` on the PATH): real `pulumi
 *   preview`, `up`, `refresh` and `destroy` with a throwaway local file backend, passphrase and
 *   PULUMI_HOME under a temporary directory, the CLI's own output shown as it prints it.
 * - Otherwise (one line says so): the same program through the engine harness (scripts/engine): its
 *   resources captured with the Pulumi SDK, every step driven through @pulumi/pulumi's dynamic
 *   provider host over gRPC.
 *
 * Exits non-zero when anything failed. Leaves nothing behind: temp dirs removed, host killed,
 * emulator closed (also on Ctrl-C).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, REGIONS } from "../emulator/defaults";
import { type RunningEmulator, startEmulator } from "../emulator/index";
import {
  capture,
  Deployment,
  leftovers,
  type ProgressEvent,
  type ProviderHost,
  type StepReport,
  secret,
  stackCreatableIds,
  startHost,
} from "./engine";
import { cliEnvironment, findPulumi, type PulumiCli, runPulumi } from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "dist", "examples", "index.js");
const STACK = "demo";
/** Quick, but slow enough that every resource is seen waiting. */
const TIMINGS = {
  dwsSnapshotCreate: 1500,
  dwsSnapshotCopy: 1200,
  dwsSnapshotDelete: 300,
  evsSnapshotCreate: 1000,
  evsSnapshotDelete: 300,
  cbrReplication: 2000,
  cbrBackupDelete: 300,
};

const cleanups: (() => Promise<void> | void)[] = [];
const started = Date.now();

/** Set on Ctrl-C: the run is being torn down, so its remaining output would only confuse. */
let interrupted = false;

function log(line: string, always = false): void {
  if (!interrupted || always) process.stdout.write(`${line}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function projectName(): string {
  const yaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
  const m = /^name:\s*(\S+)/m.exec(yaml);
  if (!m) throw new Error("Pulumi.yaml has no name");
  return m[1]!;
}

function kindOf(type: string): string {
  return type.split(":").pop() ?? type;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Mode 1: the provider host over gRPC (no CLI)

function progressLine(e: ProgressEvent): string {
  const what = `${e.name} (${kindOf(e.type)})`.padEnd(34);
  const status = e.status === "running" ? "…" : e.status;
  const extra = e.id && e.status !== "running" ? `  ${e.id}` : "";
  const error = e.error ? `  ${e.error.split("\n")[0]}` : "";
  return `[${seconds(Date.now() - started).padStart(6)}] ${e.operation.padEnd(8)} ${what} ${e.step.padEnd(6)} ${status.padEnd(7)} ${seconds(e.elapsedMs).padStart(6)}${extra}${error}`;
}

async function runThroughHost(emu: RunningEmulator, project: string): Promise<boolean> {
  log(
    "No Pulumi CLI (`npm run pulumi:install` builds one; or put `pulumi` on the PATH): falling back to the gRPC stand-in of the engine (docs/engine.md).\n",
  );
  if (!fs.existsSync(path.join(ROOT, "node_modules", "pulumi-huaweicloud-snapshots"))) {
    throw new Error(
      "node_modules/pulumi-huaweicloud-snapshots is missing: run `npm ci` (its prepare step links the package)",
    );
  }
  const captured = await capture({ program: PROGRAM, project, stack: STACK, cwd: ROOT });
  const host: ProviderHost = await startHost({ projectDir: ROOT, project });
  cleanups.push(() => host.close());
  log(`provider host pid ${host.pid} on 127.0.0.1:${host.port} (${seconds(host.startMs)} to start)`);
  // The stack config a user would set; the secret key as a secret, as `pulumi config set --secret` does.
  await host.configure({
    "huaweicloud:region": REGIONS.primary.name,
    "huaweicloud:endpoint": emu.url,
    "huaweicloud:accessKey": DEMO_ACCESS_KEY,
    "huaweicloud:secretKey": secret(DEMO_SECRET_KEY),
  });

  const deployment = new Deployment({
    host,
    resources: captured.resources,
    onProgress: (e) => log(progressLine(e)),
  });
  const reports: StepReport[] = [];
  for (const op of ["up", "refresh", "destroy"] as const) {
    log(`\n== ${op} ==`);
    const opStarted = Date.now();
    const r = await deployment[op]();
    reports.push(...r);
    log(
      `== ${op}: ${r.filter((x) => x.status === "ok").length}/${r.length} ok in ${seconds(Date.now() - opStarted)}`,
    );
  }

  log("");
  const rows = [["resource", "type", "id", "up", "refresh", "destroy"]];
  for (const res of captured.resources) {
    const cell = (op: string) => {
      const r = reports.find((x) => x.urn === res.urn && x.operation === op);
      return r ? `${r.status} ${seconds(r.elapsedMs)}` : "-";
    };
    const id = reports.find((x) => x.urn === res.urn && x.id)?.id ?? "-";
    rows.push([res.name, kindOf(res.type), id, cell("up"), cell("refresh"), cell("destroy")]);
  }
  log(table(rows));

  const failed = reports.filter((r) => r.status === "failed" || r.status === "skipped");
  for (const f of failed) log(`\nFAILED ${f.operation} ${f.name}: ${f.error ?? f.status}`);
  if (deployment.state.size > 0)
    log(`\nstill in state after destroy: ${[...deployment.state.keys()].join(", ")}`);
  const stderr = host.stderr.trim();
  if (stderr) log(`\nprovider host stderr:\n${stderr}`);
  return failed.length === 0 && deployment.state.size === 0;
}

// ---------------------------------------------------------------------------------------------
// Mode 2: a real Pulumi CLI

async function runCli(cli: PulumiCli, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  log(`\n$ pulumi ${args.join(" ")}`);
  const r = await runPulumi(cli, args, { cwd, env, echo: !interrupted });
  return r.code ?? 1;
}

interface CliEvent {
  timestamp?: number;
  resourcePreEvent?: { metadata?: { urn?: string; op?: string; type?: string } };
  resOutputsEvent?: { metadata?: { urn?: string; op?: string; type?: string; new?: { id?: string } } };
  resOpFailedEvent?: { metadata?: { urn?: string; op?: string; type?: string } };
}

/** Rows of (operation, resource, type, op, status, id, seconds) from a `--event-log` file. */
function eventRows(file: string, operation: string): string[][] {
  if (!fs.existsSync(file)) return [];
  const startedAt = new Map<string, number>();
  const rows: string[][] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let e: CliEvent;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const pre = e.resourcePreEvent?.metadata;
    const done = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
    if (pre?.urn) startedAt.set(pre.urn, e.timestamp ?? 0);
    if (done?.urn && done.type?.startsWith("pulumi-nodejs:dynamic")) {
      const t = (e.timestamp ?? 0) - (startedAt.get(done.urn) ?? e.timestamp ?? 0);
      const status = e.resOpFailedEvent ? "failed" : "ok";
      const id = e.resOutputsEvent?.metadata?.new?.id ?? "-";
      rows.push([
        operation,
        done.urn.split("::").pop()!,
        kindOf(done.type),
        done.op ?? "?",
        status,
        id,
        `${t}s`,
      ]);
    }
  }
  return rows;
}

async function runWithCli(cli: PulumiCli, emu: RunningEmulator, project: string): Promise<boolean> {
  log(`Using the Pulumi CLI at ${cli.bin} with a throwaway local backend under a temporary directory.`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "huaweicloud-demo-"));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const projectDir = path.join(tmp, "project");
  fs.mkdirSync(projectDir);
  // A project directory of its own (so the stack file lands in tmp) running the compiled example,
  // its one repository-relative import pointed at the package; node_modules links the repository's,
  // where the build installs a copy of the package, as a user's `npm install` does.
  fs.writeFileSync(
    path.join(projectDir, "Pulumi.yaml"),
    `name: ${project}\nruntime: nodejs\nmain: index.js\n`,
  );
  fs.writeFileSync(path.join(projectDir, "package.json"), JSON.stringify({ name: "demo", private: true }));
  fs.writeFileSync(
    path.join(projectDir, "index.js"),
    fs
      .readFileSync(PROGRAM, "utf8")
      .replace('require("../emulator/defaults")', 'require("pulumi-huaweicloud-snapshots/emulator")'),
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(projectDir, "node_modules"), "dir");
  const env = cliEnvironment({ cli, stateDir: tmp, passphrase: "demo-throwaway-passphrase" });
  const stack = ["--stack", STACK, "--non-interactive"];
  const setup: string[][] = [
    ["stack", "init", STACK, "--non-interactive"],
    ["config", "set", "huaweicloud:region", REGIONS.primary.name, ...stack],
    ["config", "set", "huaweicloud:endpoint", emu.url, ...stack],
    ["config", "set", "huaweicloud:accessKey", DEMO_ACCESS_KEY, ...stack],
    // The emulator's published demo key, set as a user sets theirs: encrypted in the stack file.
    ["config", "set", "--secret", "huaweicloud:secretKey", DEMO_SECRET_KEY, ...stack],
  ];
  for (const args of setup) {
    const r = await runPulumi(cli, args, { cwd: projectDir, env });
    if (r.code !== 0) {
      log(`pulumi ${args.slice(0, 3).join(" ")} failed:\n${r.stdout}${r.stderr}`);
      return false;
    }
  }
  log(`stack "${STACK}" configured: region, endpoint ${emu.url}, access key, secret key (--secret)`);
  const rows = [["operation", "resource", "type", "step", "status", "id", "time"]];
  let ok = true;
  for (const op of ["preview", "up", "refresh", "destroy"]) {
    const eventLog = path.join(tmp, `${op}.events.jsonl`);
    const args = op === "preview" ? [op, ...stack] : [op, "--yes", "--skip-preview", ...stack];
    const code = await runCli(cli, [...args, "--event-log", eventLog], projectDir, env);
    if (op !== "preview") rows.push(...eventRows(eventLog, op));
    // Keep going after a failure: destroy removes whatever a failed up created.
    if (code !== 0) ok = false;
  }
  await runPulumi(cli, ["stack", "rm", STACK, "--yes", "--force", ...stack], { cwd: projectDir, env });
  log(`\n${table(rows)}`);
  return ok;
}

// ---------------------------------------------------------------------------------------------

async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      log(`cleanup: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  }
}

async function main(): Promise<number> {
  const emu = await startEmulator({ port: 0, world: "default", timings: TIMINGS });
  cleanups.push(() => emu.close());
  log(`Emulator (default world) on ${emu.url}\n`);
  const before = stackCreatableIds(emu.world());
  const project = projectName();
  const cli = findPulumi();
  const ok = cli ? await runWithCli(cli, emu, project) : await runThroughHost(emu, project);

  const left = leftovers(before, emu.world());
  log(
    left.length === 0
      ? "\nThe emulator holds nothing the stack created (manual DWS snapshots, EVS snapshots, replica backups)."
      : `\nLeft behind in the emulator: ${left.join(", ")}`,
  );
  const success = ok && left.length === 0;
  log(`\nDemo ${success ? "succeeded" : "FAILED"} in ${seconds(Date.now() - started)}.`);
  return success ? 0 : 1;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping, cleaning up (emulator, provider host, temp dirs)`);
    interrupted = true;
    void cleanup().then(() => process.exit(130));
  });
}

main()
  .catch((e: unknown) => {
    log(`\nDemo FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exitCode = code;
  });
