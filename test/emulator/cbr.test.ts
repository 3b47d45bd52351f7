import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_IDS, ManualClock, type RunningEmulator } from "../../emulator/index";
import { call, P1, P2, withEmulator } from "./helpers";

const SRC = DEFAULT_IDS.cbrSourceVaultId;
const DST = DEFAULT_IDS.cbrDestinationVaultId;
const [B1, B2] = DEFAULT_IDS.cbrSourceBackupIds;
const DEST = { destination_vault_id: DST, destination_region: "ap-southeast-1", destination_project_id: P2 };

describe("CBR replication, backups, vaults and operation logs", () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await withEmulator({ clock, timings: { jitter: 0, cbrReplication: 1000, cbrBackupDelete: 300 } });
  });
  beforeEach(async () => {
    await call(emu, { method: "POST", path: "/__emulator/reset", unsigned: true, body: {} });
    emu.setFaults({ fail: { cbrReplication: 0 } });
  });
  afterAll(() => emu.close());

  const replicateVault = (body: Record<string, unknown>) =>
    call(emu, { method: "POST", path: `/v3/${P1}/checkpoints/replicate`, body: { replicate: body } });
  const showBackup = (id: string, project = P1) => call(emu, { path: `/v3/${project}/backups/${id}` });

  it("vault replication: waiting_replicate -> replicating (replica protecting) -> success (replica available)", async () => {
    const r = await replicateVault({
      vault_id: SRC,
      ...DEST,
      auto_trigger: false,
      enable_acceleration: false,
    });
    expect(r.status).toBe(200);
    expect(r.json.replication).toMatchObject({
      destination_project_id: P2,
      destination_region: "ap-southeast-1",
      destination_vault_id: DST,
      project_id: P1,
      provider_id: "0daac4c5-6707-4851-97ba-169e36266b66",
      source_region: "cn-north-4",
      vault_id: SRC,
    });
    expect(r.json.replication.backups.map((b: any) => b.backup_id).sort()).toEqual([B1, B2].sort());
    const recordId = r.json.replication.backups.find((b: any) => b.backup_id === B1).replication_record_id;

    let rec = (await showBackup(B1!)).json.backup.replication_records[0];
    expect(rec).toMatchObject({ id: recordId, status: "waiting_replicate", destination_backup_id: "" });
    const logs = await call(emu, {
      path: `/v3/${P1}/operation-logs`,
      query: [["operation_type", "replication"]],
    });
    expect(logs.json.count).toBe(2);
    expect(logs.json.operation_logs[0].status).toBe("waiting");

    clock.advance(500);
    rec = (await showBackup(B1!)).json.backup.replication_records[0];
    expect(rec.status).toBe("replicating");
    expect(rec.extra_info.progress).toBe(50);
    expect(rec.destination_backup_id).toMatch(/-/);
    const replica = await showBackup(rec.destination_backup_id, P2);
    expect(replica.json.backup).toMatchObject({
      image_type: "replication",
      status: "protecting",
      vault_id: DST,
    });
    const running = await call(emu, { path: `/v3/${P1}/operation-logs`, query: [["status", "running"]] });
    expect(running.json.count).toBe(2);
    expect(running.json.operation_logs[0].extra_info.replication).toMatchObject({
      source_backup_id: expect.any(String),
      destination_region: "ap-southeast-1",
    });

    clock.advance(500);
    rec = (await showBackup(B1!)).json.backup.replication_records[0];
    expect(rec).toMatchObject({ status: "success", extra_info: { progress: 100 } });
    const dest = await call(emu, {
      path: `/v3/${P2}/backups`,
      query: [
        ["vault_id", DST],
        ["image_type", "replication"],
      ],
    });
    expect(dest.json.count).toBe(2);
    expect(dest.json.backups.every((b: any) => b.status === "available")).toBe(true);
    const log = await call(emu, { path: `/v3/${P1}/operation-logs/${logs.json.operation_logs[0].id}` });
    expect(log.json.operation_log).toMatchObject({ status: "success", operation_type: "replication" });

    // A vault goes to a destination region only once, even after its replicas are deleted.
    const again = await replicateVault({ vault_id: SRC, ...DEST });
    expect(again.status).toBe(400);
    expect(again.json.error_code).toBe("BackupService.6130");
  });

  it("injected replication failure: record fail with fail_code/fail_reason, replica removed, op log failed", async () => {
    emu.setFaults({ fail: { cbrReplication: 1 } });
    const r = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${B1}/replicate`,
      body: { replicate: DEST },
    });
    expect(r.status).toBe(200);
    expect(r.json.replication).toMatchObject({ backup_id: B1, destination_region: "ap-southeast-1" });
    clock.advance(1000);
    const rec = (await showBackup(B1!)).json.backup.replication_records[0];
    expect(rec.status).toBe("fail");
    expect(rec.extra_info.fail_code).toBeTruthy();
    expect(rec.extra_info.fail_reason).toBeTruthy();
    expect((await showBackup(rec.destination_backup_id, P2)).status).toBe(404);
    const failed = await call(emu, { path: `/v3/${P1}/operation-logs`, query: [["status", "failed"]] });
    expect(failed.json.count).toBe(1);
    // Failed: the backup can be replicated again.
    emu.setFaults({ fail: { cbrReplication: 0 } });
    const retry = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${B1}/replicate`,
      body: { replicate: DEST },
    });
    expect(retry.status).toBe(200);
  });

  it("one replica per backup and destination region, replicable again after that replica is deleted", async () => {
    const first = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${B1}/replicate`,
      body: { replicate: DEST },
    });
    expect(first.status).toBe(200);
    const dup = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${B1}/replicate`,
      body: { replicate: DEST },
    });
    expect(dup.status).toBe(400);
    expect(dup.json.error_code).toBe("BackupService.6131");
    clock.advance(1000);
    const replicaId = (await showBackup(B1!)).json.backup.replication_records[0].destination_backup_id;
    const del = await call(emu, { method: "DELETE", path: `/v3/${P2}/backups/${replicaId}` });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect((await showBackup(replicaId, P2)).json.backup.status).toBe("deleting");
    clock.advance(300);
    const gone = await showBackup(replicaId, P2);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ error_code: "BackupService.6200", error_msg: "The backup does not exist." });
    const again = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${B1}/replicate`,
      body: { replicate: DEST },
    });
    expect(again.status).toBe(200);
    // The vault-level call skips backups that already have a replica on the way.
    const vault = await replicateVault({ vault_id: SRC, ...DEST });
    expect(vault.json.replication.backups.map((b: any) => b.backup_id)).toEqual([B2]);
  });

  it("only available backups are queued; source and destination rules with their codes", async () => {
    const seeded = await call(emu, {
      method: "POST",
      path: "/__emulator/seed",
      unsigned: true,
      body: {
        cbrVaults: [
          { objectType: "disk", protectType: "backup" },
          { region: "ap-southeast-1", protectType: "backup" },
          { region: "cn-north-4", protectType: "backup" },
        ],
        cbrBackups: [{ vaultId: SRC, status: "error" }],
      },
    });
    const [diskVault, plainDest] = seeded.json.cbrVaults;
    const errored = seeded.json.cbrBackups[0];
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ vault_id: diskVault, ...DEST }, 400, "BackupService.6128"],
      [{ vault_id: SRC, ...DEST, destination_vault_id: plainDest }, 400, "BackupService.6119"],
      [
        { vault_id: SRC, ...DEST, destination_vault_id: "00000000-0000-4000-8000-000000000000" },
        400,
        "BackupService.6120",
      ],
      [{ vault_id: SRC, ...DEST, destination_project_id: P1 }, 400, "BackupService.1011"],
      [{ vault_id: SRC, ...DEST, destination_region: "xx-nowhere-1" }, 500, "BackupService.1005"],
      [{ vault_id: "00000000-0000-4000-8000-000000000000", ...DEST }, 404, "BackupService.6105"],
    ];
    for (const [body, status, code] of cases) {
      const r = await replicateVault(body);
      expect([r.status, r.json.error_code]).toEqual([status, code]);
    }
    const r = await replicateVault({ vault_id: SRC, ...DEST });
    expect(r.json.replication.backups.map((b: any) => b.backup_id)).not.toContain(errored);
    const single = await call(emu, {
      method: "POST",
      path: `/v3/${P1}/backups/${errored}/replicate`,
      body: { replicate: DEST },
    });
    expect([single.status, single.json.error_code]).toEqual([400, "BackupService.6113"]);
  });

  it("ShowVault, ListBackups filters and paging, errors", async () => {
    const v = await call(emu, { path: `/v3/${P1}/vaults/${SRC}` });
    expect(v.json.vault.billing).toMatchObject({ object_type: "server", protect_type: "backup" });
    const dv = await call(emu, { path: `/v3/${P2}/vaults/${DST}` });
    expect(dv.json.vault.billing).toMatchObject({
      protect_type: "replication",
      spec_code: "vault.replication.server.normal",
    });
    const missing = await call(emu, { path: `/v3/${P2}/vaults/${SRC}` });
    expect([missing.status, missing.json.error_code]).toEqual([404, "BackupService.6105"]);
    const list = await call(emu, {
      path: `/v3/${P1}/backups`,
      query: [
        ["vault_id", SRC],
        ["status", "available"],
        ["image_type", "backup"],
        ["limit", "1"],
        ["offset", "0"],
        ["show_replication", "true"],
      ],
    });
    expect(list.json.count).toBe(2);
    expect(list.json.backups).toHaveLength(1);
    expect(list.json.backups[0]).toHaveProperty("replication_records");
    const noRep = await call(emu, { path: `/v3/${P1}/backups`, query: [["vault_id", SRC]] });
    expect(noRep.json.backups[0]).not.toHaveProperty("replication_records");
    const bad = await call(emu, { path: `/v3/${P1}/backups`, query: [["limit", "5000"]] });
    expect([bad.status, bad.json.error_code]).toEqual([400, "BackupService.9900"]);
    const badType = await call(emu, { path: `/v3/${P1}/backups`, query: [["image_type", "x"]] });
    expect(badType.status).toBe(400);
    const noLog = await call(emu, { path: `/v3/${P1}/operation-logs/00000000-0000-4000-8000-000000000000` });
    expect([noLog.status, noLog.json.error_code]).toEqual([404, "BackupService.6500"]);
    const noBackup = await call(emu, { method: "DELETE", path: `/v3/${P1}/backups/nope` });
    expect([noBackup.status, noBackup.json.error_code]).toEqual([404, "BackupService.6200"]);
  });
});
