/**
 * Part 2, scale: N resources created at once and then deleted at once through the provider
 * methods, against an emulator that throttles beyond R requests per second per endpoint
 * (service + region) and whose operations take D. The lower bound any provider faces is
 * D + 2N/R: every resource needs at least one request to start and one to confirm.
 */
import { processStats, resetProcessStats } from "../provider/client";
import { apiCalls, countsDelta, errorText, mb, RssSampler, round, withTimeout } from "./stats";
import {
  allTimings,
  createThroughProvider,
  deleteThroughProvider,
  KINDS,
  type Kind,
  leftovers,
  seedTargets,
  startWorld,
} from "./world";

export type Scenario = "evs" | "mix";

export interface PhaseResult {
  wallMs: number;
  /** D + 2N/R (issue 7: as if every call went to one endpoint). */
  lowerBoundMs: number;
  /**
   * D + 2·N_e/R for the busiest endpoint e: the emulator (like the cloud) limits each service and
   * region separately, so a mix of services can finish below D + 2N/R. Equal to it for EVS only.
   */
  busiestEndpointBoundMs: number;
  ratio: number;
  failures: number;
  errors: string[];
  /** API calls the emulator answered (throttled ones included). */
  requests: number;
  requestsPerResource: number;
  /** 429 APIGW.0308 answers the emulator sent. */
  throttledByEmulator: number;
  /** What the client saw: throttled answers, retries, requests of unknown outcome. */
  client: { requests: number; throttled: number; retries: number; outcomeUnknown: number };
  ops: Record<string, number>;
}

export interface ScaleRun {
  scenario: Scenario;
  n: number;
  rateLimitPerSecond: number;
  operationMs: number;
  kinds: Partial<Record<Kind, number>>;
  create: PhaseResult;
  delete: PhaseResult;
  /** Peak resident set of this process (emulator included) while the scenario ran, MB. */
  peakRssMb: number;
  /** EVS snapshots, manual DWS snapshots and replicas still in the emulator after the deletes. */
  leftovers: number;
}

export interface ScaleOptions {
  sizes: number[];
  scenarios: Scenario[];
  rateLimitPerSecond: number;
  operationMs: number;
  log?: (line: string) => void;
}

/** The endpoint (service:region) each kind's calls mostly go to: DWS snapshots and copies share one. */
const ENDPOINT: Record<Kind, string> = {
  EvsSnapshot: "evs",
  DwsSnapshot: "dws",
  DwsSnapshotCopy: "dws",
  CbrReplication: "cbr",
};

function kindsFor(scenario: Scenario, n: number): Kind[] {
  return Array.from({ length: n }, (_, i) => (scenario === "evs" ? "EvsSnapshot" : KINDS[i % KINDS.length]!));
}

export async function runScale(opts: ScaleOptions): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (const scenario of opts.scenarios) {
    for (const n of opts.sizes) {
      runs.push(await runOne(scenario, n, opts));
    }
  }
  return runs;
}

async function runOne(scenario: Scenario, n: number, opts: ScaleOptions): Promise<ScaleRun> {
  const R = opts.rateLimitPerSecond;
  const D = opts.operationMs;
  const world = await startWorld(allTimings(D, D), { rateLimitPerSecond: R });
  const rss = new RssSampler(50);
  try {
    const kinds = kindsFor(scenario, n);
    const targets = seedTargets(world, kinds, {
      backupsPerVault: 1,
      prefix: `s${scenario}${n}`,
      timeouts: { create: "10m", delete: "10m" },
    });
    const lowerBoundMs = D + (2 * n * 1000) / R;
    const perEndpoint = new Map<string, number>();
    for (const k of kinds) perEndpoint.set(ENDPOINT[k], (perEndpoint.get(ENDPOINT[k]) ?? 0) + 1);
    const busiestEndpointBoundMs = D + (2 * Math.max(...perEndpoint.values()) * 1000) / R;
    // Every operation carries its own deadline (timeouts above); this bounds the phase as a whole.
    const phaseLimitMs = 15 * 60_000;

    const measure = async (
      what: string,
      work: () => Promise<PromiseSettledResult<unknown>[]>,
    ): Promise<{ result: PhaseResult; settled: PromiseSettledResult<unknown>[] }> => {
      const before = world.emu.counts();
      resetProcessStats();
      const t0 = Date.now();
      const settled = await withTimeout(`${scenario} ${n} ${what}`, phaseLimitMs, work);
      const wallMs = Date.now() - t0;
      const stats = processStats();
      const delta = countsDelta(before, world.emu.counts());
      const errors = settled.flatMap((s) => (s.status === "rejected" ? [errorText(s.reason)] : []));
      const requests = apiCalls(delta);
      const ops = Object.fromEntries(Object.entries(delta).filter(([k]) => /^(dws|evs|cbr|iam)\./.test(k)));
      return {
        settled,
        result: {
          wallMs,
          lowerBoundMs,
          busiestEndpointBoundMs,
          ratio: round(wallMs / lowerBoundMs, 2),
          failures: errors.length,
          errors: [...new Set(errors)].slice(0, 5),
          requests,
          requestsPerResource: round(requests / n, 2),
          throttledByEmulator: delta.throttled ?? 0,
          client: {
            requests: stats.requests,
            throttled: stats.throttled,
            retries: stats.retries,
            outcomeUnknown: stats.outcomeUnknown,
          },
          ops,
        },
      };
    };

    const created = await measure("create", () =>
      Promise.allSettled(targets.map((t) => createThroughProvider(t))),
    );
    opts.log?.(
      `scale ${scenario} N=${n}: create ${(created.result.wallMs / 1000).toFixed(1)} s ` +
        `(bound ${(lowerBoundMs / 1000).toFixed(1)} s), ${created.result.failures} failed, ` +
        `${created.result.throttledByEmulator} throttled`,
    );
    const made = created.settled.flatMap((s, i) =>
      s.status === "fulfilled"
        ? [{ kind: targets[i]!.kind, ...(s.value as { id: string; outs: Record<string, unknown> }) }]
        : [],
    );
    const deleted = await measure("delete", () =>
      Promise.allSettled(made.map((m) => deleteThroughProvider(m.kind, m.id, m.outs))),
    );
    // Resources whose create failed were never deleted: they count as failed deletes too.
    deleted.result.failures += n - made.length;
    opts.log?.(
      `scale ${scenario} N=${n}: delete ${(deleted.result.wallMs / 1000).toFixed(1)} s, ` +
        `${deleted.result.failures} failed, ${deleted.result.throttledByEmulator} throttled`,
    );
    const counted: Partial<Record<Kind, number>> = {};
    for (const k of kinds) counted[k] = (counted[k] ?? 0) + 1;
    return {
      scenario,
      n,
      rateLimitPerSecond: R,
      operationMs: D,
      kinds: counted,
      create: created.result,
      delete: deleted.result,
      peakRssMb: mb(rss.stop()),
      leftovers: leftovers(world),
    };
  } finally {
    rss.stop();
    await world.close();
  }
}
