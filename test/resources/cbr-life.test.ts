/**
 * CbrReplication over its whole life (issue 10, items 8-12): up/destroy/up, terminal failures,
 * source backups that expire, vaults of thousands of backups, and the source region rule.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import { cbrApi } from "../../provider/services/cbr";
import { backupsIn, inputsOf, seedVaults } from "./cbr-helpers";
import { cbr, checked, createError, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();
const secondary = REGIONS.secondary.name;

afterEach(() => {
  env.emu.setFaults({ fail: { cbrReplication: 0 }, serverErrorRate: 0 });
  env.emu.setPageSizes({ cbrBackups: 1000, cbrOpLogs: 1000 });
});

function outsideClient() {
  return createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));
}

/** Destroys the replication and checks that none of its replicas is left. */
async function destroy(id: string, props: Record<string, unknown>, destinationVaultId: string) {
  await cbr().delete(id, props);
  expect(backupsIn(env, destinationVaultId)).toHaveLength(0);
}

/** Polls the world until the backup is gone (deletes take a moment); bounded. */
async function untilGone(vaultId: string, backupId: string) {
  for (let i = 0; i < 100; i++) {
    if (!backupsIn(env, vaultId).some((b) => b.id === backupId)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`backup ${backupId} still there`);
}

describe("item 8: up, destroy, up", () => {
  it("a vault replicated before is replicated again backup by backup, each replica named as ours", async () => {
    const v = seedVaults(env, 3);
    const inputs = await checked(cbr(), inputsOf(v));
    const first = await cbr().create(inputs);
    expect(first.outs.status).toBe("success");
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(3);
    await destroy(first.id, first.outs, v.destinationVaultId);

    env.emu.resetCounts();
    const again = await cbr().create(inputs);
    expect(again.outs.status).toBe("success");
    expect(again.outs).toMatchObject({ backups: 3, replicas: 3, lost: 0 });
    // Never the vault-level call: it goes to a region once per vault, ever, and names nothing ours.
    expect(env.emu.counts()["cbr.CopyCheckpoint"] ?? 0).toBe(0);
    expect(env.emu.counts()["cbr.CopyBackup"]).toBe(3);
    const replicas = backupsIn(env, v.destinationVaultId);
    expect(replicas).toHaveLength(3);
    for (const r of replicas) expect(r.name).toBe(again.outs.replicaName);

    // The state of the first life no longer claims anything: only the second's replicas are tracked.
    const read = await cbr().read(again.id, again.outs);
    expect(read.props).toMatchObject({ status: "success", backups: 3, replicas: 3 });
    await destroy(again.id, read.props, v.destinationVaultId);
  });

  it("adoptExisting does not adopt records whose replicas are gone, nor replicas in another vault", async () => {
    const v = seedVaults(env, 2);
    const inputs = await checked(cbr(), inputsOf(v));
    const first = await cbr().create(inputs);
    await cbr().delete(first.id, first.outs);

    const adopting = await cbr().create({ ...inputs, adoptExisting: true });
    expect(adopting.outs).toMatchObject({ status: "success", backups: 2, replicas: 2 });
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(2);

    // Another replication vault in the same region: the live replicas are in the first one.
    const [otherVault] = env.emu.backend.seed({
      cbrVaults: [{ region: secondary, protectType: "replication" }],
    }).cbrVaults;
    const err = await createError(cbr(), { ...inputs, destinationVaultId: otherVault, adoptExisting: true });
    expect(err.id).toBeUndefined(); // nothing made, nothing adopted
    expect(err.message).toMatch(/BackupService\.6131/);
    expect(backupsIn(env, otherVault!)).toHaveLength(0);
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(2);
    await cbr().delete(adopting.id, adopting.outs);
  });

  it("adoptExisting takes over the live replicas and replicates again a backup whose replica was deleted", async () => {
    const v = seedVaults(env, 3);
    const inputs = await checked(cbr(), inputsOf(v, { adoptExisting: true }));
    // Replicated outside Pulumi; one replica deleted since.
    const outside = outsideClient();
    await cbrApi(outside, REGIONS.primary.name).replicateVault({
      vault_id: v.sourceVaultId,
      destination_vault_id: v.destinationVaultId,
      destination_region: secondary,
      destination_project_id: REGIONS.secondary.projectId,
    });
    const done = () => {
      const replicas = backupsIn(env, v.destinationVaultId);
      return replicas.length === 3 && replicas.every((b) => b.status === "available");
    };
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(done()).toBe(true);
    const [gone, ...kept] = backupsIn(env, v.destinationVaultId).map((b) => b.id);
    await cbrApi(outside, secondary).deleteBackup(gone!);
    await untilGone(v.destinationVaultId, gone!);

    env.emu.resetCounts();
    const { id, outs } = await cbr().create(inputs);
    expect(outs).toMatchObject({ status: "success", backups: 3, replicas: 3 });
    expect(env.emu.counts()["cbr.CopyCheckpoint"] ?? 0).toBe(0);
    expect(env.emu.counts()["cbr.CopyBackup"]).toBe(1);
    const ids = backupsIn(env, v.destinationVaultId).map((b) => b.id);
    for (const k of kept) expect(ids).toContain(k);
    await destroy(id, outs, v.destinationVaultId);
  });

  it("a terminally failed replication says so truthfully, refresh keeps a way forward, and a replace succeeds", async () => {
    const v = seedVaults(env, 3);
    const inputs = await checked(cbr(), inputsOf(v));
    env.emu.setFaults({ fail: { cbrReplication: 1 } });
    const err = await createError(cbr(), inputs);
    env.emu.setFaults({ fail: { cbrReplication: 0 } });
    expect(err.id).toBe(`${v.sourceVaultId}:${secondary}`);
    expect(err.message).not.toMatch(/capacity/);
    expect(err.message).toMatch(/replication failed \(BackupService\.1006/);
    expect(err.properties).toMatchObject({ status: "fail" });

    const refreshed = await cbr().read(err.id!, err.properties!);
    expect(refreshed.props).toMatchObject({ status: "fail" });
    const d = await cbr().diff(err.id!, refreshed.props, inputs);
    expect(d).toMatchObject({ changes: true, replaces: ["status"] });

    // The replace as the engine runs it here (same vault and region: delete first).
    await cbr().delete(err.id!, refreshed.props);
    const replaced = await cbr().create(inputs);
    expect(replaced.outs.status).toBe("success");
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(3);
    expect(replaced.outs).toMatchObject({ replicas: 3, failed: 0 });
    await destroy(replaced.id, replaced.outs, v.destinationVaultId);
  });
});

describe("item 9: source backups expire, the source vault is deleted", () => {
  it("replicas of expired source backups stay tracked, need no update, and destroy deletes them", async () => {
    const v = seedVaults(env, 3);
    const inputs = await checked(cbr(), inputsOf(v));
    const { id, outs } = await cbr().create(inputs);
    // Retention deletes a source backup.
    await cbrApi(outsideClient(), REGIONS.primary.name).deleteBackup(v.backups[0]!);
    await untilGone(v.sourceVaultId, v.backups[0]!);

    const read = await cbr().read(id, outs);
    expect(read.id).toBe(id);
    expect(read.props.status).toBe("success");
    expect(await cbr().diff(id, read.props, inputs)).toMatchObject({ changes: false });
    expect(read.props).toMatchObject({ backups: 3, replicas: 3, sourceGone: 1, lost: 0 });
    expect(read.props.statusDetail).toMatch(/1 source backups expired or deleted/);

    // Then the source vault itself is deleted.
    env.emu.backend.cbr.deleteVault(REGIONS.primary.projectId, v.sourceVaultId);
    const after = await cbr().read(id, read.props);
    expect(after.id).toBe(id);
    expect(after.props.status).toBe("success");
    expect(await cbr().diff(id, after.props, inputs)).toMatchObject({ changes: false });
    expect(after.props).toMatchObject({ replicas: 3, sourceGone: 3 });

    await destroy(id, after.props, v.destinationVaultId);
  });
});

describe("items 10 and 11: vaults of thousands of backups", () => {
  it("1,050 backups (pages of 1,000): every replication is followed to success", async () => {
    const v = seedVaults(env, 1050);
    const inputs = await checked(cbr(), inputsOf(v, { timeouts: { create: "60s" } }));
    const { id, outs } = await cbr().create(inputs);
    expect(outs.status).toBe("success");
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(1050);
    expect(outs).toMatchObject({ backups: 1050, replicas: 1050, replicating: 0 });
    await destroy(id, outs, v.destinationVaultId);
  }, 120_000);

  it("2,000 backups with failures: the error and its properties stay small, and destroy deletes every replica", async () => {
    const v = seedVaults(env, 2000);
    const inputs = await checked(cbr(), inputsOf(v, { timeouts: { create: "60s" } }));
    env.emu.setFaults({ fail: { cbrReplication: 0.5 } });
    const err = await createError(cbr(), inputs);
    env.emu.setFaults({ fail: { cbrReplication: 0 } });
    expect(err.properties!.status).toBe("fail");
    // What the host sends back (ErrorResourceInitFailed in a gRPC trailer) must stay small.
    expect(JSON.stringify(err.properties).length).toBeLessThan(4096);
    expect(err.message.length).toBeLessThan(2048);
    expect(err.properties).toMatchObject({ backups: 2000 });
    const failed = err.properties!.failed as number;
    expect(failed).toBeGreaterThan(100);
    expect(err.properties!.replicas).toBe(2000 - failed);
    expect(err.properties!.problems).toHaveLength(5);

    await destroy(err.id!, err.properties!, v.destinationVaultId);
  }, 180_000);
});

describe("item 12: the source region, and a create refused with 500", () => {
  it("check rejects a destination equal to the provider's default region, without any API call", async () => {
    const v = seedVaults(env, 1);
    env.emu.resetCounts();
    const { failures } = await cbr().check(
      {},
      {
        sourceVaultId: v.sourceVaultId,
        destinationVaultId: v.destinationVaultId,
        destinationRegion: REGIONS.primary.name,
      },
    );
    expect(failures).toEqual([
      { property: "destinationRegion", reason: expect.stringMatching(/must differ from the source region/) },
    ]);
    expect(Object.values(env.emu.counts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("a replicate refused with 500 is sent once, and the error says what happened", async () => {
    const v = seedVaults(env, 1);
    env.emu.resetCounts();
    // A region the cloud cannot replicate to answers 500 BackupService.1005.
    const err = await createError(cbr(), {
      sourceVaultId: v.sourceVaultId,
      destinationVaultId: v.destinationVaultId,
      destinationRegion: "la-south-2",
      destinationProjectId: "0".repeat(32),
    });
    expect(env.emu.counts()["cbr.CopyBackup"]).toBe(1);
    expect(err.message).toMatch(/BackupService\.1005/);
    expect(err.message).toMatch(/not repeated/); // true: it was sent once
    expect(err.message).not.toMatch(/retr(y|ies)/);
    expect(err.id).toBeUndefined();
  });
});

describe("item 15 (CBR part): a replica delete accepted but not carried out", () => {
  it("is sent again, the same bounded way as a snapshot's, and destroy leaves nothing", async () => {
    const v = seedVaults(env, 2);
    const { id, outs } = await cbr().create(
      await checked(cbr(), inputsOf(v, { timeouts: { delete: "20s" } })),
    );
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(2);
    // Each replica's first DELETE is accepted (202) and never carried out.
    const model = env.emu.backend.cbr;
    const real = model.deleteBackup.bind(model);
    const lost = new Set<string>();
    model.deleteBackup = (projectId: string, backupId: string) => {
      if (lost.has(backupId)) return real(projectId, backupId);
      lost.add(backupId);
    };
    try {
      env.emu.resetCounts();
      await destroy(id, outs, v.destinationVaultId);
    } finally {
      model.deleteBackup = real;
    }
    expect(lost.size).toBe(2);
    expect(env.emu.counts()["cbr.DeleteBackup"]).toBe(4);
  }, 60_000);
});
