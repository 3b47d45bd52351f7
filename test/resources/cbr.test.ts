import { describe, expect, it } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import { cbrApi } from "../../provider/services/cbr";
import { backupsIn, inputsOf } from "./cbr-helpers";
import { cbr, checked, DEFAULT_IDS, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();
const DEFAULT_VAULTS = {
  sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
  destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
};

describe("CbrReplication against the emulator", () => {
  it("replicates a vault across regions, follows it to the end, reads, and deletes the replicas", async () => {
    const inputs = await checked(cbr(), inputsOf(DEFAULT_VAULTS));
    const { id, outs } = await cbr().create(inputs);
    expect(id).toBe(`${DEFAULT_IDS.cbrSourceVaultId}:${REGIONS.secondary.name}`);
    const sources = DEFAULT_IDS.cbrSourceBackupIds.length;
    expect(outs).toMatchObject({
      status: "success",
      progress: 100,
      destinationProjectId: REGIONS.secondary.projectId,
      backups: sources,
      replicas: sources,
      failed: 0,
      lost: 0,
      problems: [],
    });
    const replicas = backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId);
    expect(replicas).toHaveLength(sources);
    for (const r of replicas) expect(r).toMatchObject({ image_type: "replication", status: "available" });

    const read = await cbr().read(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ status: "success", replicas: sources });
    expect(await cbr().diff(id, read.props, inputs)).toMatchObject({ changes: false });

    await cbr().delete(id, read.props);
    expect(backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId)).toHaveLength(0);
    // With every replica gone, a refresh drops it.
    expect((await cbr().read(id, read.props)).id).toBe("");
  });
});

describe("CbrReplication drift", () => {
  it("a replica deleted outside Pulumi is found by refresh and made again by the next up", async () => {
    env.emu.backend.reset();
    const inputs = await checked(cbr(), inputsOf(DEFAULT_VAULTS));
    const { id, outs } = await cbr().create(inputs);
    const [lost, ...kept] = backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId).map((b) => b.id);
    const outside = createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));
    await cbrApi(outside, REGIONS.secondary.name).deleteBackup(lost!);

    const refreshed = await cbr().read(id, outs);
    expect(refreshed.id).toBe(id);
    expect(refreshed.props).toMatchObject({ status: "replica_lost", lost: 1 });
    expect(String((refreshed.props.problems as string[])[0])).toMatch(/deleted outside Pulumi/);
    const d = await cbr().diff(id, refreshed.props, inputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });

    env.emu.resetCounts();
    const { outs: repaired } = await cbr().update(id, refreshed.props, inputs);
    expect(repaired).toMatchObject({ status: "success", lost: 0, replicas: kept.length + 1 });
    // One CopyBackup made it; more may have been refused (6131) while the old replica was deleting.
    expect(env.emu.counts()["cbr.CopyBackup"]).toBeGreaterThanOrEqual(1);
    expect(env.emu.counts()["cbr.CopyCheckpoint"] ?? 0).toBe(0);
    const now = backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId);
    const ids = now.map((b) => b.id);
    for (const k of kept) expect(ids).toContain(k);
    expect(ids).not.toContain(lost);
    expect(ids).toHaveLength(kept.length + 1);
    // The replica made again carries the resource's name, like every replica it made.
    const remade = now.find((b) => !kept.includes(b.id));
    expect(outs.replicaName).toMatch(/^pulumi-[0-9a-f]{32}$/);
    for (const b of now) expect(b.name).toBe(outs.replicaName);
    expect(remade?.description).toMatch(/^Replicated by Pulumi \(CbrReplication /);

    await cbr().delete(id, repaired);
    expect(backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId)).toHaveLength(0);
  });
});

describe("CbrReplication state written by version 0.x", () => {
  it("a list per backup and no mark: read finds its replications, and destroy deletes every replica", async () => {
    env.emu.backend.reset();
    const inputs = await checked(cbr(), inputsOf(DEFAULT_VAULTS));
    const { id, outs } = await cbr().create(inputs);
    const replicaIds = backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId).map((b) => b.id);
    const { trackedAfter: _, backups: __, replicas: ___, ...rest } = outs;
    const legacy = {
      ...rest,
      sourceBackupIds: [...DEFAULT_IDS.cbrSourceBackupIds],
      replicaBackupIds: replicaIds,
      replications: replicaIds.map((r) => ({ replicaBackupId: r, status: "success" })),
    };
    const read = await cbr().read(id, legacy);
    expect(read.props).toMatchObject({
      status: "success",
      backups: replicaIds.length,
      replicas: replicaIds.length,
    });

    await cbr().delete(id, legacy);
    expect(backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId)).toHaveLength(0);
  });
});
