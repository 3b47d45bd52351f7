import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_IDS,
  DEMO_ACCESS_KEY,
  DEMO_SECRET_KEY,
  DEMO_TEMPORARY_CREDENTIALS,
  DEMO_USER,
  ManualClock,
  type RunningEmulator,
  startEmulator,
} from "../../emulator/index";
import { call, P1, P2, withEmulator } from "./helpers";

const admin = (emu: RunningEmulator, method: string, sub: string, body?: unknown) =>
  call(emu, {
    method,
    path: `/__emulator/${sub}`,
    unsigned: true,
    ...(body === undefined ? (method === "GET" ? {} : { body: {} }) : { body }),
  });

describe("admin API under /__emulator/", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  it("GET world: regions, project ids, access keys only, every resource with stable ids", async () => {
    const w = await admin(emu, "GET", "world");
    expect(w.status).toBe(200);
    expect(w.json.regions).toEqual([
      { name: "cn-north-4", projectId: P1 },
      { name: "ap-southeast-1", projectId: P2 },
    ]);
    expect(w.json.credentials.accessKey).toBe(DEMO_ACCESS_KEY);
    for (const secret of [
      DEMO_SECRET_KEY,
      DEMO_USER.password,
      ...DEMO_TEMPORARY_CREDENTIALS.map((t) => t.secretKey),
    ]) {
      expect(w.text).not.toContain(secret);
    }
    expect(w.json.dws.clusters.map((c: any) => c.id)).toContain(DEFAULT_IDS.dwsClusterId);
    expect(w.json.dws.snapshots.filter((s: any) => s.type === "AUTOMATED")).toHaveLength(3);
    expect(w.json.evs.volumes.map((v: any) => v.status).sort()).toEqual(["available", "in-use"]);
    expect(w.json.cbr.vaults).toHaveLength(2);
    expect(w.json.cbr.backups.map((b: any) => b.id).sort()).toEqual(
      [...DEFAULT_IDS.cbrSourceBackupIds].sort(),
    );
    expect(w.json.cbr.replicationRecords).toEqual([]);
    expect(emu.world()).toEqual(expect.objectContaining({ regions: w.json.regions }));
  });

  it("POST seed, PUT timings, PUT faults, counts and reset", async () => {
    const s = await admin(emu, "POST", "seed", {
      dwsClusters: [{ name: "seeded-cluster" }],
      evsVolumes: [{ status: "in-use", region: "ap-southeast-1" }],
    });
    expect(s.status).toBe(200);
    const clusterId = s.json.dwsClusters[0];
    const auto = await admin(emu, "POST", "seed", { dwsSnapshots: [{ clusterId, name: "seeded-auto" }] });
    const autoId = auto.json.dwsSnapshots[0];
    const g = await call(emu, { path: `/v1.0/${P1}/snapshots/${autoId}` });
    expect(g.json.snapshot).toMatchObject({ type: "AUTOMATED", status: "AVAILABLE", cluster_id: clusterId });
    expect((await admin(emu, "POST", "seed", { dwsSnapshots: [{ clusterId: "nope" }] })).status).toBe(400);
    expect((await admin(emu, "POST", "seed", { bogus: [] })).status).toBe(400);

    const t = await admin(emu, "PUT", "timings", { dwsSnapshotCreate: 10 });
    expect(t.json.dwsSnapshotCreate).toBe(10);
    expect((await admin(emu, "GET", "timings")).json.dwsSnapshotCreate).toBe(10);
    expect((await admin(emu, "PUT", "timings", { dwsSnapshotCreate: -1 })).status).toBe(400);

    const f = await admin(emu, "PUT", "faults", { rateLimitPerSecond: 100, fail: { evsSnapshot: 0.5 } });
    expect(f.json).toMatchObject({ rateLimitPerSecond: 100, fail: { evsSnapshot: 0.5, dwsSnapshot: 0 } });
    const off = await admin(emu, "PUT", "faults", { rateLimitPerSecond: null, fail: { evsSnapshot: 0 } });
    expect(off.json.rateLimitPerSecond).toBeUndefined();
    expect((await admin(emu, "PUT", "faults", { resetRate: "lots" })).status).toBe(400);

    await admin(emu, "POST", "counts/reset");
    await call(emu, { path: `/v1.0/${P1}/snapshots` });
    await call(emu, { path: `/v1.0/${P1}/snapshots` });
    await call(emu, { path: "/v3/projects", query: [["name", "cn-north-4"]] });
    await call(emu, { path: "/nope" });
    const counts = await admin(emu, "GET", "counts");
    expect(counts.json).toEqual({ "dws.ListSnapshots": 2, "iam.KeystoneListProjects": 1, unknown: 1 });
    expect(emu.counts()).toEqual(counts.json);
    expect((await admin(emu, "POST", "counts/reset")).status).toBe(204);
    expect(emu.counts()).toEqual({});

    const reset = await admin(emu, "POST", "reset");
    expect(reset.status).toBe(200);
    expect(reset.json.dws.clusters).toHaveLength(2);
    const empty = await admin(emu, "POST", "reset", { world: "empty" });
    expect(empty.json.dws.clusters).toHaveLength(0);
    await admin(emu, "POST", "reset");
    expect((await admin(emu, "GET", "nothing-here")).status).toBe(404);
  });
});

describe("persistence", () => {
  it("survives a restart in the middle of a transition (status and progress derived from stored times)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-state-"));
    const statePath = join(dir, "world.json");
    const clock = new ManualClock(Date.now());
    try {
      const first = await startEmulator({
        port: 0,
        clock,
        statePath,
        timings: { jitter: 0, evsSnapshotCreate: 10_000 },
      });
      const c = await call(first, {
        method: "POST",
        path: `/v2/${P1}/cloudsnapshots`,
        body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: "persisted" } },
      });
      const id = c.json.snapshot.id;
      // Written before the answer: no wait.
      expect(readFileSync(statePath, "utf8")).toContain(id);
      clock.advance(3000);
      await first.close();

      const second = await startEmulator({ port: 0, clock, statePath });
      const path = `/v2/${P1}/cloudsnapshots/${id}`;
      const mid = await call(second, { path });
      expect(mid.json.snapshot).toMatchObject({
        status: "creating",
        "os-extended-snapshot-attributes:progress": "30%",
      });
      clock.advance(7000);
      expect((await call(second, { path })).json.snapshot.status).toBe("available");
      await second.close();
      const saved = JSON.parse(readFileSync(statePath, "utf8"));
      expect(saved.version).toBe(1);
      expect(JSON.stringify(saved)).not.toContain(DEMO_SECRET_KEY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
