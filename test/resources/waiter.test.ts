import { describe, expect, it } from "vitest";
import { type Clock, nextDelay, type Observation, waitFor } from "../../provider/waiter";

/** A fake clock: sleeping advances time instantly. */
function fakeClock(start = 1_000_000): Clock & { t: number } {
  const c = {
    t: start,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
    random: () => 0.5,
  };
  return c;
}

/** An operation of duration D that reports integer progress linearly, like the emulator. */
function linearOperation(
  clock: { now(): number },
  startedAt: number,
  durationMs: number,
  withProgress = true,
) {
  let polls = 0;
  return {
    polls: () => polls,
    poll: async (): Promise<Observation<null>> => {
      polls++;
      const elapsed = clock.now() - startedAt;
      if (elapsed >= durationMs) return { state: "success", status: "available", progress: 100, value: null };
      const progress = withProgress ? Math.floor((elapsed / durationMs) * 100) : undefined;
      return { state: "pending", status: "creating", progress, value: null };
    },
  };
}

describe("nextDelay", () => {
  const base = { attempt: 1, firstDelayMs: 1000, minDelayMs: 200, maxDelayMs: 30_000, random: 0.5 };
  it("predicts the earliest end from progress since the start", () => {
    // 50% after 1 s: the whole takes more than 100/51 s, so the end is at least 0.96 s away.
    const d = nextDelay({ ...base, now: 1000, startedAt: 0, history: [{ at: 1000, progress: 50 }] });
    expect(d).toBeGreaterThan(960);
    expect(d).toBeLessThan(1100);
  });
  it("uses two readings when the start is unknown", () => {
    const d = nextDelay({
      ...base,
      now: 2000,
      history: [
        { at: 1000, progress: 10 },
        { at: 2000, progress: 20 },
      ],
    });
    // ~9%/s from 10% at t=1s: the end is ~8-9 s after t=2s.
    expect(d).toBeGreaterThan(7000);
    expect(d).toBeLessThan(9500);
  });
  it("backs off exponentially without progress, within bounds", () => {
    const d1 = nextDelay({ ...base, now: 0, history: [], attempt: 1 });
    const d4 = nextDelay({ ...base, now: 0, history: [], attempt: 4 });
    const d30 = nextDelay({ ...base, now: 0, history: [], attempt: 30 });
    expect(d1).toBe(1000);
    expect(d4).toBeCloseTo(3375, 0);
    expect(d30).toBe(30_000);
  });
});

describe("waitFor", () => {
  it.each([2_000, 10_000, 30_000, 600_000])(
    "sees a %i ms operation finish promptly with few polls",
    async (D) => {
      const clock = fakeClock();
      const op = linearOperation(clock, clock.now(), D);
      const r = await waitFor({ poll: op.poll, timeoutMs: 3_600_000, startedAt: clock.now(), clock });
      expect(r.outcome).toBe("success");
      const lateBy = r.elapsedMs - D;
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThanOrEqual(Math.max(500, D * 0.05));
      expect(r.polls).toBeLessThanOrEqual(D > 60_000 ? 30 : 5);
    },
  );

  it("stops on a terminal failure and counts the statuses it saw", async () => {
    const clock = fakeClock();
    let n = 0;
    const r = await waitFor({
      clock,
      timeoutMs: 60_000,
      poll: async () =>
        ++n < 3
          ? { state: "pending", status: "CREATING", value: null }
          : { state: "failure", status: "UNAVAILABLE", value: null },
    });
    expect(r.outcome).toBe("failure");
    expect(r.statuses).toEqual({ CREATING: 2, UNAVAILABLE: 1 });
  });

  it("times out at the deadline, not after it", async () => {
    const clock = fakeClock();
    const op = linearOperation(clock, clock.now(), 1_000_000, false);
    const r = await waitFor({ poll: op.poll, timeoutMs: 45_000, clock });
    expect(r.outcome).toBe("timeout");
    expect(r.elapsedMs).toBe(45_000);
    expect(r.last?.status).toBe("creating");
  });

  it("returns poll errors as an outcome instead of throwing", async () => {
    const clock = fakeClock();
    const boom = new Error("boom");
    const r = await waitFor({
      clock,
      timeoutMs: 10_000,
      poll: async () => {
        throw boom;
      },
    });
    expect(r).toMatchObject({ outcome: "error", error: boom, polls: 0 });
  });

  it("stops when aborted", async () => {
    const clock = fakeClock();
    const ac = new AbortController();
    const op = linearOperation(clock, clock.now(), 1_000_000, false);
    const r = await waitFor({
      clock,
      timeoutMs: 1_000_000,
      signal: ac.signal,
      poll: async () => {
        ac.abort();
        return op.poll();
      },
    });
    expect(r.outcome).toBe("aborted");
  });
});
