import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS } from "../../emulator/defaults";
import { ManualClock, type RunningEmulator } from "../../emulator/index";
import { call, P1, P2, replicateDefaultVault, withEmulator } from "./helpers";

describe("emulator happy paths over HTTP", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    emu = await withEmulator({ clock, timings: { jitter: 0 } });
  });
  afterAll(() => emu.close());

  it("IAM lists exactly one project per region", async () => {
    const r = await call(emu, { path: "/v3/projects", query: [["name", "cn-north-4"]] });
    expect(r.status).toBe(200);
    expect(r.json.projects).toHaveLength(1);
    expect(r.json.projects[0].id).toBe(P1);
    expect(r.headers["x-iam-trace-id"]).toBeTruthy();
    expect(r.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("DWS create -> CREATING -> AVAILABLE", async () => {
    const c = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots`,
      body: { snapshot: { name: "smoke-1", cluster_id: DEFAULT_IDS.dwsClusterId } },
    });
    expect(c.status).toBe(200);
    const id = c.json.snapshot.id;
    let g = await call(emu, { path: `/v1.0/${P1}/snapshots/${id}` });
    expect(g.json.snapshot.status).toBe("CREATING");
    clock.advance(1250);
    g = await call(emu, { path: `/v1.0/${P1}/snapshots/${id}` });
    expect(g.json.snapshot.progress).toBe("50%");
    clock.advance(1250);
    g = await call(emu, { path: `/v1.0/${P1}/snapshots/${id}` });
    expect(g.json.snapshot.status).toBe("AVAILABLE");
  });

  it("EVS create -> available", async () => {
    const c = await call(emu, {
      method: "POST",
      path: `/v2/${P1}/cloudsnapshots`,
      body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: "s1" } },
    });
    expect(c.status).toBe(202);
    expect(c.json.snapshot.status).toBe("creating");
    clock.advance(1500);
    const g = await call(emu, { path: `/v2/${P1}/cloudsnapshots/${c.json.snapshot.id}` });
    expect(g.json.snapshot.status).toBe("available");
  });

  it("CBR replicate vault -> success", async () => {
    const c = await replicateDefaultVault(emu);
    expect(c.status).toBe(200);
    expect(c.json.replication.backups).toHaveLength(2);
    clock.advance(3000);
    const b = await call(emu, { path: `/v3/${P1}/backups/${DEFAULT_IDS.cbrSourceBackupIds[0]}` });
    expect(b.json.backup.replication_records[0].status).toBe("success");
    const d = await call(emu, {
      path: `/v3/${P2}/backups`,
      query: [
        ["vault_id", DEFAULT_IDS.cbrDestinationVaultId],
        ["image_type", "replication"],
      ],
    });
    expect(d.json.backups).toHaveLength(2);
    expect(d.json.backups[0].status).toBe("available");
  });
});
