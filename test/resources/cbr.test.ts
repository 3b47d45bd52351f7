import { describe, expect, it } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import { cbrApi } from "../../provider/services/cbr";
import { cbr, checked, DEFAULT_IDS, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();

describe("CbrReplication against the emulator", () => {
  it("replicates a vault across regions, follows it to the end, reads, and deletes the replicas", async () => {
    const inputs = await checked(cbr(), {
      sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
      destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
      destinationRegion: REGIONS.secondary.name,
    });
    const { id, outs } = await cbr().create(inputs);
    expect(id).toBe(`${DEFAULT_IDS.cbrSourceVaultId}:${REGIONS.secondary.name}`);
    expect(outs).toMatchObject({
      status: "success",
      progress: 100,
      destinationProjectId: REGIONS.secondary.projectId,
    });
    const replicas = outs.replicaBackupIds as string[];
    expect(replicas.length).toBe((outs.sourceBackupIds as string[]).length);
    expect(replicas.length).toBeGreaterThan(0);
    for (const r of outs.replications as Array<Record<string, unknown>>) {
      expect(r).toMatchObject({ status: "success", replicaStatus: "available" });
    }

    const read = await cbr().read(id, outs);
    expect(read.id).toBe(id);
    expect(await cbr().diff(id, read.props, inputs)).toMatchObject({ changes: false });

    await cbr().delete(id, read.props);
    const backups = env.emu.world().cbr.backups.map((b: { id: string }) => b.id);
    for (const r of replicas) expect(backups).not.toContain(r);
    // With every replica gone, a refresh drops it.
    expect((await cbr().read(id, read.props)).id).toBe("");
  });
});

describe("CbrReplication drift", () => {
  it("a replica deleted outside Pulumi is found by refresh and made again by the next up", async () => {
    env.emu.backend.reset();
    const inputs = await checked(cbr(), {
      sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
      destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
      destinationRegion: REGIONS.secondary.name,
    });
    const { id, outs } = await cbr().create(inputs);
    const [lost, kept] = outs.replicaBackupIds as string[];
    const outside = createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));
    await cbrApi(outside, REGIONS.secondary.name).deleteBackup(lost!);

    const refreshed = await cbr().read(id, outs);
    expect(refreshed.id).toBe(id);
    expect(refreshed.props.status).toBe("replica_lost");
    const d = await cbr().diff(id, refreshed.props, inputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });

    env.emu.resetCounts();
    const { outs: repaired } = await cbr().update(id, refreshed.props, inputs);
    expect(repaired.status).toBe("success");
    // One CopyBackup made it; more may have been refused (6131) while the old replica was deleting.
    expect(env.emu.counts()["cbr.CopyBackup"]).toBeGreaterThanOrEqual(1);
    expect(env.emu.counts()["cbr.CopyCheckpoint"] ?? 0).toBe(0);
    const replicas = repaired.replicaBackupIds as string[];
    expect(replicas).toContain(kept);
    expect(replicas).not.toContain(lost);
    expect(replicas).toHaveLength(2);

    await cbr().delete(id, repaired);
    expect(
      env.emu.world().cbr.backups.filter((b: { image_type: string }) => b.image_type === "replication"),
    ).toHaveLength(0);
  });
});
