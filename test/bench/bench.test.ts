/**
 * The benchmark's quick mode as a smoke test: the compiled `dist/bench/run.js --quick` runs to the
 * end with zero failures and writes well-formed results to a temporary directory. No assertion is
 * about speed (that is what the benchmark itself reports).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchResults, evaluateTargets } from "../../bench/report";

const REPO_ROOT = path.resolve(__dirname, "../..");
const RUN = path.join(REPO_ROOT, "dist", "bench", "run.js");

let out: string;
let exit: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  if (!fs.existsSync(RUN)) throw new Error(`${RUN} not found: run \`npm run build\` first`);
  out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-quick-"));
  exit = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [RUN, "--quick", "--out", out],
      { cwd: REPO_ROOT, timeout: 150_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}, 160_000);

afterAll(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe("npm run bench --quick", () => {
  it("completes with exit code 0", () => {
    expect(exit.stderr).not.toMatch(/bench: .*Error/);
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain("Completion detection");
  });

  it("writes well-formed results with zero failures", () => {
    const results = JSON.parse(fs.readFileSync(path.join(out, "latest.json"), "utf8")) as BenchResults;
    expect(results).toMatchObject({ version: 1, mode: "quick", failures: 0 });

    const cells = results.detection!.cells;
    expect(cells).toHaveLength(4 * 2 * results.settings.detection.durationsMs.length);
    for (const c of cells) {
      expect(c.failures, `${c.kind} ${c.method}: ${c.errors.join("; ")}`).toBe(0);
      expect(c.perSample).toHaveLength(results.settings.detection.samples);
      expect(c.medianDelayMs).toBeGreaterThanOrEqual(0);
      expect(c.medianCalls).toBeGreaterThanOrEqual(2); // the POST and at least one status read
    }
    for (const p of results.detection!.phases) expect(p.loggedCalls).toBe(p.emulatorCalls);

    expect(results.scale!.map((s) => s.scenario).sort()).toEqual(["evs", "mix"]);
    for (const s of results.scale!) {
      expect(s.create.failures + s.delete.failures + s.leftovers).toBe(0);
      expect(s.create.wallMs).toBeGreaterThan(0);
      expect(s.peakRssMb).toBeGreaterThan(0);
    }

    const o = results.overhead!;
    expect(o.failures, o.errors.join("; ")).toBe(0);
    expect(Object.keys(o.providerBytes.repository).sort()).toEqual(
      ["CbrReplication", "DwsSnapshot", "DwsSnapshotCopy", "EvsSnapshot"].sort(),
    );
    expect(o.latency.length).toBeGreaterThan(0);
    expect(o.latency[0]!.grpc.create.samples).toBeGreaterThan(0);

    // The targets are judged from the results written next to them (recomputed here), one per
    // detection cell, per scale run and phase, and per __provider form; the __provider size (bytes,
    // not speed) is measured in the repository form and under its limit.
    expect(results.targets).toEqual(evaluateTargets(results));
    const byArea = (area: string) => results.targets.filter((t) => t.area === area);
    expect(byArea("detection")).toHaveLength(4 * results.settings.detection.durationsMs.length);
    expect(byArea("scale")).toHaveLength(2 * results.scale!.length);
    const provider = byArea("overhead").find((t) => t.what === "__provider (repository)");
    expect(provider?.met, provider?.measured).toBe(true);
  });

  it("writes the markdown tables and the chart", () => {
    const md = fs.readFileSync(path.join(out, "latest.md"), "utf8");
    expect(md).toContain("## 1. Completion detection");
    expect(md).toContain("| Resource | D |");
    expect(md).toContain("## 2. Scale");
    expect(md).toContain("## 3. Overhead");
    const svg = fs.readFileSync(path.join(out, "detection.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });
});
