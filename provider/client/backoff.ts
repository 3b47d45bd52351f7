/**
 * Retry delays: exponential backoff with "full jitter" (a uniformly random delay between 0 and
 * min(cap, base·2^attempt)), which spreads the retries of many concurrent callers instead of
 * having them return in waves (see the AWS Architecture Blog, "Exponential Backoff and Jitter").
 */
export const BACKOFF_BASE_MS = 200;
export const BACKOFF_CAP_MS = 20_000;

/**
 * Delay before retry number `attempt` (0 for the first retry). Pure: pass `random` to test it.
 */
export function backoffDelayMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs: number = BACKOFF_BASE_MS,
  capMs: number = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** Sleeps `ms`, ending early (with the signal's reason) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
