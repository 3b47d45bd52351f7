/**
 * The process-wide limiter: one per endpoint (origin + region), shared by every client in the
 * Pulumi provider host, because one host serves all dynamic resources of a stack concurrently.
 *
 * Two parts:
 * - a concurrency bound (at most `maxInFlight` requests at once per endpoint);
 * - an adaptive token bucket, a simplified form of the AWS SDK v3 "adaptive" retry mode (CUBIC
 *   congestion control): unlimited until the first throttled answer, then the send rate drops to
 *   70% of the measured rate on each throttle and grows back along a cubic curve on success. So
 *   hundreds of resources converge on the rate the endpoint allows instead of stampeding it and
 *   burning their retries.
 */
import { sleep } from "./backoff";

export interface LimiterOptions {
  maxInFlight: number;
  /** Clock in seconds; injectable for tests. */
  now?: () => number;
}

export const DEFAULT_MAX_IN_FLIGHT = 32;

// CUBIC constants as in the AWS SDK's DefaultRateLimiter.
const BETA = 0.7;
const SCALE = 0.4;
/**
 * Floor of the send rate once throttled. Higher than the AWS SDK's 0.5/s: one stray 429 must not
 * hold a provider host serving hundreds of resources at one request every two seconds.
 */
const MIN_FILL_RATE = 2;

/**
 * Answers per second over the last second, in ten 100 ms buckets. While an endpoint throttles,
 * the rate of successful answers is the rate it allows, so this is what a throttle falls back to.
 * (The AWS SDK smooths over 0.5 s buckets and reads 0 until the first bucket closes, which makes
 * a throttle in the first half second drop the rate to its floor.)
 */
class RecentRate {
  private readonly buckets = new Array<number>(10).fill(0);
  private current = 0;

  constructor(private readonly now: () => number) {}

  add(): void {
    this.advance();
    this.buckets[this.current % 10]! += 1;
  }

  perSecond(): number {
    this.advance();
    return this.buckets.reduce((a, b) => a + b, 0);
  }

  private advance(): void {
    const slot = Math.floor(this.now() * 10);
    if (slot - this.current >= 10) this.buckets.fill(0);
    else for (let i = this.current + 1; i <= slot; i++) this.buckets[i % 10] = 0;
    this.current = Math.max(this.current, slot);
  }
}

/** The adaptive token bucket. Pure state plus a clock, so it can be tested without timers. */
export class AdaptiveRateLimiter {
  private enabled = false;
  private fillRate = MIN_FILL_RATE;
  private capacity = MIN_FILL_RATE;
  private tokens = MIN_FILL_RATE;
  private lastRefill: number;
  private lastMaxRate = 0;
  private lastThrottle: number;
  private timeWindow = 0;
  private readonly successes: RecentRate;

  constructor(private readonly now: () => number = () => performance.now() / 1000) {
    this.lastRefill = this.now();
    this.lastThrottle = this.lastRefill;
    this.successes = new RecentRate(this.now);
  }

  /** Current allowed rate in requests per second, or undefined while unthrottled. */
  get rate(): number | undefined {
    return this.enabled ? this.fillRate : undefined;
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

  /** Feeds back one answer: throttled (429/APIGW.0308) or not. */
  record(throttled: boolean): void {
    const t = this.now();
    if (!throttled) this.successes.add();
    const measured = this.successes.perSecond();
    let next: number;
    if (throttled) {
      // Back off from the lower of what we allowed and what actually got through.
      this.lastMaxRate = Math.max(this.enabled ? Math.min(measured, this.fillRate) : measured, MIN_FILL_RATE);
      this.timeWindow = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE);
      this.lastThrottle = t;
      this.enabled = true;
      next = this.lastMaxRate * BETA;
    } else {
      if (!this.enabled) return;
      // Cubic growth: quickly back to the last good rate, slowly around it, then probing beyond.
      next = SCALE * (t - this.lastThrottle - this.timeWindow) ** 3 + this.lastMaxRate;
    }
    this.setFillRate(Math.min(next, 2 * Math.max(measured, MIN_FILL_RATE)));
  }

  private setFillRate(rate: number): void {
    this.refill();
    this.fillRate = Math.max(rate, MIN_FILL_RATE);
    this.capacity = this.fillRate;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.lastRefill) * this.fillRate);
    this.lastRefill = t;
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
    return ({ throttled }) => {
      if (released) return;
      released = true;
      this.bucket.record(throttled);
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
