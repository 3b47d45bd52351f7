/**
 * CbrReplication after a crash (issue 10, the kill-create world): what a run killed mid-create made is
 * found by the next run of the same resource through the name its replicas carry, and nothing else
 * is ever taken. The killed run is played by sending its requests directly: CopyBackup with the
 * resource's replica name, as a provider host does before it is killed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import { replicaNameOf } from "../../provider/resources/cbr";
import { identityOf } from "../../provider/resources/framework";
import { cbrApi } from "../../provider/services/cbr";
import { backupsIn, inputsOf, seedVaults } from "./cbr-helpers";
import { cbr, checked, createError, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();
const primary = REGIONS.primary.name;
const secondary = REGIONS.secondary.name;
const OWNER = "backups/prod/huaweicloud:CbrReplication::nightly";

afterEach(() => env.emu.setFaults({ fail: { cbrReplication: 0 } }));

const outside = () =>
  createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));

/** Replicates backups as a run of the resource `owner` does (or, without owner, as a person does). */
async function replicateAs(v: { destinationVaultId: string }, backupIds: string[], owner?: string) {
  const api = cbrApi(outside(), primary);
  for (const id of backupIds) {
    await api.replicateBackup(id, {
      destination_project_id: REGIONS.secondary.projectId,
      destination_region: secondary,
      destination_vault_id: v.destinationVaultId,
      ...(owner ? { name: replicaNameOf(identityOf({ owner }).stamp) } : {}),
    });
  }
}

/** Polls the world (bounded) until the condition holds. */
async function until(what: string, condition: () => boolean) {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a run killed mid-create, then run again", () => {
  it("takes what the killed run made, replicates only the rest, and leaves a person's replica alone", async () => {
    const v = seedVaults(env, 4);
    const ids = v.backups.map((b) => b as string);
    // The killed run replicated two backups; someone replicated the fourth by hand.
    await replicateAs(v, ids.slice(0, 2), OWNER);
    await replicateAs(v, [ids[3]!]);
    const theirs = () => backupsIn(env, v.destinationVaultId).filter((b) => !b.name?.startsWith("pulumi-"));
    await until("the replicas to appear", () => backupsIn(env, v.destinationVaultId).length === 3);
    const personal = theirs().map((b) => b.id);
    expect(personal).toHaveLength(1);

    env.emu.resetCounts();
    const inputs = await checked(cbr(), inputsOf(v, { owner: OWNER }));
    const { id, outs } = await cbr().create(inputs);
    expect(env.emu.counts()["cbr.CopyBackup"]).toBe(1); // the third backup only
    expect(outs).toMatchObject({ status: "success", backups: 3, replicas: 3, failed: 0 });
    expect(outs.replicaName).toBe(replicaNameOf(identityOf({ owner: OWNER }).stamp));
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(4);

    await cbr().delete(id, outs);
    await until("our replicas to go", () => backupsIn(env, v.destinationVaultId).length === 1);
    expect(backupsIn(env, v.destinationVaultId).map((b) => b.id)).toEqual(personal);
  });

  it("never takes the replicas of another resource, even over the same vaults", async () => {
    const v = seedVaults(env, 2);
    const ids = v.backups.map((b) => b as string);
    await replicateAs(v, ids, "backups/prod/huaweicloud:CbrReplication::other");
    await until("the replicas to appear", () => backupsIn(env, v.destinationVaultId).length === 2);

    env.emu.resetCounts();
    const err = await createError(cbr(), await checked(cbr(), inputsOf(v, { owner: OWNER })));
    expect(err.message).toMatch(/already have replicas in .* that this resource did not make/);
    expect(err.message).toMatch(/adoptExisting/);
    expect(err.id).toBeUndefined(); // nothing in state, so destroy can never delete them
    expect(env.emu.counts()["cbr.CopyBackup"] ?? 0).toBe(0);
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(2);
  });

  it("up, destroy, up with the same identity: the first life's failures and history stay below the mark", async () => {
    const v = seedVaults(env, 3);
    const inputs = await checked(cbr(), inputsOf(v, { owner: OWNER }));
    env.emu.setFaults({ fail: { cbrReplication: 1 } });
    const failed = await createError(cbr(), inputs);
    expect(failed.properties).toMatchObject({ status: "fail", failed: 3 });
    env.emu.setFaults({ fail: { cbrReplication: 0 } });
    await cbr().delete(failed.id!, failed.properties!);
    // Retention deletes one source backup meanwhile: its failed replication can never be redone.
    await cbrApi(outside(), primary).deleteBackup(v.backups[0] as string);
    await until("the source backup to go", () => backupsIn(env, v.sourceVaultId).length === 2);

    const { id, outs } = await cbr().create(inputs);
    expect(outs).toMatchObject({ status: "success", backups: 2, replicas: 2, failed: 0 });
    expect((await cbr().read(id, outs)).props).toMatchObject({ status: "success", backups: 2 });
    await cbr().delete(id, outs);
    expect(backupsIn(env, v.destinationVaultId)).toHaveLength(0);
  });

  it("a cloud whose tasks do not name the replica: the replicas' own names still prove what is ours", async () => {
    // The SDK documents the task's destination_backup_name but not when it is filled: here it only
    // ever repeats the source backup's name. Ownership then rests on the replicas' names.
    const cbrModel = env.emu.backend.cbr;
    const view = cbrModel.opLogView.bind(cbrModel);
    cbrModel.opLogView = (r, now) => {
      const v = view(r, now);
      (v.extra_info as { replication: Record<string, unknown> }).replication.destination_backup_name =
        r.sourceBackupName;
      return v;
    };
    try {
      const v = seedVaults(env, 3);
      const ids = v.backups.map((b) => b as string);
      await replicateAs(v, ids.slice(0, 1), OWNER); // a killed run's
      await until("its replica to appear", () => backupsIn(env, v.destinationVaultId).length === 1);
      env.emu.resetCounts();
      const inputs = await checked(cbr(), inputsOf(v, { owner: OWNER }));
      const { id, outs } = await cbr().create(inputs);
      expect(env.emu.counts()["cbr.CopyBackup"]).toBe(2);
      expect(outs).toMatchObject({ status: "success", backups: 3, replicas: 3 });
      expect((await cbr().read(id, outs)).props).toMatchObject({ status: "success", backups: 3 });
      await cbr().delete(id, outs);
      expect(backupsIn(env, v.destinationVaultId)).toHaveLength(0);
    } finally {
      cbrModel.opLogView = view;
    }
  });
});
