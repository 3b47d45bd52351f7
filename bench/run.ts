#!/usr/bin/env node
/**
 * `npm run bench`: completion detection beside the Terraform cadence, scale under throttling, and
 * the overhead of the serialized provider and the provider host — in one run, against the emulator
 * in this process on 127.0.0.1. Writes <out>/latest.json and <out>/latest.md (default
 * bench/results/) and prints the tables. Exits non-zero only when the run is broken (a failed
 * create, read or delete), never for a missed target. See docs/bench.md.
 *
 *   npm run bench                        # the full run (about 6 minutes)
 *   npm run bench -- --quick             # the CI smoke run (under a minute), results in a temp dir
 *
 * Options: --quick, --out <dir> (default bench/results, or a temp directory with --quick),
 * --samples <n>, --rate <R>, --sizes <N,…>, --only detection,models,scale,overhead, --skip-packed (no npm pack / install
 * for the installed-package __provider size), --readme (refresh the README's benchmark block).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runDetection } from "./detection";
import { MODEL_DURATIONS_MS, runModels } from "./models";
import { runOverhead } from "./overhead";
import {
  type BenchResults,
  evaluateTargets,
  renderMarkdown,
  renderSummary,
  renderSvg,
  renderTerminal,
} from "./report";
import { runScale } from "./scale";
import { mb } from "./stats";
import { KINDS, type Kind } from "./world";

export const REPO_ROOT = path.resolve(__dirname, "../..");

type Part = "detection" | "models" | "scale" | "overhead";
const PARTS: readonly Part[] = ["detection", "models", "scale", "overhead"];

export interface BenchOptions {
  quick: boolean;
  out: string;
  samples: number;
  rate: number;
  /** Scale sizes N (default 100,500; 20 in quick mode). */
  sizes: number[];
  only: Set<Part>;
  skipPacked: boolean;
  /** Also replace the README's block between `<!-- bench:start -->` and `<!-- bench:end -->`. */
  readme: boolean;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      samples: { type: "string" },
      rate: { type: "string" },
      sizes: { type: "string" },
      only: { type: "string" },
      "skip-packed": { type: "boolean", default: false },
      readme: { type: "boolean", default: false },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const int = (v: string | undefined, dflt: number, min: number, max: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`expected an integer ${min}..${max}: ${v}`);
    return n;
  };
  const parts = (values.only ?? PARTS.join(",")).split(",").map((s) => s.trim());
  for (const p of parts) {
    if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p}`);
  }
  return {
    quick,
    // A quick run never overwrites the committed results unless told to.
    out: path.resolve(
      values.out ??
        (quick
          ? path.join(os.tmpdir(), "pulumi-huaweicloud-bench-quick")
          : path.join(REPO_ROOT, "bench", "results")),
    ),
    samples: int(values.samples, quick ? 2 : 5, 1, 50),
    rate: int(values.rate, quick ? 20 : 50, 1, 10_000),
    sizes: values.sizes
      ? values.sizes.split(",").map((v) => int(v.trim(), 0, 1, 5000))
      : quick
        ? [20]
        : [100, 500],
    only: new Set(parts as Part[]),
    skipPacked: (values["skip-packed"] ?? false) || quick,
    readme: values.readme ?? false,
  };
}

export async function runBench(opts: BenchOptions, log: (line: string) => void): Promise<BenchResults> {
  const startedAt = new Date();
  const t0 = Date.now();
  const settings = {
    detection: {
      durationsMs: opts.quick ? [1000] : [2000, 10_000, 30_000],
      samples: opts.samples,
      cadenceScale: opts.quick ? 0.1 : 1,
    },
    models: {
      durationsMs: opts.quick ? [2_000, 30_000, 1_800_000] : MODEL_DURATIONS_MS,
      samples: opts.quick ? 10 : 60,
    },
    scale: {
      sizes: opts.sizes,
      scenarios: ["evs", "mix"] as ("evs" | "mix")[],
      rateLimitPerSecond: opts.rate,
      operationMs: opts.quick ? 1000 : 2000,
    },
    overhead: {
      repetitions: opts.quick ? 1 : 5,
      readRepetitions: opts.quick ? 5 : 20,
      packed: !opts.skipPacked,
      kinds: opts.quick ? (["EvsSnapshot"] as Kind[]) : [...KINDS],
    },
  };
  const results: BenchResults = {
    version: 1,
    mode: opts.quick ? "quick" : "full",
    command: opts.quick ? "node dist/bench/run.js --quick" : "npm run bench",
    startedAt: startedAt.toISOString(),
    finishedAt: "",
    wallSeconds: 0,
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      load: { start: os.loadavg()[0]!, end: Number.NaN },
    },
    settings,
    detection: undefined,
    models: undefined,
    scale: undefined,
    overhead: undefined,
    processPeakRssMb: 0,
    failures: 0,
    targets: [],
  };
  if (opts.only.has("detection")) {
    log(`detection: D = ${settings.detection.durationsMs.map((d) => d / 1000).join(", ")} s …`);
    results.detection = await runDetection({ ...settings.detection, log });
  }
  if (opts.only.has("models")) {
    log(
      `models: every progress model × D = ${settings.models.durationsMs.map((d) => d / 1000).join(", ")} s (virtual clock) …`,
    );
    results.models = await runModels(settings.models);
  }
  if (opts.only.has("scale")) {
    log(`scale: N = ${settings.scale.sizes.join(", ")}, R = ${opts.rate}/s …`);
    results.scale = await runScale({ ...settings.scale, log });
  }
  if (opts.only.has("overhead")) {
    log("overhead: __provider size, provider host latency …");
    results.overhead = await runOverhead({ ...settings.overhead, log, repoRoot: REPO_ROOT });
  }
  results.finishedAt = new Date().toISOString();
  results.environment.load = { start: results.environment.load!.start, end: os.loadavg()[0]! };
  results.wallSeconds = Math.round((Date.now() - t0) / 1000);
  results.processPeakRssMb = mb(process.resourceUsage().maxRSS * 1024);
  results.failures = countFailures(results);
  results.targets = evaluateTargets(results);
  return results;
}

function countFailures(r: BenchResults): number {
  let n = 0;
  for (const c of r.detection?.cells ?? []) n += c.failures;
  for (const c of r.models?.cells ?? []) n += c.failures;
  for (const s of r.scale ?? []) n += s.create.failures + s.delete.failures + s.leftovers;
  n += r.overhead?.failures ?? 0;
  return n;
}

const README_START = "<!-- bench:start -->";
const README_END = "<!-- bench:end -->";

/** Replaces the README's benchmark block with the summary; false when the markers are missing. */
export function updateReadme(results: BenchResults, readmePath = path.join(REPO_ROOT, "README.md")): boolean {
  const text = fs.readFileSync(readmePath, "utf8");
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) return false;
  const block = `${README_START}\n${renderSummary(results)}\n${README_END}`;
  fs.writeFileSync(readmePath, text.slice(0, start) + block + text.slice(end + README_END.length));
  return true;
}

export function writeResults(results: BenchResults, out: string): string[] {
  fs.mkdirSync(out, { recursive: true });
  const files = [
    [path.join(out, "latest.json"), `${JSON.stringify(results, null, 2)}\n`],
    [path.join(out, "latest.md"), renderMarkdown(results)],
    [path.join(out, "detection.svg"), renderSvg(results)],
    [path.join(out, "summary.md"), `${renderSummary(results)}\n`],
  ] as const;
  for (const [file, text] of files) fs.writeFileSync(file, text);
  return files.map(([f]) => f);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  // Bound the whole run: a stuck phase must end the process, not hang CI.
  const watchdog = setTimeout(
    () => {
      process.stderr.write("bench: the run exceeded its time limit; giving up\n");
      process.exit(3);
    },
    opts.quick ? 180_000 : 30 * 60_000,
  );
  watchdog.unref();
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const results = await runBench(opts, log);
  const files = writeResults(results, opts.out);
  process.stdout.write(renderTerminal(results));
  log(`wrote ${files.join(", ")}`);
  if (opts.readme) log(updateReadme(results) ? "updated README.md" : "README.md has no bench markers");
  if (results.failures > 0) {
    log(`${results.failures} failures: the run is broken (see the tables)`);
    process.exitCode = 1;
  }
  clearTimeout(watchdog);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  });
}
