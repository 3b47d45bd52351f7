/**
 * The one waiter: "poll this until a target state" as a single call.
 *
 * Shaped after @smithy/util-waiter: a pure function computes the next delay, and the loop returns an
 * outcome (success, failure, gone, timeout, aborted) instead of throwing, with a count of what it
 * observed so a timeout message can say what the resource was doing.
 *
 * What makes it fast and frugal: Huawei Cloud reports progress while snapshots and replications run
 * (DWS `progress`, EVS `os-extended-snapshot-attributes:progress`, CBR `extra_info.progress`). When
 * progress is known, the next poll is scheduled for the earliest moment the operation can have
 * finished given that progress (an integer percentage bounds the total duration from both sides),
 * so completion is seen within a fraction of a second with a handful of calls instead of on a fixed
 * 10–30 s cadence. Without progress it falls back to capped exponential backoff with jitter.
 */

export type WaitState = "pending" | "success" | "failure" | "gone";

export interface Observation<T> {
  state: WaitState;
  /** The cloud's own status word, e.g. "CREATING", "available", "replicating". */
  status: string;
  /** Percent complete (0–100) when the API reports it. */
  progress?: number;
  value: T;
}

export interface WaitOptions<T> {
  /** One observation of the thing waited on. Errors thrown here end the wait as outcome "error". */
  poll: () => Promise<Observation<T>>;
  /** Total time allowed, from the call. */
  timeoutMs: number;
  /**
   * When the operation began (epoch ms). With progress this lets the first observation predict the
   * end. Unknown for a resumed wait: then two observations with different progress are used.
   */
  startedAt?: number;
  /** Delay before the first poll (default 1 s: long enough for the first progress reading to mean something). */
  firstDelayMs?: number;
  /** Bounds of every delay (defaults 200 ms and 30 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Poll once immediately instead of after firstDelayMs (used when resuming). */
  pollImmediately?: boolean;
  signal?: AbortSignal;
  /** Injected for tests: a fake clock. */
  clock?: Clock;
  /** Called after each observation (progress display, debug log). */
  onObservation?: (o: Observation<T>, elapsedMs: number) => void;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export type WaitOutcome = "success" | "failure" | "gone" | "timeout" | "aborted" | "error";

export interface WaitResult<T> {
  outcome: WaitOutcome;
  last?: Observation<T>;
  error?: unknown;
  polls: number;
  elapsedMs: number;
  /** How many observations saw each status, e.g. { CREATING: 3, AVAILABLE: 1 }. */
  statuses: Record<string, number>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
  random: () => Math.random(),
};

export interface ProgressPoint {
  at: number;
  progress: number;
}

export interface DelayInput {
  now: number;
  attempt: number;
  startedAt?: number;
  /** Progress readings so far, oldest first. */
  history: readonly ProgressPoint[];
  firstDelayMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  random: number;
}

/** Margin added after a predicted completion so the poll lands just after it, not just before. */
const PREDICTION_MARGIN_MS = 60;

/**
 * The delay before the next poll. Pure, so it is tested without a clock.
 *
 * With progress readings, the end of the operation lies in a window (see predictEnd). Poll at the
 * window's earliest point, never overshooting by more than the margin; once the window is narrow
 * (a few percent of the run), poll at its far end instead, where the operation is surely done.
 */
export function nextDelay(input: DelayInput): number {
  const clamp = (ms: number) => Math.min(input.maxDelayMs, Math.max(input.minDelayMs, ms));
  const window = predictEnd(input);
  if (window) {
    const narrow = window.latest - window.earliest <= Math.max(input.minDelayMs, 0.02 * window.total);
    const at = narrow ? window.latest : window.earliest;
    return clamp(Math.max(0, at - input.now) + PREDICTION_MARGIN_MS);
  }
  // No usable progress: capped exponential backoff (×1.5 per attempt) with ±20% jitter.
  const base = input.firstDelayMs * 1.5 ** Math.max(0, input.attempt - 1);
  return clamp(base * (0.8 + 0.4 * input.random));
}

/**
 * The window in which the operation ends, from progress readings. Percentages are integers: with
 * Δp percent covered since the anchor, the true fraction covered lies in (Δp−1, Δp+1) — in
 * [Δp, Δp+1) when the anchor is the operation's start at 0% — which bounds the end both ways.
 */
function predictEnd(input: DelayInput): { earliest: number; latest: number; total: number } | undefined {
  const last = input.history[input.history.length - 1];
  if (!last) return undefined;
  if (last.progress >= 100) return { earliest: last.at, latest: last.at, total: 0 };
  const fromStart = input.startedAt !== undefined;
  // Anchor: the operation's start at 0%, or the earliest reading with a lower progress.
  const anchor: ProgressPoint | undefined = fromStart
    ? { at: input.startedAt!, progress: 0 }
    : input.history.find((h) => h.progress < last.progress);
  if (!anchor || last.at <= anchor.at) return undefined;
  const elapsed = last.at - anchor.at;
  const delta = last.progress - anchor.progress;
  const rest = 100 - anchor.progress;
  const earliestTotal = (elapsed * rest) / (delta + 1);
  const lowestCover = fromStart ? delta : delta - 1;
  const latestTotal = lowestCover > 0 ? (elapsed * rest) / lowestCover : Number.POSITIVE_INFINITY;
  return { earliest: anchor.at + earliestTotal, latest: anchor.at + latestTotal, total: earliestTotal };
}

/** Polls until success, failure, gone, timeout or abort. Never throws. */
export async function waitFor<T>(opts: WaitOptions<T>): Promise<WaitResult<T>> {
  const clock = opts.clock ?? realClock;
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  const firstDelayMs = opts.firstDelayMs ?? 1000;
  const minDelayMs = opts.minDelayMs ?? 200;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const statuses: Record<string, number> = {};
  const history: ProgressPoint[] = [];
  let last: Observation<T> | undefined;
  let polls = 0;
  const result = (outcome: WaitOutcome, error?: unknown): WaitResult<T> => ({
    outcome,
    last,
    error,
    polls,
    elapsedMs: clock.now() - start,
    statuses,
  });

  let delay = opts.pollImmediately ? 0 : Math.min(firstDelayMs, opts.timeoutMs);
  for (let attempt = 1; attempt <= 100_000; attempt++) {
    if (delay > 0) await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())), opts.signal);
    if (opts.signal?.aborted) return result("aborted");
    try {
      last = await opts.poll();
    } catch (error) {
      return result("error", error);
    }
    polls++;
    statuses[last.status] = (statuses[last.status] ?? 0) + 1;
    opts.onObservation?.(last, clock.now() - start);
    if (last.state !== "pending") return result(last.state);
    const now = clock.now();
    if (now >= deadline) return result("timeout");
    if (last.progress !== undefined && Number.isFinite(last.progress)) {
      history.push({ at: now, progress: last.progress });
    }
    delay = nextDelay({
      now,
      attempt,
      startedAt: opts.startedAt,
      history,
      firstDelayMs,
      minDelayMs,
      maxDelayMs,
      random: clock.random(),
    });
    // The last poll lands on the deadline rather than after it.
    if (now + delay > deadline) delay = deadline - now;
  }
  return result("timeout");
}

/**
 * For waits where any end will do (letting an operation finish before deleting its result): a
 * terminal failure counts as finished too.
 */
export function anyEnd<T>(o: Observation<T>): Observation<T> {
  return o.state === "failure" ? { ...o, state: "success" } : o;
}

/** "CREATING ×3, AVAILABLE ×1" — for timeout and failure messages. */
export function describeStatuses(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .map(([s, n]) => `${s} ×${n}`)
    .join(", ");
}
