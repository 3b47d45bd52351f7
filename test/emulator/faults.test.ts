import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_IDS, type RunningEmulator } from "../../emulator/index";
import { call, P1, withEmulator } from "./helpers";

const evsList = `/v2/${P1}/cloudsnapshots/detail`;

describe("fault knobs", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  beforeEach(() => {
    emu.setFaults({
      rateLimitPerSecond: 0,
      serverErrorRate: 0,
      resetRate: 0,
      latencyMs: 0,
      dropResponseAfterCommitRate: 0,
    });
    emu.resetCounts();
  });
  afterAll(() => emu.close());

  it("rate limit per endpoint: 429 APIGW.0308 in the gateway shape, no Retry-After", async () => {
    emu.setFaults({ rateLimitPerSecond: 5 });
    const results = await Promise.all(Array.from({ length: 20 }, () => call(emu, { path: evsList })));
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(5);
    expect(throttled[0]!.json).toMatchObject({ error_code: "APIGW.0308", request_id: expect.any(String) });
    expect(throttled[0]!.json.error_msg).toContain("throttling threshold");
    expect(throttled[0]!.headers["retry-after"]).toBeUndefined();
    expect(emu.counts().throttled).toBe(throttled.length);
    // Another endpoint (service, region) has its own budget.
    expect((await call(emu, { path: `/v1.0/${P1}/snapshots` })).status).toBe(200);
  });

  it("server errors: a mix of 500 service-shaped and 502/503 APIGW.0201 answers", async () => {
    emu.setFaults({ serverErrorRate: 1 });
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await call(emu, { path: evsList }));
    expect(results.every((r) => r.status >= 500)).toBe(true);
    const service = results.find((r) => r.status === 500);
    expect(service?.json.error.code).toBe("EVS.5500");
    const gateway = results.find((r) => r.status === 502 || r.status === 503);
    expect(gateway?.json.error_code).toBe("APIGW.0201");
    expect(emu.counts()["faults.serverError"]).toBe(30);
    expect(emu.counts()["evs.ListSnapshots"]).toBe(30);
  });

  it("connection resets destroy the socket before processing", async () => {
    emu.setFaults({ resetRate: 1 });
    await expect(
      call(emu, {
        method: "POST",
        path: `/v2/${P1}/cloudsnapshots`,
        body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: "never-created" } },
      }),
    ).rejects.toThrow();
    expect(emu.counts()["faults.reset"]).toBe(1);
    emu.setFaults({ resetRate: 0 });
    const names = emu.world().evs.snapshots.map((s) => s.name);
    expect(names).not.toContain("never-created");
  });

  it("added latency delays answers", async () => {
    emu.setFaults({ latencyMs: 200, latencyJitter: 0 });
    const t0 = Date.now();
    expect((await call(emu, { path: evsList })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("commit-then-drop: the POST is processed, then the connection is dropped without an answer", async () => {
    emu.setFaults({ dropResponseAfterCommitRate: 1 });
    await expect(
      call(emu, {
        method: "POST",
        path: `/v2/${P1}/cloudsnapshots`,
        body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: "committed-then-dropped" } },
      }),
    ).rejects.toThrow();
    expect(emu.counts()["faults.dropAfterCommit"]).toBe(1);
    // GETs are not dropped, and the snapshot exists.
    const list = await call(emu, { path: evsList, query: [["name", "committed-then-dropped"]] });
    expect(list.status).toBe(200);
    expect(list.json.count).toBe(1);
  });

  it("forced failures through setFaults end DWS snapshots UNAVAILABLE", async () => {
    emu.setFaults({ fail: { dwsSnapshot: 1 } });
    emu.setTimings({ dwsSnapshotCreate: 50, jitter: 0 });
    const c = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots`,
      body: { snapshot: { name: "forced-fail", cluster_id: DEFAULT_IDS.dwsClusterId2 } },
    });
    // Wait (bounded) until the create has ended, then it must have ended UNAVAILABLE.
    const path = `/v1.0/${P1}/snapshots/${c.json.snapshot.id}`;
    const g = await vi.waitFor(
      async () => {
        const r = await call(emu, { path });
        expect(r.json.snapshot.status).not.toBe("CREATING");
        return r;
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(g.json.snapshot.status).toBe("UNAVAILABLE");
    emu.setFaults({ fail: { dwsSnapshot: 0 } });
  });
});
