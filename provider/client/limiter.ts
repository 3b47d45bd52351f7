/**
 * The process-wide limiter: one per endpoint (service + origin + region: a service throttles on its
 * own even where one URL serves them all, as a gateway or the emulator does), shared by every client in the
 * Pulumi provider host, because one host serves all dynamic resources of a stack concurrently.
 *
 * Two parts:
 * - a concurrency bound (at most `maxInFlight` requests at once per endpoint);
 * - an adaptive token bucket, a simplified form of the AWS SDK v3 "adaptive" retry mode:
 *   unlimited until the first throttled answer, then the send rate follows the rate of successful
 *   answers (cut on throttles, grown on success). So hundreds of resources converge on the rate
 *   the endpoint allows instead of stampeding it and burning their retries.
 */
import { sleep } from "./backoff";

export interface LimiterOptions {
  maxInFlight: number;
  /** Clock in seconds; injectable for tests. */
  now?: () => number;
}

export const DEFAULT_MAX_IN_FLIGHT = 32;

/** Each throttle round sets the rate to this share of what got through. */
const BETA = 0.9;
/** Growth of the rate per second of successful answers (continuous, so 1 = doubling in ~0.7 s). */
const GROWTH_PER_SECOND = 1;
/**
 * Floor of the send rate once throttled. Higher than the AWS SDK's 0.5/s: one stray 429 must not
 * hold a provider host serving hundreds of resources at one request every two seconds.
 */
const MIN_FILL_RATE = 2;

/**
 * Successful answers per second over the last second, in ten 100 ms buckets. While an endpoint
 * throttles, the rate of successes is the rate it allows. In the first second of traffic the
 * count is divided by the time seen so far (at least 250 ms), so an early throttle does not drop
 * the rate to the floor (the AWS SDK's 0.5 s smoothing reads 0 then).
 */
class SuccessRate {
  private readonly buckets = new Array<number>(10).fill(0);
  private current = 0;
  private readonly started: number;

  constructor(private readonly now: () => number) {
    this.started = now();
    this.current = Math.floor(this.started * 10);
  }

  add(): void {
    this.advance();
    this.buckets[this.current % 10]! += 1;
  }

  perSecond(): number {
    this.advance();
    const age = Math.min(1, Math.max(0.25, this.now() - this.started));
    return this.buckets.reduce((a, b) => a + b, 0) / age;
  }

  private advance(): void {
    const slot = Math.floor(this.now() * 10);
    if (slot - this.current >= 10) this.buckets.fill(0);
    else for (let i = this.current + 1; i <= slot; i++) this.buckets[i % 10] = 0;
    this.current = Math.max(this.current, slot);
  }
}

/**
 * The adaptive token bucket (simplified from the AWS SDK v3 "adaptive" retry mode). Unlimited
 * until the first throttled answer. Each throttle round sets the rate to 90% of the lower of the
 * current rate and the rate of successes; a round ends when a request sent after the last cut is
 * throttled, so the 429s of one burst (all sent before the cut) count once. Successes make the
 * rate grow again (at most to twice what gets through), probing for more capacity.
 * Pure state plus a clock, so it can be tested without timers.
 */
export class AdaptiveRateLimiter {
  private enabled = false;
  private fillRate = MIN_FILL_RATE;
  private tokens = MIN_FILL_RATE;
  private lastRefill: number;
  private lastCut = Number.NEGATIVE_INFINITY;
  private readonly successes: SuccessRate;

  constructor(private readonly now: () => number = () => performance.now() / 1000) {
    this.lastRefill = this.now();
    this.successes = new SuccessRate(this.now);
  }

  /** Current allowed rate in requests per second, or undefined while unthrottled. */
  get rate(): number | undefined {
    return this.enabled ? this.fillRate : undefined;
  }

  /** The clock this limiter runs on (seconds); callers stamp send times with it. */
  time(): number {
    return this.now();
  }

  /** Seconds to wait before one request may be sent; takes the token when 0. */
  tryAcquire(): number {
    if (!this.enabled) return 0;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / this.fillRate;
  }

  /** Feeds back one answer: throttled (429/APIGW.0308) or not, for a request sent at `sentAt`. */
  record(throttled: boolean, sentAt: number = this.now()): void {
    this.refill();
    if (!throttled) {
      this.successes.add();
      return;
    }
    if (this.enabled && sentAt < this.lastCut) return; // same burst as the last cut
    const through = this.successes.perSecond();
    this.fillRate = Math.max(
      MIN_FILL_RATE,
      BETA * (this.enabled ? Math.min(this.fillRate, through) : through),
    );
    this.tokens = Math.min(this.tokens, 1);
    this.enabled = true;
    this.lastCut = this.now();
  }

  /** Adds tokens for the time passed, and grows the rate while it is not being cut. */
  private refill(): void {
    const t = this.now();
    const dt = Math.max(0, t - this.lastRefill);
    this.lastRefill = t;
    if (!this.enabled) return;
    const ceiling = 2 * Math.max(this.successes.perSecond(), MIN_FILL_RATE);
    if (this.fillRate < ceiling)
      this.fillRate = Math.min(ceiling, this.fillRate * (1 + GROWTH_PER_SECOND * dt));
    this.tokens = Math.min(this.fillRate, this.tokens + dt * this.fillRate);
  }
}

/** A release function: call it once when the request is done. */
export type Release = (outcome: { throttled: boolean }) => void;

/** Bounded concurrency plus the adaptive bucket, for one endpoint. */
export class EndpointLimiter {
  readonly maxInFlight: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  readonly bucket: AdaptiveRateLimiter;

  constructor(options: LimiterOptions) {
    this.maxInFlight = options.maxInFlight;
    this.bucket = new AdaptiveRateLimiter(options.now);
  }

  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot and a token. Resolves to the release function. */
  async acquire(signal?: AbortSignal): Promise<Release> {
    await this.takeSlot(signal);
    try {
      for (let wait = this.bucket.tryAcquire(); wait > 0; wait = this.bucket.tryAcquire()) {
        await sleep(Math.ceil(wait * 1000), signal);
      }
    } catch (err) {
      this.releaseSlot();
      throw err;
    }
    let released = false;
    const sentAt = this.bucket.time();
    return ({ throttled }) => {
      if (released) return;
      released = true;
      this.bucket.record(throttled, sentAt);
      this.releaseSlot();
    };
  }

  private takeSlot(signal?: AbortSignal): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.inFlight += 1;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private releaseSlot(): void {
    this.inFlight -= 1;
    this.waiting.shift()?.();
  }
}

/** Process-wide: one limiter per endpoint key, shared by every client in this process. */
const limiters = new Map<string, EndpointLimiter>();

export function limiterFor(key: string, maxInFlight: number = DEFAULT_MAX_IN_FLIGHT): EndpointLimiter {
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new EndpointLimiter({ maxInFlight });
    limiters.set(key, limiter);
  }
  return limiter;
}

/** Forgets every limiter (tests). */
export function resetLimiters(): void {
  limiters.clear();
}
