import { describe, expect, it } from "vitest";
import { backoffDelayMs, createClient } from "../../provider/client";
import { AdaptiveRateLimiter, EndpointLimiter } from "../../provider/client/limiter";
import { json, startServer, testSettings } from "./server";

describe("backoffDelayMs: exponential with full jitter", () => {
  it("stays between 0 and min(cap, base·2^attempt)", () => {
    expect(backoffDelayMs(0, () => 0.999)).toBe(199);
    expect(backoffDelayMs(3, () => 0.5)).toBe(800);
    expect(backoffDelayMs(20, () => 0.999)).toBe(19_980); // capped at 20 s
    expect(backoffDelayMs(5, () => 0)).toBe(0);
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffDelayMs(attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(20_000, 200 * 2 ** attempt));
    }
  });
});

describe("AdaptiveRateLimiter (fake clock)", () => {
  it("does not limit until throttled, then sends a little below the rate that got through", () => {
    let t = 100;
    const bucket = new AdaptiveRateLimiter(() => t);
    for (let i = 0; i < 200; i++) expect(bucket.tryAcquire()).toBe(0);
    expect(bucket.rate).toBeUndefined();
    // 50 successes within one second, then a throttle.
    for (let i = 0; i < 50; i++) {
      t += 0.019;
      bucket.record(false);
    }
    bucket.record(true, t);
    const rate = bucket.rate!;
    expect(rate).toBeGreaterThan(40); // 90% of ~52/s (50 in 0.95 s)
    expect(rate).toBeLessThan(50);
    // After the cut the bucket holds one token, then asks to wait ~1/rate.
    expect(bucket.tryAcquire()).toBe(0);
    const wait = bucket.tryAcquire();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1 / rate + 1e-9);
  });

  it("counts the throttles of one burst once, cuts again for requests sent after the cut", () => {
    let t = 10;
    const bucket = new AdaptiveRateLimiter(() => t);
    for (let i = 0; i < 40; i++) {
      t += 0.025;
      bucket.record(false);
    }
    const sentBefore = t;
    t += 0.01;
    bucket.record(true, sentBefore);
    const first = bucket.rate!;
    for (let i = 0; i < 20; i++) bucket.record(true, sentBefore); // the rest of the same burst
    expect(bucket.rate!).toBeCloseTo(first, 5);
    t += 0.05;
    bucket.record(true, t - 0.01); // sent after the cut: a new round
    expect(bucket.rate!).toBeLessThan(first);
  });

  it("grows back on success, at most to twice what gets through", () => {
    let t = 0;
    const bucket = new AdaptiveRateLimiter(() => t);
    bucket.record(true, t); // throttled at once: the floor
    expect(bucket.rate).toBe(2);
    const rates: number[] = [];
    for (let s = 0; s < 4; s++) {
      for (let i = 0; i < 20; i++) {
        t += 0.05;
        bucket.record(false);
        bucket.tryAcquire();
      }
      rates.push(bucket.rate!);
    }
    expect(rates[0]!).toBeGreaterThan(2);
    expect(rates[3]!).toBeGreaterThan(rates[0]!);
    expect(Math.max(...rates)).toBeLessThanOrEqual(2 * 20 + 1e-9);
  });
});

describe("EndpointLimiter: bounded concurrency", () => {
  it("never has more than maxInFlight at once and serves waiters in order", async () => {
    const limiter = new EndpointLimiter({ maxInFlight: 3 });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const release = await limiter.acquire();
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        release({ throttled: false });
      }),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(limiter.active).toBe(0);
  });

  it("through the client: the server never sees more than maxInFlight requests at once", async () => {
    const server = await startServer(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 20));
      json(res, 200, {});
    });
    const client = createClient(testSettings(server.url), { maxInFlight: 4 });
    const get = () =>
      client.request({
        service: "evs",
        operation: "ShowSnapshot",
        region: "cn-north-4",
        method: "GET",
        path: "/v2/{project_id}/cloudsnapshots/x",
      });
    await Promise.all(Array.from({ length: 40 }, get));
    expect(server.requests).toHaveLength(40);
    expect(server.maxInFlight).toBeLessThanOrEqual(4);
    expect(server.maxInFlight).toBeGreaterThan(1);
  });

  it("adapts under 429: a server allowing a few requests per 100 ms is served with no failures", async () => {
    // The server admits 5 requests per 100 ms window (50/s) and throttles the rest.
    let window = 0;
    let admitted = 0;
    const server = await startServer((_req, res) => {
      const w = Math.floor(Date.now() / 100);
      if (w !== window) [window, admitted] = [w, 0];
      if (admitted >= 5) return json(res, 429, { error_code: "APIGW.0308", error_msg: "throttled" });
      admitted++;
      return json(res, 200, {});
    });
    const client = createClient(testSettings(server.url, { maxRetries: 10 }), {
      backoff: (attempt) => backoffDelayMs(attempt, Math.random, 20),
    });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, () =>
        client.request({
          service: "dws",
          operation: "ListSnapshots",
          region: "cn-north-4",
          method: "GET",
          path: "/v1.0/{project_id}/snapshots",
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(client.stats.throttled).toBeGreaterThan(0);
    // Without the limiter every request would be throttled about once per retry round; with it the
    // throttled answers stay a fraction of all requests sent.
    expect(client.stats.throttled).toBeLessThan(client.stats.requests);
  });
});
