/**
 * The example stack: one of each resource. With no config it targets the emulator's default world
 * (`npm run demo`, or `npm run emulator` plus the config lines it prints). Against Huawei Cloud,
 * set the ids of your own cluster, automated snapshot, disk and vaults:
 *
 *   pulumi config set clusterId <dws cluster id>
 *   pulumi config set automatedSnapshotId <automated dws snapshot id>
 *   pulumi config set volumeId <evs disk id>
 *   pulumi config set sourceVaultId <cbr server backup vault id>
 *   pulumi config set destinationVaultId <cbr replication vault id in the destination region>
 *   pulumi config set destinationRegion <destination region>
 */
import * as pulumi from "@pulumi/pulumi";
import { CbrReplication, DwsSnapshot, DwsSnapshotCopy, EvsSnapshot } from "pulumi-huaweicloud-snapshots";
import { DEFAULT_IDS, REGIONS } from "../emulator/defaults";

const config = new pulumi.Config();
const suffix = config.get("nameSuffix") ?? "";

const nightly = new DwsSnapshot("nightly", {
  clusterId: config.get("clusterId") ?? DEFAULT_IDS.dwsClusterId,
  name: `nightly${suffix}`,
  description: "Nightly snapshot of the warehouse",
  timeouts: { create: "2h" },
});

const keep = new DwsSnapshotCopy("keep-automated", {
  sourceSnapshotId: config.get("automatedSnapshotId") ?? DEFAULT_IDS.dwsAutomatedSnapshotIds[0],
  name: `keep-automated${suffix}`,
  description: "Kept copy of an automated snapshot",
});

const disk = new EvsSnapshot("disk", {
  volumeId: config.get("volumeId") ?? DEFAULT_IDS.evsVolumeAvailableId,
  name: `disk-nightly${suffix}`,
  description: "Nightly disk snapshot",
  metadata: { team: "db" },
});

const offsite = new CbrReplication("offsite", {
  sourceVaultId: config.get("sourceVaultId") ?? DEFAULT_IDS.cbrSourceVaultId,
  destinationVaultId: config.get("destinationVaultId") ?? DEFAULT_IDS.cbrDestinationVaultId,
  destinationRegion: config.get("destinationRegion") ?? REGIONS.secondary.name,
});

export const dwsSnapshotId = nightly.id;
export const dwsSnapshotStatus = nightly.status;
export const dwsCopyId = keep.id;
export const evsSnapshotId = disk.id;
export const evsSnapshotSize = disk.size;
export const replicaCount = offsite.replicas;
