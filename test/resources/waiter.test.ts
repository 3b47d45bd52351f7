import { describe, expect, it } from "vitest";
import { PROGRESS_MODELS, progressOf } from "../../emulator/progress";
import { type Clock, nextDelay, noProgressDelay, type Observation, waitFor } from "../../provider/waiter";

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
  const base = { attempt: 2, firstDelayMs: 1000, minDelayMs: 200, maxDelayMs: 600_000, random: 0.5 };
  /** The grid's delay at this elapsed time, without progress. */
  const grid = (elapsed: number) => noProgressDelay(elapsed, 1000, 0.5);

  it("predicts the end from progress since the start", () => {
    // 50% after 1 s: the whole takes (1.96 s, 2 s]: narrow, so poll just after 2 s.
    const d = nextDelay({ ...base, now: 1000, startedAt: 0, history: [{ at: 1000, progress: 50 }] });
    expect(d).toBeGreaterThan(960);
    expect(d).toBeLessThan(1100);
  });

  it("uses two readings when the start is unknown, never later than the grid", () => {
    const input = {
      ...base,
      now: 1_002_000,
      waitStartedAt: 0,
      history: [
        { at: 1_001_000, progress: 10 },
        { at: 1_002_000, progress: 20 },
      ],
    };
    // ~9-11%/s from 10% at the first reading: the end is 8-10 s after the last. Two moving
    // readings on one line are trusted beyond the grid's next point, whatever the phase.
    for (const r of [0, 0.3, 0.6, 0.9]) {
      const d = nextDelay({ ...input, random: r });
      expect(d).toBeGreaterThan(7000);
      expect(d).toBeLessThan(9500);
    }
  });

  it("a line that places a 30 s operation's end from its first seconds is trusted to it", () => {
    // 3% at 1 s and 11% at 3.3 s: the end is 28–30 s after the start. The grid's steps are 2.5 s
    // now, 10.5 s then: four of those cover the wait, so no poll in between.
    const history = [
      { at: 1_000, progress: 3 },
      { at: 3_300, progress: 11 },
    ];
    const d = nextDelay({ ...base, now: 3_300, startedAt: 0, history });
    expect(3_300 + d).toBeGreaterThan(27_000);
    expect(3_300 + d).toBeLessThan(30_000);
    // A far end (1% a second: 100 s) is still trusted for four of the steps of now only.
    const slow = [
      { at: 1_000, progress: 1 },
      { at: 3_000, progress: 3 },
    ];
    expect(nextDelay({ ...base, now: 3_000, startedAt: 0, history: slow })).toBeLessThanOrEqual(4 * 2_500);
  });

  it("a single reading cannot be contradicted yet: the grid bounds the wait", () => {
    // 1% after 10 s predicts about 1000 s; the grid's next point is far sooner.
    const d = nextDelay({ ...base, now: 10_000, startedAt: 0, history: [{ at: 10_000, progress: 1 }] });
    expect(d).toBe(grid(10_000));
  });

  it("without progress: steps of 2.5 s, then 10.5 s, then 3.6% of the elapsed time", () => {
    // Phase 0.5: grid points at 1 s + 2.5 s × (k + 0.5).
    expect(grid(1000)).toBe(1250);
    // The 2.5 s steps end at 13.5 s; then 10.5 s steps: 18.75 s, 29.25 s …
    expect(grid(20_000)).toBe(9_250);
    const late = grid(3_600_000);
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThanOrEqual(0.036 * 3_600_000 * 1.04);
    // Polls to 30 minutes and to 4 hours: a handful more per doubling.
    const polls = (until: number) => {
      let t = 1000;
      let n = 1;
      for (; t < until && n < 10_000; n++) t += grid(t);
      return n;
    };
    expect(polls(10_000)).toBeLessThanOrEqual(6);
    expect(polls(1_800_000)).toBeLessThanOrEqual(88);
    expect(polls(14_400_000)).toBeLessThanOrEqual(150);
  });

  it("the phase moves the grid, not its step", () => {
    const a = noProgressDelay(100_000, 1000, 0);
    const b = noProgressDelay(100_000, 1000, 0.5);
    expect(a).not.toBe(b);
    // The step at 100 s is 10.5 s; a grid point within 0.3 step of the poll is skipped.
    expect(Math.max(a, b)).toBeLessThanOrEqual(1.3 * 10_500);
    expect(Math.min(a, b)).toBeGreaterThanOrEqual(0.3 * 10_500);
  });

  it("skips a grid point that would come right after an off-grid poll", () => {
    // Phase 0.1: grid points at 1.25 s, 3.75 s …; the first poll (1 s) is off the grid.
    expect(noProgressDelay(1000, 1000, 0.1)).toBe(2750);
    expect(noProgressDelay(1000, 1000, 0.5)).toBe(1250);
  });

  it.each([
    ["stuck at 0", [0, 0, 0, 0]],
    ["100 while pending", [20, 45, 100, 100]],
    ["going backwards", [20, 40, 35, 50]],
    ["a jump", [0, 0, 50, 50]],
  ])("contradicting progress (%s) falls back to the grid, never faster than the floor", (_, ps) => {
    const history = ps.map((progress, i) => ({ at: 10_000 * (i + 1), progress }));
    const now = history[history.length - 1]!.at;
    const d = nextDelay({ ...base, now, startedAt: 0, history });
    expect(d).toBe(grid(now));
    expect(d).toBeGreaterThanOrEqual(base.minDelayMs);
  });

  it("a resumed wait (started long before) never polls at the floor in a loop", () => {
    let now = 600_000;
    const history: { at: number; progress: number; sentAt: number }[] = [];
    for (let i = 0; i < 30; i++) {
      history.push({ at: now, sentAt: now - 50, progress: 40 + i });
      const d = nextDelay({ ...base, now, startedAt: 0, waitStartedAt: 600_000, history });
      expect(d).toBeGreaterThan(base.minDelayMs);
      now += d;
    }
  });

  it("a stall after the predicted end is a contradiction", () => {
    // A straight line to 99% at 60 s predicts the end by about 61 s; still 99% at 90 s.
    const history = [
      { at: 30_000, progress: 50 },
      { at: 60_000, progress: 99 },
      { at: 90_000, progress: 99 },
    ];
    expect(nextDelay({ ...base, now: 90_000, startedAt: 0, history })).toBe(grid(90_000));
  });

  it("a curve that slows down near its end: the poll waits for its estimate, within two grid steps", () => {
    const history = [
      { at: 500_000, progress: 80 },
      { at: 580_000, progress: 95 },
      { at: 600_000, progress: 97 },
    ];
    // Not a straight line from the start; 15 points in 80 s, then 2 in 20 s: slowing. At the last
    // chord's pace the end is 30 s away, and a curve that flattens takes longer: no poll before.
    const d = nextDelay({ ...base, now: 600_000, startedAt: 0, history });
    expect(d).toBeGreaterThan(grid(600_000));
    expect(d).toBeGreaterThanOrEqual(30_000);
    // The grid's step at 600 s is 3.6% of it.
    expect(d).toBeLessThanOrEqual(2 * 0.036 * 600_000 * 1.02);
  });

  it("progress that speeds up near its end: the chord brings the poll forward", () => {
    const history = [
      { at: 500_000, progress: 10 },
      { at: 580_000, progress: 60 },
      { at: 600_000, progress: 97 },
    ];
    // 37 points in the last 20 s: at that pace the end is under 2 s away.
    const d = nextDelay({ ...base, now: 600_000, startedAt: 0, history });
    expect(d).toBeLessThan(2_000);
    expect(d).toBeGreaterThanOrEqual(base.minDelayMs);
  });

  it("progress that grows with the square of the time is predicted from the start", () => {
    // 36% at 60 s and 64% at 80 s: p = (t / 100 s)², the end at 100 s (within the readings' slack).
    // No straight line from the start fits them.
    const history = [
      { at: 60_000, progress: 36 },
      { at: 80_000, progress: 64 },
    ];
    const d = nextDelay({ ...base, now: 80_000, startedAt: 0, history });
    expect(80_000 + d).toBeGreaterThan(99_000);
    expect(80_000 + d).toBeLessThanOrEqual(100_500);
  });

  it("progress that never grew faster than the square of the time bounds the end from below", () => {
    // 40% at 20 s after 10% at 10 s is not a line, nor quite a parabola (it slows): the end is no
    // earlier than 20 s × √(100/41) ≈ 31 s, and the wait is not cut short by the grid's next point.
    const history = [
      { at: 5_000, progress: 3 },
      { at: 10_000, progress: 11 },
      { at: 20_000, progress: 40 },
    ];
    const d = nextDelay({ ...base, now: 20_000, startedAt: 0, history });
    expect(20_000 + d).toBeGreaterThanOrEqual(20_000 * Math.sqrt(100 / 41));
    expect(d).toBeGreaterThan(grid(20_000));
  });
});

describe("waitFor", () => {
  it.each([2_000, 10_000, 30_000, 600_000])(
    "sees a %i ms operation finish promptly, within issue 14's call budget",
    async (D) => {
      const clock = fakeClock();
      const op = linearOperation(clock, clock.now(), D);
      const r = await waitFor({ poll: op.poll, timeoutMs: 3_600_000, startedAt: clock.now(), clock });
      expect(r.outcome).toBe("success");
      const lateBy = r.elapsedMs - D;
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThanOrEqual(Math.max(500, D * 0.0005));
      // With the create's POST: at most 8 calls up to 10 s, else the 10 s cadence's calls + 6.
      const budget = D <= 10_000 ? 8 : 1 + Math.ceil(D / 10_000) + 6;
      expect(r.polls + 1).toBeLessThanOrEqual(budget);
    },
  );

  it.each(PROGRESS_MODELS.flatMap((m) => [2_000, 30_000, 1_800_000].map((D) => [m, D] as const)))(
    "progress model %s, D = %i ms: never returns early, delay within the grid's step, few extra calls",
    async (model, D) => {
      const clock = fakeClock();
      const start = clock.now();
      const poll = async (): Promise<Observation<null>> => {
        const now = clock.now();
        const progress = progressOf(model, { startedAt: start, completesAt: start + D, now, key: "op" });
        return now >= start + D
          ? { state: "success", status: "available", progress, value: null }
          : { state: "pending", status: "creating", progress, value: null };
      };
      const r = await waitFor({ poll, timeoutMs: 3 * D + 60_000, startedAt: start, clock });
      expect(r.outcome).toBe("success");
      const lateBy = r.elapsedMs - D;
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThanOrEqual(Math.max(3_000, 10_000 * (D > 12_000 ? 1 : 0), 0.036 * D * 1.05));
      // Progress only adds a bounded number of polls to the grid's (the bench checks issue 14's budget).
      let gridPolls = 1;
      for (let t = 1000; t < D + 1 && gridPolls < 10_000; gridPolls++) t += noProgressDelay(t, 1000, 0.5);
      expect(r.polls).toBeLessThanOrEqual(gridPolls + 8);
    },
  );

  /** One wait on a fake clock with the given phase; progress as a function of the elapsed fraction. */
  async function run(D: number, phase: number, progress: (x: number, t: number) => number | undefined) {
    const clock = { ...fakeClock(0), random: () => phase };
    clock.now = () => clock.t;
    clock.sleep = async (ms: number) => {
      clock.t += ms;
    };
    const poll = async (): Promise<Observation<null>> => {
      const t = clock.now();
      return t >= D
        ? { state: "success", status: "available", progress: 100, value: null }
        : { state: "pending", status: "creating", progress: progress(t / D, t), value: null };
    };
    const r = await waitFor({ poll, timeoutMs: 3 * D + 600_000, startedAt: 0, clock });
    return { ...r, lateBy: clock.t - D };
  }

  it.each([30_000, 120_000, 600_000])(
    "follows an S-curve to its end (D = %i ms): within issue 14's delay and call budget",
    async (D) => {
      for (const phase of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        const r = await run(D, phase, (_, t) =>
          progressOf("scurve", { startedAt: 0, completesAt: D, now: t, key: "s" }),
        );
        expect(r.outcome).toBe("success");
        expect(r.lateBy).toBeGreaterThanOrEqual(0);
        // The p90 bound (twice the median's, max(1 s, 1% of D)) holds for each of these phases.
        expect(r.lateBy).toBeLessThanOrEqual(2 * Math.max(1000, 0.01 * D));
        // The 10 s cadence's calls + 6, the create's POST included.
        expect(r.polls + 1).toBeLessThanOrEqual(1 + Math.ceil(D / 10_000) + 6);
      }
    },
  );

  it("misleading progress costs at most three polls more than no progress at all", async () => {
    const shapes: Record<string, (x: number) => number> = {
      // Races to 98% on a line, then hangs there: the line, then the chord, keep predicting the end.
      hang: (x) => Math.min(98, Math.floor((100 * x) / 0.3)),
      approach: (x) => Math.floor(98 * (1 - Math.exp(-5 * x))),
      stairs: (x) => Math.min(99, 10 * Math.floor(x * 10)),
      cubic: (x) => Math.floor(99 * x ** 3),
    };
    for (const [name, shape] of Object.entries(shapes)) {
      for (const D of [10_000, 120_000, 3_600_000]) {
        for (const phase of [0.05, 0.25, 0.5, 0.75, 0.95]) {
          const ours = await run(D, phase, shape);
          const none = await run(D, phase, () => undefined);
          expect(ours.outcome).toBe("success");
          expect(ours.lateBy).toBeGreaterThanOrEqual(0);
          expect(ours.polls, `${name}, D = ${D}, phase ${phase}`).toBeLessThanOrEqual(none.polls + 3);
        }
      }
    }
  });

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
