/**
 * Fidelity to the documented APIs: every paged list answers more than one page when the page size
 * is lowered (and pages are followed to the same set, no duplicates), the documented views (EVS
 * volumes, DWS clusters, CBR operation logs), ShowReplicationCapabilities, SDK operation names in
 * the counters, and what a replayed signed request does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, ManualClock, type RunningEmulator } from "../../emulator/index";
import { type CallResult, call, P1, P2, replicateDefaultVault, withEmulator } from "./helpers";

const PAGE = 3;
const N = 8;

/** Follows pages by offset until `count` items are seen (bounded); returns the ids in order. */
async function byOffset(
  get: (offset: number) => Promise<CallResult>,
  items: (r: CallResult) => Array<{ id: string }>,
): Promise<{ ids: string[]; pages: number; counts: Set<number> }> {
  const ids: string[] = [];
  const counts = new Set<number>();
  let pages = 0;
  for (let offset = 0; pages < 50; pages++) {
    const r = await get(offset);
    expect(r.status).toBe(200);
    counts.add(r.json.count);
    const got = items(r);
    expect(got.length).toBeLessThanOrEqual(PAGE);
    ids.push(...got.map((x) => x.id));
    offset += got.length;
    if (got.length === 0 || offset >= r.json.count) {
      pages++;
      break;
    }
  }
  return { ids, pages, counts };
}

/** Follows `<name>_links` next hrefs (markers) until there is none (bounded). */
async function byLinks(emu: RunningEmulator, first: string, name: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  let url: URL | undefined = new URL(first, `http://127.0.0.1:${emu.port}`);
  for (let i = 0; url && i < 50; i++) {
    const r = await call(emu, { path: url.pathname, query: [...url.searchParams] });
    expect(r.status).toBe(200);
    ids.push(...r.json[key].map((x: { id: string }) => x.id));
    const next = r.json[name]?.find((l: { rel: string }) => l.rel === "next");
    url = next ? new URL(next.href) : undefined;
  }
  return ids;
}

describe("paging as documented, with page sizes lowered to force many pages", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await withEmulator({
      clock,
      timings: { jitter: 0, cbrReplication: 1000 },
      pageSizes: {
        cbrBackups: PAGE,
        cbrOpLogs: PAGE,
        evsSnapshots: PAGE,
        evsVolumes: PAGE,
        dwsClusterSnapshots: PAGE,
      },
    });
    const volumes = emu.backend.seed({
      evsVolumes: Array.from({ length: N }, (_, i) => ({ name: `v${i}` })),
    });
    emu.backend.seed({
      evsSnapshots: volumes.evsVolumes.map((volumeId) => ({ volumeId })),
      dwsSnapshots: Array.from({ length: N }, (_, i) => ({
        clusterId: DEFAULT_IDS.dwsClusterId,
        name: `auto-page-${i}`,
      })),
      cbrBackups: Array.from({ length: N }, () => ({ vaultId: DEFAULT_IDS.cbrSourceVaultId })),
    });
    const r = await replicateDefaultVault(emu);
    expect(r.json.replication.backups).toHaveLength(N + 2);
  });
  afterAll(() => emu.close());

  const unique = (ids: string[]) => new Set(ids).size === ids.length;

  it("EVS ListSnapshots: default page capped, next links (marker) and offsets reach every snapshot once", async () => {
    const path = `/v2/${P1}/cloudsnapshots/detail`;
    const first = await call(emu, { path });
    expect(first.json.count).toBe(N);
    expect(first.json.snapshots).toHaveLength(PAGE);
    const viaLinks = await byLinks(emu, path, "snapshots_links", "snapshots");
    expect(viaLinks).toHaveLength(N);
    expect(unique(viaLinks)).toBe(true);
    const viaOffset = await byOffset(
      (offset) => call(emu, { path, query: [["offset", String(offset)]] }),
      (r) => r.json.snapshots,
    );
    expect(viaOffset.ids).toEqual(viaLinks);
    expect(viaOffset.pages).toBe(Math.ceil(N / PAGE));
    expect([...viaOffset.counts]).toEqual([N]);
    // A larger limit is still capped at the page size, and says more follow.
    const big = await call(emu, { path, query: [["limit", "1000"]] });
    expect(big.json.snapshots).toHaveLength(PAGE);
    expect(big.json.snapshots_links[0].rel).toBe("next");
    const bad = await call(emu, { path, query: [["marker", "no-such-id"]] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("EVS.5400");
  });

  it("EVS ListVolumes (cloudvolumes/detail): paged with links, not 'show volume detail'", async () => {
    const path = `/v2/${P1}/cloudvolumes/detail`;
    const first = await call(emu, { path });
    expect(first.status).toBe(200);
    expect(first.json.count).toBe(N + 2);
    const ids = await byLinks(emu, path, "volumes_links", "volumes");
    expect(ids).toHaveLength(N + 2);
    expect(unique(ids)).toBe(true);
    expect(ids).toContain(DEFAULT_IDS.evsVolumeInUseId);
    const one = await call(emu, { path, query: [["name", "v3"]] });
    expect(one.json.volumes.map((v: { name: string }) => v.name)).toEqual(["v3"]);
  });

  it("CBR ListBackups: default page capped at the page size, offset and marker reach every backup once", async () => {
    const path = `/v3/${P1}/backups`;
    const vault = ["vault_id", DEFAULT_IDS.cbrSourceVaultId] as [string, string];
    const r = await byOffset(
      (offset) => call(emu, { path, query: [vault, ["offset", String(offset)]] }),
      (x) => x.json.backups,
    );
    expect(r.ids).toHaveLength(N + 2);
    expect(unique(r.ids)).toBe(true);
    expect(r.pages).toBe(Math.ceil((N + 2) / PAGE));
    const capped = await call(emu, { path, query: [vault, ["limit", "1000"]] });
    expect(capped.json).toMatchObject({ limit: PAGE, offset: 0, count: N + 2 });
    expect(capped.json.backups).toHaveLength(PAGE);
    const afterMarker = await call(emu, { path, query: [vault, ["marker", r.ids[PAGE - 1]!]] });
    expect(afterMarker.json.backups.map((b: { id: string }) => b.id)).toEqual(r.ids.slice(PAGE, 2 * PAGE));
    expect((await call(emu, { path, query: [["limit", "1001"]] })).status).toBe(400);
  });

  it("DWS ListClusterSnapshots pages by limit/offset; ListSnapshots (documented without paging) answers all", async () => {
    const path = `/v1.0/${P1}/clusters/${DEFAULT_IDS.dwsClusterId}/snapshots`;
    const r = await byOffset(
      (offset) => call(emu, { path, query: [["offset", String(offset)]] }),
      (x) => x.json.snapshots,
    );
    expect(r.ids).toHaveLength(N + 3);
    expect(unique(r.ids)).toBe(true);
    expect(r.pages).toBe(Math.ceil((N + 3) / PAGE));
    const all = await call(emu, { path: `/v1.0/${P1}/snapshots` });
    expect(all.json.count).toBe(N + 3);
    expect(all.json.snapshots).toHaveLength(N + 3);
  });

  it("CBR ListOpLogs pages by limit/offset and echoes both", async () => {
    const path = `/v3/${P1}/operation-logs`;
    const r = await byOffset(
      (offset) =>
        call(emu, {
          path,
          query: [
            ["operation_type", "replication"],
            ["offset", String(offset)],
          ],
        }),
      (x) => x.json.operation_logs,
    );
    expect(r.ids).toHaveLength(N + 2);
    expect(unique(r.ids)).toBe(true);
    const second = await call(emu, {
      path,
      query: [
        ["limit", "2"],
        ["offset", "2"],
      ],
    });
    expect(second.json).toMatchObject({ limit: 2, offset: 2, count: N + 2 });
    expect(second.json.operation_logs.map((o: { id: string }) => o.id)).toEqual(r.ids.slice(2, 4));
  });

  it("page sizes are read and changed through the admin API", async () => {
    const admin = (method: string, body?: unknown) =>
      call(emu, { method, path: "/__emulator/paging", unsigned: true, ...(body ? { body } : {}) });
    expect((await admin("GET")).json).toMatchObject({ cbrBackups: PAGE, evsSnapshots: PAGE });
    expect((await admin("PUT", { evsSnapshots: 5 })).json.evsSnapshots).toBe(5);
    expect((await admin("PUT", { evsSnapshots: 0 })).status).toBe(400);
    expect((await admin("PUT", { nope: 1 })).status).toBe(400);
    emu.setPageSizes({ evsSnapshots: PAGE });
  });
});

describe("documented views", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await withEmulator({ clock, timings: { jitter: 0, cbrReplication: 1000 } });
  });
  afterAll(() => emu.close());

  it("EVS volume: the documented VolumeDetail fields; in-use volumes have an attachment", async () => {
    const r = await call(emu, { path: `/v2/${P1}/cloudvolumes/${DEFAULT_IDS.evsVolumeInUseId}` });
    expect(r.status).toBe(200);
    const v = r.json.volume;
    for (const key of [
      "id",
      "links",
      "name",
      "status",
      "attachments",
      "availability_zone",
      "os-vol-host-attr:host",
      "snapshot_id",
      "description",
      "created_at",
      "os-vol-tenant-attr:tenant_id",
      "volume_image_metadata",
      "volume_type",
      "size",
      "bootable",
      "metadata",
      "updated_at",
      "replication_status",
      "shareable",
      "user_id",
      "service_type",
      "multiattach",
      "tags",
    ]) {
      expect(v, key).toHaveProperty([key]);
    }
    expect(v.attachments).toHaveLength(1);
    expect(v.attachments[0]).toMatchObject({ volume_id: DEFAULT_IDS.evsVolumeInUseId, device: "/dev/vdb" });
    expect(v.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(v["os-vol-tenant-attr:tenant_id"]).toBe(P1);
    const free = await call(emu, { path: `/v2/${P1}/cloudvolumes/${DEFAULT_IDS.evsVolumeAvailableId}` });
    expect(free.json.volume.attachments).toEqual([]);
  });

  it("DWS cluster: documented status word (ACTIVE), documented fields, no datastore", async () => {
    const r = await call(emu, { path: `/v1.0/${P1}/clusters/${DEFAULT_IDS.dwsClusterId}` });
    const c = r.json.cluster;
    expect(c.status).toBe("ACTIVE");
    expect(c).not.toHaveProperty("datastore");
    for (const key of [
      "id",
      "name",
      "status",
      "version",
      "updated",
      "created",
      "port",
      "endpoints",
      "nodes",
      "tags",
      "user_name",
      "number_of_node",
      "recent_event",
      "availability_zone",
      "enterprise_project_id",
      "vpc_id",
      "subnet_id",
      "public_ip",
      "public_endpoints",
      "action_progress",
      "sub_status",
      "task_status",
      "node_type",
      "node_type_id",
      "security_group_id",
      "private_ip",
    ]) {
      expect(c, key).toHaveProperty([key]);
    }
    expect(c.nodes).toHaveLength(c.number_of_node);
    const list = await call(emu, { path: `/v1.0/${P1}/clusters` });
    expect(list.json.clusters.every((x: { status: string }) => x.status === "ACTIVE")).toBe(true);
  });

  it("CBR operation log: extra_info.resource and times with a zone; replication capabilities", async () => {
    const rep = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${DEFAULT_IDS.cbrSourceBackupIds[0]}/replicate`,
      body: {
        replicate: {
          destination_vault_id: DEFAULT_IDS.cbrDestinationVaultId,
          destination_region: "ap-southeast-1",
          destination_project_id: P2,
        },
      },
    });
    expect(rep.status).toBe(200);
    clock.advance(2000);
    const logs = await call(emu, {
      path: `/v3/${P1}/operation-logs`,
      query: [["operation_type", "replication"]],
    });
    const log = logs.json.operation_logs[0];
    const backup = emu.world().cbr.backups.find((b) => b.id === DEFAULT_IDS.cbrSourceBackupIds[0])!;
    expect(log.extra_info.resource).toEqual({
      id: backup.resource_id,
      name: backup.resource_name,
      type: "OS::Nova::Server",
    });
    for (const t of ["created_at", "started_at", "ended_at", "updated_at"]) {
      expect(log[t], t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    }
    const byResource = await call(emu, {
      path: `/v3/${P1}/operation-logs`,
      query: [["resource_id", backup.resource_id]],
    });
    expect(byResource.json.count).toBe(1);
    const caps = await call(emu, { path: `/v3/${P1}/replication-capabilities` });
    expect(caps.status).toBe(200);
    expect(caps.json.regions).toEqual(
      expect.arrayContaining([{ name: "cn-north-4", replication_destinations: ["ap-southeast-1"] }]),
    );
  });

  it("counters use the SDK operation names", async () => {
    emu.resetCounts();
    await call(emu, { path: `/v2/${P1}/cloudvolumes/detail` });
    await call(emu, { path: `/v2/${P1}/cloudvolumes/${DEFAULT_IDS.evsVolumeAvailableId}` });
    await call(emu, { path: `/v3/${P1}/replication-capabilities` });
    await call(emu, { path: `/v3/${P1}/vaults` });
    await call(emu, { path: `/v1.0/${P1}/clusters/${DEFAULT_IDS.dwsClusterId}` });
    expect(emu.counts()).toEqual({
      "cbr.ListVault": 1,
      "cbr.ShowReplicationCapabilities": 1,
      "dws.ShowClusterDetail": 1,
      "evs.ListVolumes": 1,
      "evs.ShowVolume": 1,
    });
  });
});

describe("replayed signed requests", () => {
  it("are processed again inside the 15-minute date window (no de-duplication), refused after it", async () => {
    const clock = new ManualClock();
    const emu = await withEmulator({ clock });
    try {
      const date = new Date(clock.now());
      const create = {
        method: "POST",
        path: `/v2/${P1}/cloudsnapshots`,
        date,
        body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: "replayed" } },
      };
      // The same bytes twice (same X-Sdk-Date, same signature): two snapshots.
      const a = await call(emu, create);
      const b = await call(emu, create);
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(a.json.snapshot.id).not.toBe(b.json.snapshot.id);
      expect(emu.world().evs.snapshots.filter((s) => s.name === "replayed")).toHaveLength(2);
      clock.advance(16 * 60_000);
      const late = await call(emu, create);
      expect(late.status).toBe(401);
      expect(late.json.error_code).toBe("APIGW.0303");
      expect(emu.world().evs.snapshots.filter((s) => s.name === "replayed")).toHaveLength(2);
    } finally {
      await emu.close();
    }
  });
});
