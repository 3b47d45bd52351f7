/**
 * CbrReplication: cross-region replication of a CBR server backup vault's backups into a
 * replication vault in another region, followed to the end — unlike Terraform's one-shot
 * `cbr_checkpoint_copy`, it waits, reads, detects drift and deletes what it created.
 *
 * The cloud has no replication object: `POST /checkpoints/replicate` answers the backups it queued,
 * each with a replication record. Records live on the source backups (status waiting_replicate →
 * replicating → success | fail, extra_info.progress, destination_backup_id); the replicas are
 * backups in the destination vault with image_type "replication" (huawei-apis.md §3). A vault goes
 * to a given destination region once, so the resource id is `<source vault id>:<destination region>`.
 */
import { z } from "zod";
import { HuaweiCloudError, isNotFound } from "../client/errors";
import { type Backup, cbrApi, type ReplicationRecord } from "../services/cbr";
import { parseCloudTime } from "../services/util";
import { anyEnd, type Observation } from "../waiter";
import {
  DELETE_FIRST_POLL_MS,
  type OpContext,
  type Props,
  type ResourceSpec,
  untypedState,
  waitUntil,
} from "./framework";
import { adoptOrCreate, retryWhileBusy } from "./lifecycle";
import { cloudId, projectId, regionName, timeouts } from "./rules";

const MINUTE = 60_000;
const CREATE_MATCH_WINDOW_MS = 2 * MINUTE;
const RECORD_PENDING = new Set(["waiting_replicate", "replicating"]);

function cbrInputs() {
  return z
    .strictObject({
      sourceVaultId: cloudId("CBR source vault"),
      destinationVaultId: cloudId("CBR replication vault"),
      destinationRegion: regionName(),
      destinationProjectId: projectId().optional(),
      region: regionName().optional(),
      enableAcceleration: z.boolean({ error: "must be true or false" }).optional(),
      adoptExisting: z.boolean({ error: "must be true or false" }).optional(),
      timeouts: timeouts(),
    })
    .refine((i) => !i.region || i.region !== i.destinationRegion, {
      message: "must differ from the source region: replication goes to another region",
      path: ["destinationRegion"],
    });
}
export type CbrReplicationInputs = z.infer<ReturnType<typeof cbrInputs>>;

/** One source backup's replication, as the resource tracks it. */
interface Tracked {
  sourceBackupId: string;
  replicationRecordId: string;
}

interface Snapshot {
  records: Array<Tracked & { record?: ReplicationRecord; replica?: Backup; replicaLost?: boolean }>;
}

/** A finished replication whose replica is gone or going (deleted outside Pulumi): drift to repair. */
const LOST = "replica_lost";

function ids(olds: Props): Tracked[] {
  const list = Array.isArray(olds.replications) ? (olds.replications as Props[]) : [];
  return list.map((r) => ({
    sourceBackupId: String(r.sourceBackupId),
    replicationRecordId: String(r.replicationRecordId),
  }));
}

function aggregateStatus(s: Snapshot): string {
  if (s.records.some((r) => r.record?.status === "fail")) return "fail";
  if (s.records.some((r) => r.replicaLost)) return LOST;
  const done = s.records.every((r) => r.record?.status === "success" && r.replica?.status === "available");
  return done ? "success" : "replicating";
}

function outputsOf(s: Snapshot): Props {
  const replications = s.records.map((r) => ({
    sourceBackupId: r.sourceBackupId,
    replicationRecordId: r.replicationRecordId,
    status: r.record?.status ?? "unknown",
    progress: r.record?.extra_info?.progress ?? (r.record?.status === "success" ? 100 : undefined),
    replicaBackupId: r.record?.destination_backup_id ?? undefined,
    replicaStatus: r.replicaLost ? "lost" : (r.replica?.status ?? undefined),
    failReason: r.record?.extra_info?.fail_reason ?? undefined,
  }));
  const progresses = replications.map((r) => r.progress ?? 0);
  return {
    status: aggregateStatus(s),
    progress: progresses.length ? Math.floor(progresses.reduce((a, b) => a + b, 0) / progresses.length) : 100,
    replications,
    sourceBackupIds: replications.map((r) => r.sourceBackupId),
    replicationRecordIds: replications.map((r) => r.replicationRecordId),
    replicaBackupIds: replications.flatMap((r) => (r.replicaBackupId ? [r.replicaBackupId] : [])),
  };
}

function observation(s: Snapshot): Observation<Snapshot> {
  const status = aggregateStatus(s);
  const out = outputsOf(s);
  return {
    state: status === "success" ? "success" : status === "fail" || status === LOST ? "failure" : "pending",
    status,
    progress: out.progress as number,
    value: s,
  };
}

/** The API handles of both sides. */
function sides(ctx: OpContext, inputs: Props) {
  return {
    source: cbrApi(ctx.client, ctx.region, ctx.label),
    destination: cbrApi(ctx.client, String(inputs.destinationRegion), ctx.label),
  };
}

/**
 * Every replication record on the source vault's backups (one list call), with the backup it
 * belongs to. There is no replication-record endpoint: records live on their source backups.
 */
async function vaultRecords(ctx: OpContext, sourceVaultId: string): Promise<ReplicationRecord[]> {
  const backups = await cbrApi(ctx.client, ctx.region, ctx.label).listBackups({
    vault_id: sourceVaultId,
    show_replication: true,
  });
  return backups.flatMap((b) =>
    (b.replication_records ?? []).map((r) => ({ ...r, source_backup_id: r.source_backup_id ?? b.id })),
  );
}

/**
 * Looks at every tracked record on the source side (one list call) and, when they are all done
 * or when asked, at the replicas on the destination side (one more list call).
 */
async function look(ctx: OpContext, inputs: Props, tracked: Tracked[], replicas: "always" | "when-done") {
  const { destination } = sides(ctx, inputs);
  const byRecord = new Map((await vaultRecords(ctx, String(inputs.sourceVaultId))).map((r) => [r.id, r]));
  const snapshot: Snapshot = {
    records: tracked.map((t) => ({ ...t, record: byRecord.get(t.replicationRecordId) })),
  };
  const allDone = snapshot.records.every((r) => r.record?.status === "success");
  if (replicas === "always" || allDone) {
    const copies = await destination.listBackups({
      vault_id: String(inputs.destinationVaultId),
      image_type: "replication",
    });
    const byId = new Map(copies.map((c) => [c.id, c]));
    for (const r of snapshot.records) {
      const replicaId = r.record?.destination_backup_id;
      if (replicaId) r.replica = byId.get(replicaId);
      const gone = !r.replica || r.replica.status === "deleting" || r.replica.status === "waiting_delete";
      r.replicaLost = r.record?.status === "success" && gone;
    }
  }
  return snapshot;
}

/** Records toward the destination region created since `since`: what an earlier attempt started. */
async function findRecords(ctx: OpContext, inputs: CbrReplicationInputs, since?: number): Promise<Tracked[]> {
  return (await vaultRecords(ctx, inputs.sourceVaultId))
    .filter(
      (r) =>
        r.destination_region === inputs.destinationRegion &&
        (!r.destination_vault_id || r.destination_vault_id === inputs.destinationVaultId) &&
        (since === undefined || (parseCloudTime(r.created_at) ?? 0) >= since),
    )
    .map((r) => ({ sourceBackupId: r.source_backup_id!, replicationRecordId: r.id }));
}

async function waitReplicated(ctx: OpContext, inputs: Props, tracked: Tracked[], startedAt?: number) {
  const done = await waitUntil(ctx, {
    goal: "for every replication record to succeed and every replica to be available",
    poll: async () => observation(await look(ctx, inputs, tracked, "when-done")),
    startedAt,
    pollImmediately: startedAt === undefined,
    outputs: outputsOf,
    failureDetail: (o) =>
      o.value.records
        .filter((r) => r.record?.status === "fail")
        .map((r) =>
          `backup ${r.sourceBackupId}: ${r.record?.extra_info?.fail_code ?? "fail"} ${r.record?.extra_info?.fail_reason ?? ""}`.trim(),
        )
        .join("; "),
    failureHint:
      "The replication is kept in state with its records so nothing is orphaned. Check the vaults' capacity and " +
      "the CBR console; `pulumi up` then replaces it, or `pulumi destroy` deletes the replicas that were made.",
  });
  return outputsOf(done.value);
}

export const cbrReplicationSpec: ResourceSpec<CbrReplicationInputs> = {
  kind: "CbrReplication",
  noun: "CBR replication",
  inputs: cbrInputs,
  state: untypedState,
  // Replicating large backups across regions takes long; Terraform does not wait at all.
  defaultTimeouts: { create: 120 * MINUTE, update: 120 * MINUTE, delete: 30 * MINUTE },
  resolvedWhenOmitted: ["destinationProjectId"],
  replaceOnChange: [
    "sourceVaultId",
    "destinationVaultId",
    "destinationRegion",
    "destinationProjectId",
    "region",
  ],
  // A backup has at most one replica per destination region: the old replicas must go first.
  deleteBeforeReplace: (olds, news) =>
    olds.sourceVaultId === news.sourceVaultId && olds.destinationRegion === news.destinationRegion,
  // An interrupted wait resumes, and a replica deleted outside Pulumi is made again, in update.
  isUnsettled: (olds) => olds.status === "replicating" || olds.status === LOST,
  isFailed: (olds) => olds.status === "fail",
  labelOf: (i, id) => `CBR replication ${id ?? `${String(i.sourceVaultId)}:${String(i.destinationRegion)}`}`,

  async create(ctx, inputs) {
    const id = `${inputs.sourceVaultId}:${inputs.destinationRegion}`;
    const destinationProjectId =
      inputs.destinationProjectId ?? (await ctx.client.projectId(inputs.destinationRegion));
    const resolved = { ...inputs, destinationProjectId };
    let tracked: Tracked[] | undefined;
    let startedAt: number | undefined;
    if (inputs.adoptExisting) {
      const existing = await findRecords(ctx, inputs);
      if (existing.length) tracked = existing;
    }
    if (!tracked) {
      const firstTry = Date.now();
      try {
        ({ created: tracked, startedAt } = await adoptOrCreate(ctx, {
          post: async () =>
            (
              await retryWhileBusy(
                ctx,
                (err) => vaultBusy(ctx, inputs, err),
                () =>
                  cbrApi(ctx.client, ctx.region, ctx.label).replicateVault({
                    vault_id: inputs.sourceVaultId,
                    destination_vault_id: inputs.destinationVaultId,
                    destination_region: inputs.destinationRegion,
                    destination_project_id: destinationProjectId,
                    enable_acceleration: inputs.enableAcceleration,
                  }),
              )
            ).map((b) => ({ sourceBackupId: b.backup_id, replicationRecordId: b.replication_record_id })),
          find: async () => {
            const found = await findRecords(ctx, inputs, firstTry - CREATE_MATCH_WINDOW_MS);
            return found.length ? found : undefined;
          },
        }));
      } catch (err) {
        throw await explainRefusal(ctx, inputs, err);
      }
    }
    const started = { destinationProjectId, startedAt: new Date(startedAt ?? Date.now()).toISOString() };
    ctx.recordId(id, {
      ...started,
      status: "replicating",
      replications: tracked.map((t) => ({ ...t, status: "waiting_replicate" })),
    });
    return { id, outs: { ...started, ...(await waitReplicated(ctx, resolved, tracked, startedAt)) } };
  },

  async read(ctx, _id, olds) {
    const tracked = ids(olds);
    let snapshot: Snapshot;
    try {
      snapshot = await look(ctx, olds, tracked, "always");
    } catch (err) {
      if (isNotFound(err)) return undefined; // the source vault is gone
      throw err;
    }
    // Gone when every replica this resource made has been deleted outside Pulumi.
    const made = snapshot.records.filter((r) => r.record?.destination_backup_id);
    if (
      made.length > 0 &&
      made.every((r) => !r.replica) &&
      !snapshot.records.some((r) => RECORD_PENDING.has(r.record?.status ?? ""))
    ) {
      return undefined;
    }
    return outputsOf(snapshot);
  },

  async update(ctx, _id, olds) {
    // Nothing updates in place. An update after an interrupted create resumes the wait; one after
    // a refresh found replicas deleted outside Pulumi replicates those backups again.
    if (olds.status === LOST) return repairLostReplicas(ctx, olds);
    if (olds.status !== "replicating") return {};
    return waitReplicated(ctx, olds, ids(olds), parseCloudTime(String(olds.startedAt)));
  },

  async delete(ctx, _id, olds) {
    const tracked = ids(olds);
    if (tracked.length === 0) return;
    const { destination } = sides(ctx, olds);
    // Replicas still being made are let finish, so none is left behind half-made.
    let snapshot = await look(ctx, olds, tracked, "always").catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (snapshot?.records.some((r) => RECORD_PENDING.has(r.record?.status ?? ""))) {
      const settled = await waitUntil(ctx, {
        goal: "for replication to finish before its replicas are deleted",
        pollImmediately: true,
        poll: async () => anyEnd(observation(await look(ctx, olds, tracked, "always"))),
      });
      snapshot = settled.value;
    }
    const replicaIds = new Set<string>(
      (snapshot?.records ?? []).flatMap((r) =>
        r.record?.destination_backup_id ? [r.record.destination_backup_id] : [],
      ),
    );
    for (const r of (olds.replications as Props[] | undefined) ?? []) {
      if (typeof r.replicaBackupId === "string") replicaIds.add(r.replicaBackupId);
    }
    for (const replicaId of replicaIds) {
      try {
        await destination.deleteBackup(replicaId);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (replicaIds.size === 0) return;
    await waitUntil(ctx, {
      goal: "for its replica backups to be deleted",
      firstDelayMs: DELETE_FIRST_POLL_MS,
      pollImmediately: false,
      poll: async () => {
        const left = (
          await destination.listBackups({
            vault_id: String(olds.destinationVaultId),
            image_type: "replication",
          })
        ).filter((b) => replicaIds.has(b.id));
        return left.length === 0
          ? { state: "gone", status: "deleted", value: undefined }
          : {
              state: left.some((b) => b.status === "error") ? "failure" : "pending",
              status: left.map((b) => b.status).join(","),
              value: undefined,
            };
      },
      failureHint:
        "A replica backup could not be deleted; delete it in the CBR console of the destination region.",
    });
  },
};

/**
 * BackupService.6130 means the vault is being replicated: wait. But a vault already replicated to
 * this region is refused for good (the emulator, at least, answers the same code), so only a vault
 * with no finished records towards the region counts as busy.
 */
async function vaultBusy(
  ctx: OpContext,
  inputs: CbrReplicationInputs,
  err: HuaweiCloudError,
): Promise<boolean> {
  if (err.code !== "BackupService.6130") return false;
  const towards = (await vaultRecords(ctx, inputs.sourceVaultId)).filter(
    (r) => r.destination_region === inputs.destinationRegion,
  );
  return towards.length === 0 || towards.some((r) => RECORD_PENDING.has(r.status));
}

/**
 * Replicates again, one by one (CopyBackup), the source backups whose replica was deleted outside
 * Pulumi — the cloud allows a backup a new replica once the old one is gone — then waits for them.
 */
async function repairLostReplicas(ctx: OpContext, olds: Props): Promise<Props> {
  const tracked = ids(olds);
  const now = await look(ctx, olds, tracked, "always");
  const source = cbrApi(ctx.client, ctx.region, ctx.label);
  // Every record, updated in place as its backup is replicated again.
  const repaired: Tracked[] = now.records.map((r) => ({
    sourceBackupId: r.sourceBackupId,
    replicationRecordId: r.replicationRecordId,
  }));
  const recorded = [...((olds.replications as Props[] | undefined) ?? repaired)];
  for (const [i, r] of now.records.entries()) {
    if (!r.replicaLost) continue;
    const firstTry = Date.now();
    const { created: recordId } = await adoptOrCreate(ctx, {
      // BackupService.6131: the old replica is still being deleted; it clears when it is gone.
      post: async () =>
        (
          await retryWhileBusy(
            ctx,
            (err) => err.code === "BackupService.6131",
            () =>
              source.replicateBackup(r.sourceBackupId, {
                destination_project_id: String(olds.destinationProjectId),
                destination_region: String(olds.destinationRegion),
                destination_vault_id: String(olds.destinationVaultId),
              }),
          )
        ).replication_record_id,
      find: async () =>
        (await findRecords(ctx, olds as CbrReplicationInputs, firstTry - CREATE_MATCH_WINDOW_MS)).find(
          (t) => t.sourceBackupId === r.sourceBackupId && t.replicationRecordId !== r.replicationRecordId,
        )?.replicationRecordId,
    });
    repaired[i] = { sourceBackupId: r.sourceBackupId, replicationRecordId: recordId };
    // Record at once: should a later step fail, state points at the new record and keeps every
    // other one as it was, so destroy finds all the replicas.
    recorded[i] = { ...repaired[i], status: "waiting_replicate" };
    ctx.recordOutputs({ replications: [...recorded] });
  }
  return waitReplicated(ctx, olds, repaired);
}

/** A refused replication of a vault already replicated there says how to take it over. */
async function explainRefusal(ctx: OpContext, inputs: CbrReplicationInputs, err: unknown): Promise<unknown> {
  if (!(err instanceof HuaweiCloudError) || err.kind !== "api" || err.outcomeUnknown) return err;
  const existing = await findRecords(ctx, inputs).catch(() => []);
  if (existing.length === 0) return err;
  return new HuaweiCloudError(
    `refused: vault ${inputs.sourceVaultId} was already replicated to ${inputs.destinationRegion} (${existing.length} replication records)`,
    {
      ...err.fields(),
      hint: "A vault replicates to a region once. To manage those replicas with this resource, set adoptExisting: true.",
    },
  );
}
