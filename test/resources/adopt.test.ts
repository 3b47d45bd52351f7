/** Bringing existing snapshots and replicas under management without creating new ones. */
import { beforeEach, describe, expect, it } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import { cbrApi } from "../../provider/services/cbr";
import { dwsApi } from "../../provider/services/dws";
import { evsApi } from "../../provider/services/evs";
import { cbr, checked, DEFAULT_IDS, dws, dwsCopy, evs, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();
const outside = () =>
  createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));

beforeEach(() => {
  env.emu.backend.reset();
  env.emu.resetCounts();
});

describe("adopting existing snapshots (Pulumi import does not work for dynamic resources)", () => {
  it("EvsSnapshot existingId adopts a snapshot made outside Pulumi, and destroy deletes it", async () => {
    const made = await evsApi(outside(), REGIONS.primary.name).createSnapshot({
      volume_id: DEFAULT_IDS.evsVolumeAvailableId,
      name: "made-by-hand",
    });
    const inputs = await checked(evs(), {
      volumeId: DEFAULT_IDS.evsVolumeAvailableId,
      name: "made-by-hand",
      existingId: made.id,
    });
    const { id, outs } = await evs().create(inputs);
    expect(id).toBe(made.id);
    expect(outs.status).toBe("available");
    expect(env.emu.counts()["evs.CreateSnapshot"]).toBe(1); // only the one made by hand
    await evs().delete(id, outs);
    expect(env.emu.world().evs.snapshots).toHaveLength(0);
  });

  it("EvsSnapshot existingId of another volume's snapshot is refused before anything changes", async () => {
    const made = await evsApi(outside(), REGIONS.primary.name).createSnapshot({
      volume_id: DEFAULT_IDS.evsVolumeInUseId,
      name: "other-disk",
    });
    const inputs = await checked(evs(), {
      volumeId: DEFAULT_IDS.evsVolumeAvailableId,
      name: "x",
      existingId: made.id,
    });
    const err = (await evs()
      .create(inputs)
      .catch((e) => e)) as Error & { id?: string };
    expect(err.id).toBeUndefined();
    expect(err.message).toContain(`cannot adopt snapshot ${made.id}`);
  });

  it("DwsSnapshot and DwsSnapshotCopy existingId adopt manual snapshots", async () => {
    const api = dwsApi(outside(), REGIONS.primary.name);
    const snapId = await api.createSnapshot({ name: "by-hand-dws", cluster_id: DEFAULT_IDS.dwsClusterId });
    const a = await dws().create(
      await checked(dws(), { clusterId: DEFAULT_IDS.dwsClusterId, name: "by-hand-dws", existingId: snapId }),
    );
    expect(a).toMatchObject({ id: snapId, outs: { status: "AVAILABLE" } });

    const copyId = await api.copySnapshot(DEFAULT_IDS.dwsAutomatedSnapshotIds[2], {
      backup_name: "by-hand-copy",
    });
    const b = await dwsCopy().create(
      await checked(dwsCopy(), {
        sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[2],
        name: "by-hand-copy",
        existingId: copyId,
      }),
    );
    expect(b).toMatchObject({ id: copyId, outs: { status: "AVAILABLE" } });
    expect(env.emu.counts()["dws.CreateSnapshot"]).toBe(1);
    expect(env.emu.counts()["dws.CopySnapshot"]).toBe(1);
    await Promise.all([dws().delete(a.id, a.outs), dwsCopy().delete(b.id, b.outs)]);
  });

  it("CbrReplication adoptExisting takes over a vault already replicated to the region", async () => {
    const client = outside();
    const inputs = {
      sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
      destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
      destinationRegion: REGIONS.secondary.name,
    };
    await cbrApi(client, REGIONS.primary.name).replicateVault({
      vault_id: inputs.sourceVaultId,
      destination_vault_id: inputs.destinationVaultId,
      destination_region: inputs.destinationRegion,
      destination_project_id: REGIONS.secondary.projectId,
    });
    // Without adoptExisting the cloud refuses, and the error says how to take it over.
    const refused = (await cbr()
      .create(await checked(cbr(), inputs))
      .catch((e) => e)) as Error & { id?: string };
    expect(refused.id).toBeUndefined();
    expect(refused.message).toMatch(/adoptExisting: true/);

    const { id, outs } = await cbr().create(await checked(cbr(), { ...inputs, adoptExisting: true }));
    expect(outs.status).toBe("success");
    // One replica per source backup: the adopted ones, none made twice.
    const sources = DEFAULT_IDS.cbrSourceBackupIds.length;
    expect(outs).toMatchObject({ backups: sources, replicas: sources });
    const replicas = env.emu
      .world()
      .cbr.backups.filter((b: { image_type: string }) => b.image_type === "replication");
    expect(replicas).toHaveLength(sources);
    await cbr().delete(id, outs);
    expect(
      env.emu.world().cbr.backups.filter((b: { image_type: string }) => b.image_type === "replication"),
    ).toHaveLength(0);
  });
});

describe("deletes wait out transient states", () => {
  it("EvsSnapshot deleted while still creating waits instead of failing with EVS.1047", async () => {
    env.emu.setTimings({ evsSnapshotCreate: 1200 });
    const made = await evsApi(outside(), REGIONS.primary.name).createSnapshot({
      volume_id: DEFAULT_IDS.evsVolumeAvailableId,
      name: "young",
    });
    await evs().delete(made.id, { name: "young", status: "creating", region: REGIONS.primary.name });
    expect(env.emu.world().evs.snapshots).toHaveLength(0);
    env.emu.setTimings({ evsSnapshotCreate: 500 });
  });

  it("DwsSnapshot deleted while CREATING lets it finish, then deletes it", async () => {
    env.emu.setTimings({ dwsSnapshotCreate: 1200 });
    const id = await dwsApi(outside(), REGIONS.primary.name).createSnapshot({
      name: "young-dws",
      cluster_id: DEFAULT_IDS.dwsClusterId,
    });
    await dws().delete(id, { name: "young-dws", status: "CREATING", region: REGIONS.primary.name });
    expect(env.emu.world().dws.snapshots.filter((s: { type: string }) => s.type === "MANUAL")).toHaveLength(
      0,
    );
    env.emu.setTimings({ dwsSnapshotCreate: 600 });
  });
});
