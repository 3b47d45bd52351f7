/**
 * Part 1, completion detection: how long after the emulator finished a create does the create
 * return, and how many API calls did it cost — our waiter beside the Terraform-cadence baseline.
 *
 * For each operation time D, one fresh emulator with every create timing set to D (no jitter); all
 * cells of that D (four kinds × ours/baseline × samples) run at once, each on its own cluster,
 * volume, automated snapshot or vault pair. The completion instant is read from the emulator's model
 * (`completesAt`), on the same clock as the provider's return.
 */
import { baselineCreate, type Cadence, terraformCadences } from "./baseline";
import { attribute, RequestLog } from "./requests";
import { apiCalls, countsDelta, errorText, median, p95, round, withTimeout } from "./stats";
import {
  allTimings,
  completedAt,
  createThroughProvider,
  KINDS,
  type Kind,
  seedTargets,
  startWorld,
  type Target,
} from "./world";

export type Method = "ours" | "baseline";

export interface DetectionSample {
  delayMs: number;
  /** From the create call to its return. */
  elapsedMs: number;
  calls: number;
  ops: Record<string, number>;
}

export interface DetectionCell {
  kind: Kind;
  durationMs: number;
  method: Method;
  samples: number;
  failures: number;
  errors: string[];
  medianDelayMs: number;
  p95DelayMs: number;
  maxDelayMs: number;
  medianCalls: number;
  maxCalls: number;
  /** Calls per operation name, summed over the samples. */
  ops: Record<string, number>;
  perSample: DetectionSample[];
}

export interface DetectionPhase {
  durationMs: number;
  wallMs: number;
  /** API calls the emulator counted in this phase vs those logged client-side and attributed. */
  emulatorCalls: number;
  loggedCalls: number;
  unattributed: Record<string, number>;
}

export interface DetectionOptions {
  durationsMs: number[];
  samples: number;
  cadenceScale: number;
  log?: (line: string) => void;
}

export interface DetectionResult {
  cadences: Record<Kind, Cadence>;
  cells: DetectionCell[];
  phases: DetectionPhase[];
}

interface Job {
  key: string;
  kind: Kind;
  method: Method;
  target: Target;
  id?: string;
  delayMs?: number;
  elapsedMs?: number;
  error?: string;
}

export async function runDetection(opts: DetectionOptions): Promise<DetectionResult> {
  const cadences = terraformCadences(opts.cadenceScale);
  const cells: DetectionCell[] = [];
  const phases: DetectionPhase[] = [];
  for (const durationMs of opts.durationsMs) {
    const world = await startWorld(allTimings(durationMs, 500));
    const log = new RequestLog();
    try {
      const kinds = KINDS.flatMap((k) => Array.from({ length: 2 * opts.samples }, () => k));
      const targets = seedTargets(world, kinds, {
        backupsPerVault: 2,
        prefix: `d${Math.round(durationMs / 1000)}`,
      });
      const jobs: Job[] = targets.map((target, i) => {
        const method: Method = i % 2 === 0 ? "ours" : "baseline";
        return { key: `${target.kind}/${method}/${i}`, kind: target.kind, method, target };
      });
      const slowest = Math.max(...Object.values(cadences).map((c) => c.delayMs + 2 * c.intervalMs));
      const timeoutMs = durationMs + slowest + 60_000;
      const before = world.emu.counts();
      log.start();
      const started = Date.now();
      await withTimeout(`detection at D=${durationMs} ms`, timeoutMs + 10_000, () =>
        Promise.all(
          jobs.map(async (job) => {
            const t0 = Date.now();
            try {
              job.id =
                job.method === "ours"
                  ? (await createThroughProvider(job.target)).id
                  : (await baselineCreate(world.client, job.target, cadences[job.kind], timeoutMs)).id;
              const returnedAt = Date.now();
              job.elapsedMs = returnedAt - t0;
              const done = completedAt(world, job.target, job.id);
              if (done === undefined) throw new Error(`no completion time in the emulator for ${job.id}`);
              job.delayMs = returnedAt - done;
            } catch (err) {
              job.error = errorText(err);
            }
          }),
        ),
      );
      const wallMs = Date.now() - started;
      log.stop();
      const delta = countsDelta(before, world.emu.counts());
      const attribution = attribute(
        log.entries,
        jobs.map((j) => ({ key: j.key, ids: [...j.target.ids, ...(j.id ? j.id.split(":") : [])] })),
      );
      phases.push({
        durationMs,
        wallMs,
        emulatorCalls: apiCalls(delta),
        loggedCalls: attribution.total,
        unattributed: attribution.unattributed,
      });
      for (const kind of KINDS) {
        for (const method of ["ours", "baseline"] as const) {
          const mine = jobs.filter((j) => j.kind === kind && j.method === method);
          const ok = mine.filter((j) => j.error === undefined);
          const perSample = ok.map((j) => {
            const a = attribution.bySample.get(j.key)!;
            return { delayMs: j.delayMs!, elapsedMs: j.elapsedMs!, calls: a.total, ops: a.ops };
          });
          const ops: Record<string, number> = {};
          for (const s of perSample)
            for (const [op, n] of Object.entries(s.ops)) ops[op] = (ops[op] ?? 0) + n;
          const delays = perSample.map((s) => s.delayMs);
          const calls = perSample.map((s) => s.calls);
          cells.push({
            kind,
            durationMs,
            method,
            samples: mine.length,
            failures: mine.length - ok.length,
            errors: mine.flatMap((j) => (j.error ? [j.error] : [])),
            medianDelayMs: round(median(delays)),
            p95DelayMs: round(p95(delays)),
            maxDelayMs: delays.length ? Math.max(...delays) : Number.NaN,
            medianCalls: median(calls),
            maxCalls: calls.length ? Math.max(...calls) : Number.NaN,
            ops,
            perSample,
          });
        }
      }
      opts.log?.(
        `detection D=${durationMs / 1000}s: ${jobs.length} creates in ${(wallMs / 1000).toFixed(1)} s, ` +
          `${jobs.filter((j) => j.error).length} failed`,
      );
    } finally {
      log.stop();
      await world.close();
    }
  }
  return { cadences, cells, phases };
}
