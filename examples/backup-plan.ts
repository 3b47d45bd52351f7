/**
 * A backup definition: a snapshot of a disk and of a warehouse every day, the last 7 kept (none
 * older than 30 days), a manual copy of every automated warehouse snapshot kept for 90 days, and the
 * backup vault replicated to a second region. Run `pulumi up` once a day (cron, CI, Pulumi
 * Deployments); each run creates that day's snapshots and deletes the ones that fell out of
 * retention, and `pulumi preview` shows exactly which. With no config it targets the emulator's
 * default world; against Huawei Cloud set your own ids:
 *
 *   pulumi config set volumeId <evs disk id>
 *   pulumi config set clusterId <dws cluster id>
 *   pulumi config set sourceVaultId <cbr server backup vault id>
 *   pulumi config set destinationVaultId <cbr replication vault id in the destination region>
 *   pulumi config set destinationRegion <destination region>
 *
 * `pulumi config set now 2026-12-01T03:00:00Z` previews (or runs) the plan as of another time.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPlan, getDwsSnapshots } from "pulumi-huaweicloud-snapshots";
import { DEFAULT_IDS, REGIONS } from "../emulator/defaults";

const config = new pulumi.Config();
const clusterId = config.get("clusterId") ?? DEFAULT_IDS.dwsClusterId;

const plan = new BackupPlan("warehouse", {
  every: config.get("every") ?? "1d",
  keep: { last: config.getNumber("keepLast") ?? 7, maxAge: config.get("keepMaxAge") ?? "30d" },
  evsVolumes: [config.get("volumeId") ?? DEFAULT_IDS.evsVolumeAvailableId],
  dwsClusters: [clusterId],
  dwsAutomatedCopies: { clusterId, keep: { maxAge: "90d" } },
  replicate:
    config.getBoolean("replicate") === false
      ? undefined
      : {
          sourceVaultId: config.get("sourceVaultId") ?? DEFAULT_IDS.cbrSourceVaultId,
          destinationVaultId: config.get("destinationVaultId") ?? DEFAULT_IDS.cbrDestinationVaultId,
          destinationRegion: config.get("destinationRegion") ?? REGIONS.secondary.name,
        },
  now: config.get("now"),
});

export const kept = plan.targets;
export const nextPeriodStart = plan.nextPeriodStart;
// A lookup: the warehouse's most recent automated snapshot (during preview too).
export const latestAutomatedSnapshot = getDwsSnapshots({
  clusterId,
  type: "automated",
  mostRecent: true,
}).then((r) => r.mostRecent?.id);
