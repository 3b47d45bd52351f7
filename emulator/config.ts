/** Timings and faults: set at start, changed at run time (admin API or RunningEmulator). */

/** Milliseconds for each asynchronous transition; jitter is a fraction (0.1 = ±10%). */
export interface Timings {
  dwsSnapshotCreate: number;
  dwsSnapshotCopy: number;
  dwsSnapshotDelete: number;
  evsSnapshotCreate: number;
  evsSnapshotDelete: number;
  cbrReplication: number;
  cbrBackupDelete: number;
  jitter: number;
}

export interface Faults {
  /** Per endpoint = per (service, region); beyond it 429 APIGW.0308 (gateway body, no Retry-After). */
  rateLimitPerSecond?: number;
  /** Fraction of requests answered 5xx before processing (500 service-shaped, 502/503 APIGW.0201). */
  serverErrorRate: number;
  /** Fraction of requests whose connection is destroyed before processing. */
  resetRate: number;
  /** Added latency per request. */
  latencyMs: number;
  /** Spread of the added latency, a fraction (0.5 = ±50%). */
  latencyJitter: number;
  /** Fraction of POSTs processed (state committed) and then dropped without an answer. */
  dropResponseAfterCommitRate: number;
  /** Fraction of new operations that end in a terminal failure. */
  fail: { dwsSnapshot: number; evsSnapshot: number; cbrReplication: number };
}

export const DEFAULT_TIMINGS: Timings = {
  dwsSnapshotCreate: 2500,
  dwsSnapshotCopy: 2000,
  dwsSnapshotDelete: 500,
  evsSnapshotCreate: 1500,
  evsSnapshotDelete: 500,
  cbrReplication: 3000,
  cbrBackupDelete: 500,
  jitter: 0.1,
};

/** Short transitions for tests: a create takes about half a second, a delete about 150 ms. */
export const FAST_TIMINGS: Timings = {
  dwsSnapshotCreate: 600,
  dwsSnapshotCopy: 500,
  dwsSnapshotDelete: 150,
  evsSnapshotCreate: 500,
  evsSnapshotDelete: 150,
  cbrReplication: 700,
  cbrBackupDelete: 150,
  jitter: 0.1,
};

export function defaultFaults(): Faults {
  return {
    serverErrorRate: 0,
    resetRate: 0,
    latencyMs: 0,
    latencyJitter: 0,
    dropResponseAfterCommitRate: 0,
    fail: { dwsSnapshot: 0, evsSnapshot: 0, cbrReplication: 0 },
  };
}

/**
 * Largest page each paged list answers (the default page when no `limit` is sent, and the cap when a
 * larger one is). The defaults are the documented ones; tests lower them to force many pages.
 */
export interface PageSizes {
  /** CBR ListBackups: documented default and maximum 1000. */
  cbrBackups: number;
  /** CBR ListOpLogs: documented default and maximum 1000. */
  cbrOpLogs: number;
  /** EVS ListSnapshots (cloudsnapshots/detail): documented default 1000, limit 1..1000. */
  evsSnapshots: number;
  /** EVS ListVolumes (cloudvolumes/detail): documented default 1000. */
  evsVolumes: number;
  /** DWS ListClusterSnapshots: limit > 0 documented, no default published (1000 assumed). */
  dwsClusterSnapshots: number;
}

export const DEFAULT_PAGE_SIZES: PageSizes = {
  cbrBackups: 1000,
  cbrOpLogs: 1000,
  evsSnapshots: 1000,
  evsVolumes: 1000,
  dwsClusterSnapshots: 1000,
};

export interface Config {
  timings: Timings;
  faults: Faults;
  pageSizes: PageSizes;
}

export function mergePageSizes(base: PageSizes, patch: Partial<PageSizes> | undefined): PageSizes {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (k in out && typeof v === "number" && Number.isInteger(v) && v >= 1) out[k as keyof PageSizes] = v;
  }
  return out;
}

export function mergeTimings(base: Timings, patch: Partial<Timings> | undefined): Timings {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (k in out && typeof v === "number" && Number.isFinite(v) && v >= 0) (out as any)[k] = v;
  }
  return out;
}

export function mergeFaults(
  base: Faults,
  patch: (Partial<Omit<Faults, "fail">> & { fail?: Partial<Faults["fail"]> }) | undefined,
): Faults {
  const out: Faults = { ...base, fail: { ...base.fail } };
  if (!patch) return out;
  for (const [k, v] of Object.entries(patch)) {
    if (k === "fail") {
      for (const [fk, fv] of Object.entries((v as Record<string, unknown>) ?? {})) {
        if (fk in out.fail && typeof fv === "number" && fv >= 0) (out.fail as any)[fk] = fv;
      }
    } else if (k === "rateLimitPerSecond") {
      out.rateLimitPerSecond = typeof v === "number" && v > 0 ? v : undefined;
    } else if (k in out && typeof v === "number" && Number.isFinite(v) && v >= 0) {
      (out as any)[k] = v;
    }
  }
  return out;
}
