import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, ManualClock, PROGRESS_MODELS, type RunningEmulator } from "../../emulator/index";
import { parseProgress, progressOf } from "../../emulator/progress";
import { call, P1, withEmulator } from "./helpers";

const VOL = DEFAULT_IDS.evsVolumeAvailableId;
const admin = (emu: RunningEmulator, method: string, sub: string, body?: unknown) =>
  call(emu, { method, path: `/__emulator/${sub}`, unsigned: true, ...(body === undefined ? {} : { body }) });

describe("progress models (emulator/progress.ts)", () => {
  const at = (model: (typeof PROGRESS_MODELS)[number], x: number) =>
    progressOf(model, { startedAt: 0, completesAt: 1000, now: x * 1000, key: "k" });

  it("each model's shape, and 100 once done (none: no field at all)", () => {
    expect([0.1, 0.55, 0.999].map((x) => at("linear", x))).toEqual([10, 55, 99]);
    expect(at("none", 0.5)).toBeUndefined();
    expect(at("none", 1)).toBeUndefined();
    expect([0.1, 0.9].map((x) => at("zero", x))).toEqual([0, 0]);
    expect([0.4, 0.6, 0.99].map((x) => at("jumps", x))).toEqual([0, 50, 50]);
    expect([0.3, 0.7, 0.99].map((x) => at("stall99", x))).toEqual([50, 99, 99]);
    expect([0.25, 0.5, 0.9].map((x) => at("early100", x))).toEqual([50, 100, 100]);
    expect([0.1, 0.5, 0.9].map((x) => at("scurve", x))).toEqual([2, 50, 97]);
    expect([0.5, 0.99].map((x) => at("lagging", x))).toEqual([25, 98]);
    for (const m of PROGRESS_MODELS) if (m !== "none") expect(at(m, 1)).toBe(100);
  });

  it("noisy: stays within 5 points of the line, and goes backwards somewhere", () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
    const ps = xs.map((x) => at("noisy", x)!);
    xs.forEach((x, i) => {
      expect(Math.abs(ps[i]! - Math.floor(100 * x))).toBeLessThanOrEqual(5);
    });
    expect(ps.some((p, i) => i > 0 && p < ps[i - 1]!)).toBe(true);
  });

  it("parseProgress: one model for all, or per operation, naming what is wrong", () => {
    expect(parseProgress("zero")).toEqual({
      dwsSnapshotCreate: "zero",
      dwsSnapshotCopy: "zero",
      evsSnapshotCreate: "zero",
      cbrReplication: "zero",
    });
    expect(parseProgress("evsSnapshotCreate=none,cbrReplication=stall99")).toEqual({
      evsSnapshotCreate: "none",
      cbrReplication: "stall99",
    });
    expect(() => parseProgress("evsSnapshotCreate=sideways")).toThrow(/sideways/);
    expect(() => parseProgress("evs=zero")).toThrow(/operation "evs"/);
  });
});

describe("progress models and time scale over HTTP", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await withEmulator({
      clock,
      // 4 hours at a time scale of 0.001: 14.4 s (the signature's clock skew limit forbids hours).
      timings: { jitter: 0, evsSnapshotCreate: 4 * 3_600_000, timeScale: 0.001 },
      progress: { evsSnapshotCreate: "zero" },
    });
  });
  afterAll(() => emu.close());

  const snapshot = async () => {
    const c = await call(emu, {
      method: "POST",
      path: `/v2/${P1}/cloudsnapshots`,
      body: { snapshot: { volume_id: VOL } },
    });
    expect(c.status).toBe(202);
    return `/v2/${P1}/cloudsnapshots/${c.json.snapshot.id}`;
  };
  const read = async (path: string) => (await call(emu, { method: "GET", path })).json.snapshot;
  const PROGRESS = "os-extended-snapshot-attributes:progress";

  it("the model set at start applies, and PUT /progress changes it for running operations too", async () => {
    const path = await snapshot();
    clock.advance(7_200);
    expect(await read(path)).toMatchObject({ status: "creating", [PROGRESS]: "0%" });
    const put = await admin(emu, "PUT", "progress", { evsSnapshotCreate: "none" });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ evsSnapshotCreate: "none" });
    expect(await read(path)).not.toHaveProperty(PROGRESS);
    await admin(emu, "PUT", "progress", { evsSnapshotCreate: "linear" });
    expect((await read(path))[PROGRESS]).toBe("50%");
    clock.advance(7_200);
    expect(await read(path)).toMatchObject({ status: "available", [PROGRESS]: "100%" });
    expect((await admin(emu, "GET", "progress")).json).toEqual({ evsSnapshotCreate: "linear" });
  });

  it("rejects an unknown model or operation with 400", async () => {
    expect((await admin(emu, "PUT", "progress", { evsSnapshotCreate: "sideways" })).status).toBe(400);
    expect((await admin(emu, "PUT", "progress", { evs: "zero" })).status).toBe(400);
  });

  it("timeScale: at 1 the same snapshot takes the whole 4 hours", async () => {
    expect((await admin(emu, "PUT", "timings", { timeScale: 1 })).status).toBe(200);
    const path = await snapshot();
    clock.advance(14_400);
    expect(await read(path)).toMatchObject({ status: "creating", [PROGRESS]: "0%" });
    expect((await admin(emu, "PUT", "timings", { timeScale: -1 })).status).toBe(400);
  });
});
