import { describe, expect, it } from "vitest";
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
