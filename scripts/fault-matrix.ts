/**
 * The fault matrix as a longer soak run: every scenario of test/faults/driver.ts with more
 * resources per kind, plus a scenario with every fault at once, repeated for several rounds with
 * different fault seeds. Prints one table per round and a summary; exits 1 on any duplicate,
 * orphan, leftover or unexpected failure.
 *
 *   npm run -s build && node dist/scripts/fault-matrix.js [--scale 3] [--rounds 2] [--only id,id] [--out file.md]
 */
import { writeFileSync } from "node:fs";
import {
  renderNotes,
  renderTable,
  runScenario,
  SCENARIOS,
  type Scenario,
  type ScenarioResult,
} from "../test/faults/driver";

const ALL_AT_ONCE: Scenario = {
  id: "all",
  title: "all faults at once",
  description:
    "10% 5xx, 5% resets, 30% of create answers dropped after commit, 10 req/s per endpoint, 50 ms ±50% latency.",
  perKind: 6,
  faults: {
    serverErrorRate: 0.1,
    resetRate: 0.05,
    dropResponseAfterCommitRate: 0.3,
    rateLimitPerSecond: 10,
    latencyMs: 50,
    latencyJitter: 0.5,
  },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const scale = Number(arg("scale") ?? "3");
  const rounds = Number(arg("rounds") ?? "1");
  const only = arg("only")?.split(",");
  const scenarios = [...SCENARIOS, ALL_AT_ONCE].filter((s) => !only || only.includes(s.id));
  const out: string[] = [];
  let bad = 0;
  for (let round = 1; round <= rounds; round++) {
    const results: ScenarioResult[] = [];
    for (const s of scenarios) {
      // The throttle row is already 50 resources; scale the others.
      const r = await runScenario(s, {
        scale: s.id === "throttle" ? 1 : scale,
        seed: 1000 + round,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      results.push(r);
      const problems = [
        ...r.unexpected.map((f) => `${f.planned.kind} ${f.planned.key}: ${f.why}`),
        ...r.deployAudit.details,
        ...r.leftDetails.map((d) => `left after destroy: ${d}`),
      ];
      bad += problems.length;
      process.stderr.write(
        `round ${round} ${s.id}: ${r.succeeded}/${r.resources} ok, ${r.failedAsExpected} expected failures, ` +
          `${problems.length} problems (${(r.wallMs / 1000).toFixed(1)} s)\n`,
      );
      for (const p of problems) process.stderr.write(`  ${p}\n`);
    }
    const text = `## Round ${round} (scale ${scale}, seed ${1000 + round})\n\n${renderTable(results)}\n\n${renderNotes(results)}\n`;
    process.stdout.write(`${text}\n`);
    out.push(text);
  }
  const file = arg("out");
  if (file) writeFileSync(file, `# Fault matrix soak run\n\n${out.join("\n")}`);
  process.stdout.write(
    bad === 0 ? "No duplicate, orphan, leftover or unexpected failure.\n" : `${bad} problems.\n`,
  );
  return bad === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
