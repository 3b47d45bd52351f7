/**
 * Time and randomness for the emulator. Every asynchronous transition is stored as absolute times
 * and its status is derived from `clock.now()`, so tests inject a ManualClock and a seeded Random.
 */
import { randomUUID } from "node:crypto";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** Small seeded PRNG (mulberry32), so fault and failure fractions are reproducible in tests. */
export class Random {
  private state: number;
  constructor(seed: number = Date.now() ^ (process.pid << 8)) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** True with probability `p` (p <= 0 never, p >= 1 always). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }
  /** `ms` spread by ±jitter (a fraction), never negative. */
  jitter(ms: number, jitter: number): number {
    if (jitter <= 0 || ms <= 0) return Math.max(0, Math.round(ms));
    return Math.max(0, Math.round(ms * (1 + (this.next() * 2 - 1) * jitter)));
  }
}

export function uuid(): string {
  return randomUUID();
}

/** 32 lowercase hex characters, the shape of Huawei project ids and request ids. */
export function hexId(): string {
  return randomUUID().replace(/-/g, "");
}

/** Integer percent of the way from start to end at `now`, clamped to 0..100. */
export function percent(start: number, end: number, now: number): number {
  if (end <= start) return now >= end ? 100 : 0;
  return Math.max(0, Math.min(100, Math.floor(((now - start) * 100) / (end - start))));
}

/** `2016-08-23T03:59:23Z` (DWS). */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `2013-02-25T03:56:53.081642` (EVS, CBR): UTC with microseconds, no zone. */
export function isoMicros(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

/** `2019-05-23T14:35:23.584+00:00` (CBR operation logs): UTC, milliseconds, with the zone. */
export function isoMillisZoned(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+00:00`;
}
