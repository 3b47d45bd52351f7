import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, ManualClock, type RunningEmulator } from "../../emulator/index";
import { call, P1, withEmulator } from "./helpers";

const VOL = DEFAULT_IDS.evsVolumeAvailableId;
const SNAP_FIELDS = [
  "id",
  "status",
  "name",
  "description",
  "created_at",
  "updated_at",
  "metadata",
  "volume_id",
  "size",
  "os-extended-snapshot-attributes:project_id",
  "os-extended-snapshot-attributes:progress",
];

describe("EVS cloudsnapshots", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await withEmulator({
      clock,
      timings: { jitter: 0, evsSnapshotCreate: 1000, evsSnapshotDelete: 500 },
    });
  });
  afterAll(() => emu.close());

  const create = (body: unknown) => call(emu, { method: "POST", path: `/v2/${P1}/cloudsnapshots`, body });

  it("create (202 full object) -> progress -> available; update; delete -> deleting -> 404 EVS.5404", async () => {
    const c = await create({
      snapshot: { volume_id: VOL, name: "e1", description: "d", metadata: { k: "v" } },
    });
    expect(c.status).toBe(202);
    for (const f of SNAP_FIELDS) expect(c.json.snapshot).toHaveProperty(f);
    expect(c.json.snapshot).toMatchObject({ status: "creating", size: 40, metadata: { k: "v" } });
    expect(c.json.snapshot.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const id = c.json.snapshot.id;
    const path = `/v2/${P1}/cloudsnapshots/${id}`;
    const early = await call(emu, { method: "DELETE", path });
    expect(early.status).toBe(400);
    expect(early.json).toEqual({
      error: {
        code: "EVS.1047",
        message: "snapshot status must be available or error when delete snapshot!",
      },
    });
    clock.advance(250);
    expect((await call(emu, { path })).json.snapshot["os-extended-snapshot-attributes:progress"]).toBe("25%");
    clock.advance(750);
    expect((await call(emu, { path })).json.snapshot.status).toBe("available");
    const u = await call(emu, {
      method: "PUT",
      path,
      body: { snapshot: { name: "e1-renamed", description: "" } },
    });
    expect(u.status).toBe(200);
    expect(u.json.snapshot).toMatchObject({ name: "e1-renamed", description: "", metadata: { k: "v" } });
    const meta = await call(emu, { method: "PUT", path, body: { snapshot: { metadata: { a: "b" } } } });
    expect(meta.status).toBe(400);
    expect(meta.json.error.code).toBe("EVS.2047");
    const d = await call(emu, { method: "DELETE", path });
    expect(d.status).toBe(202);
    expect((await call(emu, { path })).json.snapshot.status).toBe("deleting");
    clock.advance(500);
    const gone = await call(emu, { path });
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe("EVS.5404");
  });

  it("volume state rules: in-use ok, attaching needs force, error rejected, unknown volume 404", async () => {
    const seeded = await call(emu, {
      method: "POST",
      path: "/__emulator/seed",
      unsigned: true,
      body: { evsVolumes: [{ status: "attaching" }, { status: "error" }] },
    });
    const [attaching, broken] = seeded.json.evsVolumes;
    expect((await create({ snapshot: { volume_id: DEFAULT_IDS.evsVolumeInUseId } })).status).toBe(202);
    const noForce = await create({ snapshot: { volume_id: attaching } });
    expect(noForce.status).toBe(400);
    expect(noForce.json.error.code).toBe("EVS.5400");
    expect((await create({ snapshot: { volume_id: attaching, force: true } })).status).toBe(202);
    const err = await create({ snapshot: { volume_id: broken, force: true } });
    expect(err.status).toBe(400);
    expect(err.json.error.code).toBe("EVS.5400");
    const unknown = await create({ snapshot: { volume_id: "00000000-0000-4000-8000-000000000000" } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("EVS.5404");
  });

  it("error_deleting snapshots answer 500 EVS.2019; injected failures end in error and are deletable", async () => {
    const seeded = await call(emu, {
      method: "POST",
      path: "/__emulator/seed",
      unsigned: true,
      body: { evsSnapshots: [{ volumeId: VOL, status: "error_deleting" }] },
    });
    const r = await call(emu, {
      method: "DELETE",
      path: `/v2/${P1}/cloudsnapshots/${seeded.json.evsSnapshots[0]}`,
    });
    expect(r.status).toBe(500);
    expect(r.json.error.code).toBe("EVS.2019");
    emu.setFaults({ fail: { evsSnapshot: 1 } });
    const c = await create({ snapshot: { volume_id: VOL, name: "doomed" } });
    emu.setFaults({ fail: { evsSnapshot: 0 } });
    clock.advance(1000);
    const path = `/v2/${P1}/cloudsnapshots/${c.json.snapshot.id}`;
    expect((await call(emu, { path })).json.snapshot.status).toBe("error");
    expect((await call(emu, { method: "DELETE", path })).status).toBe(202);
  });

  it("optional per-volume quota answers 413 EVS.5413", async () => {
    const seeded = await call(emu, {
      method: "POST",
      path: "/__emulator/seed",
      unsigned: true,
      body: { evsVolumes: [{}], evsSnapshotQuotaPerVolume: 1 },
    });
    const vol = seeded.json.evsVolumes[0];
    expect((await create({ snapshot: { volume_id: vol } })).status).toBe(202);
    const over = await create({ snapshot: { volume_id: vol } });
    expect(over.status).toBe(413);
    expect(over.json.error.code).toBe("EVS.5413");
    await call(emu, {
      method: "POST",
      path: "/__emulator/seed",
      unsigned: true,
      body: { evsSnapshotQuotaPerVolume: null },
    });
    expect((await create({ snapshot: { volume_id: vol } })).status).toBe(202);
  });

  it("list/detail: filters, repeated id, count unaffected by paging, a next link only while more follow", async () => {
    await call(emu, { method: "POST", path: "/__emulator/reset", unsigned: true, body: {} });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await create({
        snapshot: { volume_id: i < 3 ? VOL : DEFAULT_IDS.evsVolumeInUseId, name: `l${i}` },
      });
      ids.push(c.json.snapshot.id);
      clock.advance(10);
    }
    const path = `/v2/${P1}/cloudsnapshots/detail`;
    const all = await call(emu, { path });
    expect(all.json.count).toBe(5);
    expect(all.json.snapshots_links).toBeUndefined();
    expect(all.json.snapshots[0]).toMatchObject({ service_type: "EVS" });
    const page = await call(emu, {
      path,
      query: [
        ["limit", "2"],
        ["offset", "1"],
      ],
    });
    expect(page.json.count).toBe(5);
    expect(page.json.snapshots).toHaveLength(2);
    expect(page.json.snapshots_links[0].rel).toBe("next");
    // The next link continues after the page's last snapshot (a marker, as cinder writes it).
    expect(page.json.snapshots_links[0].href).toContain(`marker=${page.json.snapshots[1].id}`);
    expect(page.json.snapshots_links[0].href).not.toContain("offset=");
    const last = await call(emu, {
      path,
      query: [
        ["limit", "2"],
        ["offset", "4"],
      ],
    });
    expect(last.json.snapshots_links).toBeUndefined();
    const byVol = await call(emu, { path, query: [["volume_id", VOL]] });
    expect(byVol.json.count).toBe(3);
    const byName = await call(emu, { path, query: [["name", "l4"]] });
    expect(byName.json.snapshots.map((s: any) => s.id)).toEqual([ids[4]]);
    const byIds = await call(emu, {
      path,
      query: [
        ["id", ids[0]!],
        ["id", ids[1]!],
      ],
    });
    expect(byIds.json.count).toBe(2);
    const byStatus = await call(emu, { path, query: [["status", "available"]] });
    expect(byStatus.json.count).toBe(0);
    const byAz = await call(emu, { path, query: [["availability_zone", "cn-north-4a"]] });
    expect(byAz.json.count).toBe(5);
    const tooMany = await call(emu, { path, query: [["limit", "1001"]] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.code).toBe("EVS.2142");
    const zero = await call(emu, { path, query: [["limit", "0"]] });
    expect(zero.json.error.code).toBe("EVS.2142");
    const unknownProject = await call(emu, {
      path: "/v2/ffffffffffffffffffffffffffffffff/cloudsnapshots/detail",
    });
    expect(unknownProject.status).toBe(400);
    expect(unknownProject.json.error.code).toBe("EVS.0001");
  });
});
