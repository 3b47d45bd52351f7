/**
 * The example requests of the seed API documents (shared/seeds/), sent as documented, answered with
 * the documented fields. Project ids are the emulator's (each region has its own); the CBR example's
 * destination "region2" and its project become the emulator's second region.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, type RunningEmulator } from "../../emulator/index";
import { call, P1, P2, withEmulator } from "./helpers";

describe("seed document examples", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  it("DWS CreateSnapshot (002): snapshot-3 on cluster 44b277eb… -> 200 {snapshot:{id}}", async () => {
    const r = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots`,
      rawBody:
        '{ "snapshot" : { "name" : "snapshot-3", "cluster_id" : "44b277eb-39be-4921-be31-3d61b43651d7", "description" : "Snapshot-3 description" } }',
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ snapshot: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
  });

  it("DWS CopySnapshot (000/004): linked-copy of automated snapshot 4ca46bf1…ba90 -> 200 {snapshot_id}", async () => {
    const r = await call(emu, {
      method: "POST",
      path: `/v1.0/${P1}/snapshots/4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90/linked-copy`,
      rawBody: '{ "backup_name": "test1", "description": "" }',
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ snapshot_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("EVS CreateSnapshot (001): snap-001 of volume 5aa119a8… -> 202 with the documented fields", async () => {
    const r = await call(emu, {
      method: "POST",
      path: `/v2/${P1}/cloudsnapshots`,
      rawBody:
        '{ "snapshot" : { "name" : "snap-001", "description" : "Daily backup", "volume_id" : "5aa119a8-d25b-45a7-8d1b-88e127885635", "force" : false, "metadata" : { "key_string" : "value_string" } } }',
    });
    expect(r.status).toBe(202);
    const s = r.json.snapshot;
    expect(s).toMatchObject({
      status: "creating",
      description: "Daily backup",
      volume_id: "5aa119a8-d25b-45a7-8d1b-88e127885635",
      name: "snap-001",
      metadata: { key_string: "value_string" },
    });
    expect(typeof s.size).toBe("number");
    expect(s.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(s.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("CBR CopyCheckpoint (003): replicate vault 3b5816b5… to vault 0ca3eb86… -> 200 with the documented fields", async () => {
    const r = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/checkpoints/replicate`,
      rawBody: JSON.stringify({
        replicate: {
          auto_trigger: false,
          destination_project_id: P2,
          destination_region: "ap-southeast-1",
          destination_vault_id: "0ca3eb86-8800-46da-9c37-9d657a825274",
          enable_acceleration: false,
          vault_id: "3b5816b5-f29c-4172-9d9a-76c719a659ce",
        },
      }),
    });
    expect(r.status).toBe(200);
    const rep = r.json.replication;
    for (const f of [
      "backups",
      "destination_project_id",
      "destination_region",
      "destination_vault_id",
      "project_id",
      "provider_id",
      "source_region",
      "vault_id",
    ]) {
      expect(rep).toHaveProperty(f);
    }
    expect(rep.provider_id).toBe("0daac4c5-6707-4851-97ba-169e36266b66");
    expect(rep.backups).toHaveLength(DEFAULT_IDS.cbrSourceBackupIds.length);
    for (const b of rep.backups)
      expect(Object.keys(b).sort()).toEqual(["backup_id", "replication_record_id"]);
  });
});
