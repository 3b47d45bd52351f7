import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PAGE_SIZES, DEFAULT_TIMINGS, defaultFaults } from "../../emulator/config";
import { ApiError } from "../../emulator/errors";
import { Backend, DEFAULT_IDS, ManualClock, Random, type RunningEmulator } from "../../emulator/index";
import { call, P1, withEmulator } from "./helpers";

const C1 = DEFAULT_IDS.dwsClusterId;
const AUTO = DEFAULT_IDS.dwsAutomatedSnapshotIds[0];

function backend(fail = 0) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const faults = defaultFaults();
  faults.fail.dwsSnapshot = fail;
  const b = new Backend({
    clock,
    random: new Random(1),
    config: { timings: { ...DEFAULT_TIMINGS, jitter: 0 }, faults, pageSizes: { ...DEFAULT_PAGE_SIZES } },
  });
  return { b, clock };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return `${e.status} ${e.code}`;
    throw e;
  }
  return "no error";
}

describe("DWS backend (no HTTP)", () => {
  it("CREATING with linear progress, then AVAILABLE; cluster SNAPSHOTTING meanwhile", () => {
    const { b, clock } = backend();
    const s = b.dws.createSnapshot(P1, { name: "snap-a", clusterId: C1, description: "d" });
    expect(b.dws.view(s)).toMatchObject({
      status: "CREATING",
      progress: "0%",
      type: "MANUAL",
      finished: null,
    });
    expect(b.dws.showCluster(P1, C1)).toMatchObject({
      task_status: "SNAPSHOTTING",
      action_progress: { SNAPSHOTTING: "0%" },
    });
    clock.advance(DEFAULT_TIMINGS.dwsSnapshotCreate * 0.4);
    expect(b.dws.view(s).progress).toBe("40%");
    expect(b.dws.showCluster(P1, C1)).toMatchObject({ action_progress: { SNAPSHOTTING: "40%" } });
    clock.advance(DEFAULT_TIMINGS.dwsSnapshotCreate * 0.6);
    const v = b.dws.view(s);
    expect(v).toMatchObject({ status: "AVAILABLE", progress: "100%", cluster_id: C1, description: "d" });
    expect(v.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(v.finished).toMatch(/Z$/);
    expect(b.dws.showCluster(P1, C1)).toMatchObject({ task_status: "" });
  });

  it("an injected failure ends UNAVAILABLE", () => {
    const { b, clock } = backend(1);
    const s = b.dws.createSnapshot(P1, { name: "snap-fail", clusterId: C1 });
    clock.advance(DEFAULT_TIMINGS.dwsSnapshotCreate);
    expect(b.dws.view(s).status).toBe("UNAVAILABLE");
  });

  it("cluster busy while one of its snapshots is CREATING: 403 DWS.7023", () => {
    const { b, clock } = backend();
    b.dws.createSnapshot(P1, { name: "snap-1", clusterId: C1 });
    expect(code(() => b.dws.createSnapshot(P1, { name: "snap-2", clusterId: C1 }))).toBe("403 DWS.7023");
    // Another cluster is not busy.
    b.dws.createSnapshot(P1, { name: "snap-3", clusterId: DEFAULT_IDS.dwsClusterId2 });
    clock.advance(DEFAULT_TIMINGS.dwsSnapshotCreate);
    b.dws.createSnapshot(P1, { name: "snap-2", clusterId: C1 });
  });

  it("name, description, duplicate and cluster rules", () => {
    const { b } = backend();
    for (const name of ["abc", "1abc", "ab c!", "a".repeat(65)]) {
      expect(code(() => b.dws.createSnapshot(P1, { name, clusterId: C1 }))).toBe("400 DWS.0001");
    }
    expect(code(() => b.dws.createSnapshot(P1, { name: "okname", clusterId: C1, description: "a=b" }))).toBe(
      "400 DWS.0001",
    );
    expect(
      code(() => b.dws.createSnapshot(P1, { name: "okname", clusterId: C1, description: "x".repeat(257) })),
    ).toBe("400 DWS.0001");
    expect(code(() => b.dws.createSnapshot(P1, { name: "okname", clusterId: "not-a-uuid" }))).toBe(
      "400 DWS.0001",
    );
    expect(
      code(() =>
        b.dws.createSnapshot(P1, { name: "okname", clusterId: "00000000-0000-4000-8000-000000000000" }),
      ),
    ).toBe("404 DWS.0047");
    // Automated fixtures are named auto-snapshot-N; names are unique case-insensitively.
    expect(code(() => b.dws.createSnapshot(P1, { name: "AUTO-SNAPSHOT-1", clusterId: C1 }))).toBe(
      "400 DWS.5150",
    );
  });

  it("linked copy only from AUTOMATED; delete only MANUAL; deleted snapshots disappear", () => {
    const { b, clock } = backend();
    const copy = b.dws.copySnapshot(P1, AUTO, { backupName: "copy-1" });
    expect(b.dws.view(copy)).toMatchObject({ status: "CREATING", type: "MANUAL" });
    clock.advance(DEFAULT_TIMINGS.dwsSnapshotCopy);
    expect(b.dws.view(copy).status).toBe("AVAILABLE");
    expect(code(() => b.dws.copySnapshot(P1, copy.id, { backupName: "copy-2" }))).toBe("400 DWS.5153");
    expect(code(() => b.dws.deleteSnapshot(P1, AUTO))).toBe("400 DWS.5151");
    b.dws.deleteSnapshot(P1, copy.id);
    expect(b.dws.view(copy).status).toBe("DELETING");
    b.dws.deleteSnapshot(P1, copy.id); // accepted again while deleting
    clock.advance(DEFAULT_TIMINGS.dwsSnapshotDelete);
    expect(code(() => b.dws.snapshot(P1, copy.id))).toBe("400 DWS.5149");
    expect(code(() => b.dws.deleteSnapshot(P1, copy.id))).toBe("400 DWS.5149");
    expect(code(() => b.dws.copySnapshot(P1, "nope", { backupName: "copy-3" }))).toBe("400 DWS.5149");
  });
});

describe("DWS over HTTP", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await withEmulator({ clock, timings: { jitter: 0 } });
  });
  afterAll(() => emu.close());

  it("create, get, list all, list per cluster with paging and sorting, delete (202, no body)", async () => {
    const c = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots`,
      body: { snapshot: { name: "http-1", cluster_id: C1, description: "first" } },
    });
    expect(c.status).toBe(200);
    expect(Object.keys(c.json)).toEqual(["snapshot"]);
    expect(Object.keys(c.json.snapshot)).toEqual(["id"]);
    const id = c.json.snapshot.id;
    const g = await call(emu, { path: `/v1.0/${P1}/snapshots/${id}` });
    for (const f of [
      "id",
      "name",
      "description",
      "started",
      "finished",
      "size",
      "status",
      "type",
      "cluster_id",
      "progress",
    ]) {
      expect(g.json.snapshot).toHaveProperty(f);
    }
    const all = await call(emu, { path: `/v1.0/${P1}/snapshots` });
    expect(all.json.count).toBe(4);
    expect(all.json.snapshots).toHaveLength(4);
    const page = await call(emu, {
      path: `/v1.0/${P1}/clusters/${C1}/snapshots`,
      query: [
        ["limit", "2"],
        ["offset", "1"],
        ["sort_key", "name"],
        ["sort_dir", "asc"],
      ],
    });
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ count: 4, project_id: P1, cluster_id: C1 });
    expect(page.json.snapshots.map((s: any) => s.name)).toEqual(["auto-snapshot-2", "auto-snapshot-3"]);
    const badSort = await call(emu, {
      path: `/v1.0/${P1}/clusters/${C1}/snapshots`,
      query: [["sort_dir", "up"]],
    });
    expect(badSort.status).toBe(400);
    expect(badSort.json.error_code).toBe("DWS.0001");
    const cluster = await call(emu, { path: `/v1.0/${P1}/clusters/${C1}` });
    expect(cluster.json.cluster).toMatchObject({ id: C1, task_status: "SNAPSHOTTING" });
    const busy = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots`,
      body: { snapshot: { name: "http-2", cluster_id: C1 } },
    });
    expect(busy.status).toBe(403);
    expect(busy.json).toEqual({
      externalMessage: "Cluster status is not allowed to operation.",
      errCode: "DWS.7023",
      error_code: "DWS.7023",
      error_msg: "Cluster status is not allowed to operation.",
    });
    clock.advance(3000);
    const d = await call(emu, { method: "DELETE", path: `/v1.0/${P1}/snapshots/${id}` });
    expect(d.status).toBe(202);
    expect(d.text).toBe("");
    clock.advance(1000);
    const gone = await call(emu, { path: `/v1.0/${P1}/snapshots/${id}` });
    expect(gone.status).toBe(400);
    expect(gone.json).toEqual({ error_code: "DWS.5149", error_msg: "The snapshot ID is invalid." });
  });

  it("linked copy answers {snapshot_id}; unknown clusters and malformed ids", async () => {
    const cp = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots/${AUTO}/linked-copy`,
      body: { backup_name: "http-copy", description: "" },
    });
    expect(cp.status).toBe(200);
    expect(Object.keys(cp.json)).toEqual(["snapshot_id"]);
    const notFound = await call(emu, { path: `/v1.0/${P1}/clusters/00000000-0000-4000-8000-000000000000` });
    expect(notFound.status).toBe(404);
    expect(notFound.json.error_code).toBe("DWS.0047");
    const malformed = await call(emu, { path: `/v1.0/${P1}/clusters/xyz/snapshots` });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error_code).toBe("DWS.0001");
    const delAuto = await call(emu, { method: "DELETE", path: `/v1.0/${P1}/snapshots/${AUTO}` });
    expect(delAuto.status).toBe(400);
    expect(delAuto.json.error_code).toBe("DWS.5151");
    const unknownProject = await call(emu, { path: `/v1.0/ffffffffffffffffffffffffffffffff/snapshots` });
    expect(unknownProject.status).toBe(400);
    expect(unknownProject.json.error_code).toBe("DWS.0001");
  });
});
