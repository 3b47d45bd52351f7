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
const SMOOTH = 0.8;
const MIN_FILL_RATE = 0.5;
const MIN_CAPACITY = 1;
const MEASURE_BUCKET_S = 0.5;

/** The adaptive token bucket. Pure state plus a clock, so it can be tested without timers. */
export class AdaptiveRateLimiter {
  private enabled = false;
  private fillRate = MIN_FILL_RATE;
  private capacity = MIN_CAPACITY;
  private tokens = MIN_CAPACITY;
  private lastRefill: number;
  private lastMaxRate = 0;
  private lastThrottle: number;
  private timeWindow = 0;
  private measuredRate = 0;
  private measureBucket: number;
  private measureCount = 0;

  constructor(private readonly now: () => number = () => performance.now() / 1000) {
    this.lastRefill = this.now();
    this.lastThrottle = this.lastRefill;
    this.measureBucket = Math.floor(this.lastRefill / MEASURE_BUCKET_S);
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
    this.updateMeasuredRate(t);
    let next: number;
    if (throttled) {
      const base = this.enabled ? Math.min(this.measuredRate, this.fillRate) : this.measuredRate;
      this.lastMaxRate = Math.max(base, MIN_FILL_RATE);
      this.timeWindow = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE);
      this.lastThrottle = t;
      this.enabled = true;
      next = this.lastMaxRate * BETA;
    } else {
      if (!this.enabled) return;
      next = SCALE * (t - this.lastThrottle - this.timeWindow) ** 3 + this.lastMaxRate;
    }
    this.setFillRate(Math.min(next, 2 * Math.max(this.measuredRate, MIN_FILL_RATE)));
  }

  private setFillRate(rate: number): void {
    this.refill();
    this.fillRate = Math.max(rate, MIN_FILL_RATE);
    this.capacity = Math.max(this.fillRate, MIN_CAPACITY);
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.lastRefill) * this.fillRate);
    this.lastRefill = t;
  }

  private updateMeasuredRate(t: number): void {
    const bucket = Math.floor(t / MEASURE_BUCKET_S);
    this.measureCount += 1;
    if (bucket > this.measureBucket) {
      const current = this.measureCount / ((bucket - this.measureBucket) * MEASURE_BUCKET_S);
      this.measuredRate = current * SMOOTH + this.measuredRate * (1 - SMOOTH);
      this.measureCount = 0;
      this.measureBucket = bucket;
    }
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
