/**
 * The baseline: a create that waits like the Terraform provider (huaweicloud/terraform-provider-huaweicloud
 * huaweicloud/services/evs/resource_huaweicloud_evs_snapshot.go and dws/resource_huaweicloud_dws_snapshot.go:
 * Delay 10 s / 30 s, then the same PollInterval) — POST, sleep a fixed first delay, GET the same status endpoint,
 * then every fixed interval until the target state. Same client, same endpoints, same requests as
 * ours; only the waiting differs. Terraform's create then reads the resource once more; that read
 * is left out here, so the baseline's call counts are, if anything, low.
 */
import type { HuaweiClient } from "../provider/client/types";
import { cbrApi } from "../provider/services/cbr";
import { dwsApi } from "../provider/services/dws";
import { evsApi } from "../provider/services/evs";
import { sleepAtLeast } from "./stats";
import { type Kind, PRIMARY, SECONDARY, type Target } from "./world";

export interface Cadence {
  /** Delay before the first status read, ms. */
  delayMs: number;
  /** Interval between status reads, ms. */
  intervalMs: number;
  /** Where the cadence comes from. */
  source: string;
}

/** Terraform's cadences (anchors.md §1), scaled by `scale` (the quick mode uses 0.1). */
export function terraformCadences(scale = 1): Record<Kind, Cadence> {
  const c = (delayS: number, intervalS: number, source: string): Cadence => ({
    delayMs: delayS * 1000 * scale,
    intervalMs: intervalS * 1000 * scale,
    source,
  });
  return {
    EvsSnapshot: c(10, 10, "huaweicloud_evs_snapshot: Delay 10 s, PollInterval 10 s"),
    DwsSnapshot: c(30, 30, "huaweicloud_dws_snapshot: Delay 30 s, PollInterval 30 s"),
    DwsSnapshotCopy: c(30, 30, "as huaweicloud_dws_snapshot (dws_snapshot_copy does not wait)"),
    CbrReplication: c(
      30,
      15,
      "huaweicloud_cbr_checkpoint: Delay 30 s, PollInterval 15 s (cbr_checkpoint_copy does not wait)",
    ),
  };
}

export interface BaselineResult {
  id: string;
  polls: number;
}

/** One status read: "done", "pending", or throws on a terminal failure. */
type Probe = () => Promise<"done" | "pending">;

async function pollOnCadence(probe: Probe, cadence: Cadence, deadline: number): Promise<number> {
  await sleepAtLeast(cadence.delayMs);
  for (let polls = 1; polls <= 10_000; polls++) {
    if ((await probe()) === "done") return polls;
    if (Date.now() + cadence.intervalMs > deadline) break;
    await sleepAtLeast(cadence.intervalMs);
  }
  throw new Error("baseline: timed out waiting for the create to finish");
}

/** Creates the target's resource and waits for it on the fixed cadence. */
export async function baselineCreate(
  client: HuaweiClient,
  target: Target,
  cadence: Cadence,
  timeoutMs: number,
): Promise<BaselineResult> {
  const deadline = Date.now() + timeoutMs;
  const i = target.inputs;
  switch (target.kind) {
    case "EvsSnapshot": {
      const evs = evsApi(client, PRIMARY, "baseline EVS snapshot");
      const { id } = await evs.createSnapshot({ volume_id: String(i.volumeId), name: String(i.name) });
      const polls = await pollOnCadence(
        async () => {
          const s = await evs.getSnapshot(id);
          if (s.status === "error") throw new Error(`baseline: EVS snapshot ${id} ended in error`);
          return s.status === "available" ? "done" : "pending";
        },
        cadence,
        deadline,
      );
      return { id, polls };
    }
    case "DwsSnapshot":
    case "DwsSnapshotCopy": {
      const dws = dwsApi(client, PRIMARY, "baseline DWS snapshot");
      const id =
        target.kind === "DwsSnapshot"
          ? await dws.createSnapshot({ name: String(i.name), cluster_id: String(i.clusterId) })
          : await dws.copySnapshot(String(i.sourceSnapshotId), { backup_name: String(i.name) });
      const polls = await pollOnCadence(
        async () => {
          const s = await dws.getSnapshot(id);
          if (s.status === "UNAVAILABLE") throw new Error(`baseline: DWS snapshot ${id} is UNAVAILABLE`);
          return s.status === "AVAILABLE" ? "done" : "pending";
        },
        cadence,
        deadline,
      );
      return { id, polls };
    }
    case "CbrReplication": {
      const cbr = cbrApi(client, PRIMARY, "baseline CBR replication");
      const vaultId = String(i.sourceVaultId);
      const queued = await cbr.replicateVault({
        vault_id: vaultId,
        destination_vault_id: String(i.destinationVaultId),
        destination_region: SECONDARY,
        destination_project_id: await client.projectId(SECONDARY),
      });
      const backups = new Set(queued.map((b) => b.backup_id));
      const polls = await pollOnCadence(
        async () => {
          const seen = (await cbr.listReplicationLogs(vaultId)).filter(
            (l) =>
              l.extra_info?.replication?.destination_region === SECONDARY &&
              backups.has(l.extra_info.replication.source_backup_id ?? ""),
          );
          if (seen.some((l) => l.status === "failed")) throw new Error("baseline: a replication failed");
          return seen.length === backups.size && seen.every((l) => l.status === "success")
            ? "done"
            : "pending";
        },
        cadence,
        deadline,
      );
      return { id: `${vaultId}:${SECONDARY}`, polls };
    }
  }
}
