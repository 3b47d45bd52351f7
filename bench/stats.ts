/** Small measuring tools of the benchmark: order statistics, a peak-RSS sampler, bounded sleeps. */

/** The q-quantile (0..1) by linear interpolation between order statistics; NaN for no samples. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);
export const p95 = (values: readonly number[]) => quantile(values, 0.95);

export function round(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const mb = (bytes: number) => round(bytes / 1048576, 1);

/** Samples the process's resident set size every `everyMs` until stopped; reports the peak. */
export class RssSampler {
  private peak = process.memoryUsage().rss;
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 100) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }

  /** Stops sampling; the peak in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/**
 * Sleeps at least `ms` (a Node timer may fire a millisecond early, which would make a fixed-cadence
 * poller land just before a completion it should see). Bounded: at most 100 extra short sleeps.
 */
export async function sleepAtLeast(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let i = 0; i < 100; i++) {
    const left = until - Date.now();
    if (left <= 0) return;
    await new Promise((r) => setTimeout(r, left));
  }
}

/** Differences of two `counts()` snapshots, zero entries dropped. */
export function countsDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** Requests in a counts() delta: every operation key, not the gateway's side counters. */
export function apiCalls(delta: Record<string, number>): number {
  return Object.entries(delta)
    .filter(([k]) => /^(dws|evs|cbr|iam)\./.test(k))
    .reduce((a, [, v]) => a + v, 0);
}

/** Runs `fn` with a time limit; rejects with a clear message when it passes. */
export async function withTimeout<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
