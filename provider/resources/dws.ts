/**
 * DwsSnapshot (a manual snapshot of a DWS cluster) and DwsSnapshotCopy (a manual copy of an
 * automated snapshot). Both are DWS snapshots once created: one read, one wait, one delete.
 *
 * States: CREATING → AVAILABLE, or UNAVAILABLE (failed or cancelled). Not found: HTTP 404 or
 * DWS.5149 on GET, DWS.0001 "has been deleted" on DELETE (as terraform-provider-huaweicloud
 * huaweicloud/services/dws/resource_huaweicloud_dws_snapshot.go reads them).
 */
import { z } from "zod";
import { HuaweiCloudError } from "../client/errors";
import { MINUTE_MS } from "../client/rules";
import { type DwsSnapshotDetail, dwsApi } from "../services/dws";
import { parseCloudTime, parsePercent } from "../services/util";
import { identityOf, type OpContext, ownershipInputs, type ResourceSpec, stateField } from "./framework";
import {
  adoptExisting,
  adoptOrCreate,
  deleteWatched,
  readWatched,
  retryWhileBusy,
  unsettled,
  type Watched,
  waitSettled,
  whenIso,
} from "./lifecycle";
import { cloudId, dwsDescription, dwsMarked, dwsName, dwsUnmarked, regionName, timeouts } from "./rules";

/** What a snapshot and a copy share: a unique name, a description, where, how long, adoption. */
function snapshotFields() {
  return {
    name: dwsName(),
    description: dwsDescription(),
    region: regionName().optional(),
    timeouts: timeouts(),
    existingId: cloudId("DWS snapshot").optional(),
    ...ownershipInputs(),
  };
}

function dwsSnapshotInputs() {
  return z.strictObject({ clusterId: cloudId("DWS cluster"), ...snapshotFields() });
}
export type DwsSnapshotInputs = z.infer<ReturnType<typeof dwsSnapshotInputs>>;

function dwsCopyInputs() {
  return z.strictObject({ sourceSnapshotId: cloudId("automated DWS snapshot"), ...snapshotFields() });
}
export type DwsSnapshotCopyInputs = z.infer<ReturnType<typeof dwsCopyInputs>>;

/** The state of a DwsSnapshot or DwsSnapshotCopy: the inputs echoed, then what the API reports. */
function dwsState() {
  const text = () => stateField(z.string());
  const count = () => stateField(z.number());
  return z.object({
    name: text(),
    description: text(),
    region: text(),
    existingId: text(),
    owner: text(),
    generation: count(),
    clusterId: text(),
    sourceSnapshotId: text(),
    status: text(),
    type: text(),
    size: count(),
    progress: count(),
    clusterName: text(),
    backupLevel: text(),
    startedAt: text(),
    finishedAt: text(),
  });
}
export type DwsSnapshotState = z.infer<ReturnType<typeof dwsState>>;

/** A DWS snapshot as the resources watch it; DELETING means someone deletes it outside Pulumi. */
const snapshots: Watched<DwsSnapshotDetail, DwsSnapshotState> = {
  find: (ctx, id) => dwsApi(ctx.client, ctx.region, ctx.label).findSnapshot(id),
  status: (s) => s.status,
  progress: (s) => parsePercent(s.progress),
  settled: new Set(["AVAILABLE"]),
  failed: new Set(["UNAVAILABLE", "FROZEN", "POLICE_FROZEN", "DELETING"]),
  outputs: (s): DwsSnapshotState => ({
    name: s.name,
    // The user's description: the ownership mark is the provider's, never shown or diffed.
    description: dwsUnmarked(s.description).description,
    clusterId: s.cluster_id ?? undefined,
    clusterName: s.cluster_name ?? undefined,
    status: s.status,
    type: s.type ?? undefined,
    size: s.size ?? undefined,
    progress: parsePercent(s.progress) ?? (s.status === "AVAILABLE" ? 100 : undefined),
    backupLevel: s.backup_level ?? undefined,
    startedAt: whenIso(s.started),
    finishedAt: whenIso(s.finished),
  }),
};

/** A snapshot's outputs, as the resource and the lookups give them. */
export const dwsSnapshotOutputs = (s: DwsSnapshotDetail) => snapshots.outputs(s);

/** A manual snapshot can be deleted once it is no longer being created (or deleted). */
const DELETABLE = new Set(["AVAILABLE", "UNAVAILABLE", "FROZEN", "POLICE_FROZEN"]);

const FAILURE_HINT =
  "The snapshot is kept in state so it is not orphaned. Check the cluster's status and events in the DWS " +
  "console; then `pulumi up` replaces it with a new snapshot, or `pulumi destroy` deletes it.";

async function waitAvailable(ctx: OpContext, id: string, startedAt?: number, pollImmediately = false) {
  const s = await waitSettled(ctx, snapshots, id, {
    goal: "to become AVAILABLE",
    startedAt,
    pollImmediately,
    failureHint: FAILURE_HINT,
  });
  return snapshots.outputs(s!);
}

/** Deletes a manual snapshot and waits until it is gone; gone already is success. */
function deleteSnapshot(ctx: OpContext, id: string, olds: DwsSnapshotState): Promise<void> {
  const dws = dwsApi(ctx.client, ctx.region, ctx.label);
  return deleteWatched(ctx, snapshots, id, {
    deletable: DELETABLE,
    // A snapshot still being created cannot be deleted: it is let finish (or fail) first.
    sendFirst: olds.status !== undefined && DELETABLE.has(olds.status),
    send: () => dws.removeSnapshot(id),
    failureHint: "Delete it in the DWS console, or run `pulumi destroy` again.",
  });
}

/** Names are unique case-insensitively. Diff may see inputs that never passed check: not a string is no match. */
const sameName = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();

/** The snapshot named so, in a list. */
const named = (list: DwsSnapshotDetail[], name: string) => list.find((s) => sameName(s.name, name));

/** Whether a snapshot carries this create's ownership mark. */
const marked = (s: DwsSnapshotDetail | undefined, stamp: string) =>
  s !== undefined && dwsUnmarked(s.description).stamp === stamp;

/** DWS.7023: the cluster is busy (another snapshot is being taken); it clears when that finishes. */
const clusterBusy = (err: HuaweiCloudError) => err.code === "DWS.7023";

const common = {
  state: dwsState,
  defaultTimeouts: { create: 60 * MINUTE_MS, update: 60 * MINUTE_MS, delete: 20 * MINUTE_MS },
  isUnsettled: (olds: DwsSnapshotState) => unsettled(snapshots, olds.status),
  isFailed: (olds: DwsSnapshotState) => olds.status !== undefined && snapshots.failed.has(olds.status),
  // Names are unique (case-insensitively): a replacement with the same name must delete first.
  deleteBeforeReplace: (olds: DwsSnapshotState, news: { name: unknown }) => sameName(olds.name, news.name),
  read: (ctx: OpContext, id: string) => readWatched(ctx, snapshots, id),
  delete: deleteSnapshot,
  // Nothing updates in place; an update after an interrupted create resumes the wait.
  update: async (ctx: OpContext, id: string, olds: DwsSnapshotState) =>
    common.isUnsettled(olds) ? waitAvailable(ctx, id, parseCloudTime(olds.startedAt), true) : {},
};

/**
 * Creates (or adopts) a DWS snapshot and waits until it is AVAILABLE. A snapshot and a copy differ
 * only in the request that makes them and in the cluster they belong to.
 *
 * The description the cloud stores carries the resource's ownership stamp (`dwsMarked`). Names are
 * unique in the project: before the first POST, a snapshot already holding the name in the same
 * cluster is adopted only if it carries our stamp (a run of this very resource killed after its POST);
 * any other holder refuses the create, naming it. After an ambiguous POST, likewise only the
 * same-name snapshot carrying our stamp is taken.
 */
async function createAndWait(
  ctx: OpContext,
  inputs: { name: string; description?: string; existingId?: string; owner?: string; generation?: number },
  how: { post: (description: string) => Promise<string>; clusterId: () => Promise<string> },
) {
  const dws = dwsApi(ctx.client, ctx.region, ctx.label);
  const clusterId = await how.clusterId();
  let id: string;
  let startedAt: number | undefined;
  if (inputs.existingId && identityOf(inputs).first) {
    const s = await adoptExisting(ctx, snapshots, inputs.existingId, [
      (s) => (sameName(s.name, inputs.name) ? undefined : `its name is "${s.name}"`),
      (s) =>
        s.cluster_id && s.cluster_id !== clusterId ? `it belongs to cluster ${s.cluster_id}` : undefined,
      (s) =>
        s.type && s.type !== "MANUAL"
          ? `it is an ${s.type} snapshot (only manual ones can be managed)`
          : undefined,
    ]);
    id = s.id;
  } else {
    const { stamp } = identityOf(inputs);
    const ours = (s: DwsSnapshotDetail | undefined) =>
      marked(s, stamp) && (!s?.cluster_id || s.cluster_id === clusterId) ? s : undefined;
    const holder = named(await dws.listSnapshots(), inputs.name);
    if (holder && !ours(holder)) throw nameTaken(ctx, inputs.name, holder.id);
    if (holder) id = holder.id;
    else {
      const description = dwsMarked(inputs.description, stamp);
      ({ created: id, startedAt } = await adoptOrCreate(ctx, {
        // The cluster refuses a second snapshot while one runs (DWS.7023): wait our turn.
        post: () => retryWhileBusy(ctx, clusterBusy, () => how.post(description)),
        find: async () => ours(named(await dws.listClusterSnapshots(clusterId), inputs.name))?.id,
      }));
    }
  }
  ctx.recordId(id, { status: "CREATING" });
  return { id, outs: await waitAvailable(ctx, id, startedAt, startedAt === undefined) };
}

/**
 * Names are unique: a create whose name is taken by a snapshot without our stamp is refused before
 * it is sent, with the holder's id. Only the user can say it is the stack's own.
 */
function nameTaken(ctx: OpContext, name: string, holder: string): HuaweiCloudError {
  return new HuaweiCloudError(`refused: a snapshot named "${name}" already exists (${holder})`, {
    kind: "input",
    resource: ctx.label,
    hint:
      `If it is this stack's own (left by an interrupted run), adopt it with existingId: "${holder}"; ` +
      "otherwise choose another name.",
  });
}

export const dwsSnapshotSpec: ResourceSpec<DwsSnapshotInputs, DwsSnapshotState> = {
  ...common,
  kind: "DwsSnapshot",
  noun: "DWS snapshot",
  inputs: dwsSnapshotInputs,
  replaceOnChange: ["clusterId", "name", "description", "region"],
  labelOf: (i, id) => `DWS snapshot "${String(i.name)}"${id ? ` (${id})` : ""}`,

  create: (ctx, inputs) =>
    createAndWait(ctx, inputs, {
      post: (description) =>
        dwsApi(ctx.client, ctx.region, ctx.label).createSnapshot({
          name: inputs.name,
          cluster_id: inputs.clusterId,
          description,
        }),
      clusterId: async () => inputs.clusterId,
    }),
};

export const dwsSnapshotCopySpec: ResourceSpec<DwsSnapshotCopyInputs, DwsSnapshotState> = {
  ...common,
  kind: "DwsSnapshotCopy",
  noun: "DWS snapshot copy",
  inputs: dwsCopyInputs,
  replaceOnChange: ["sourceSnapshotId", "name", "description", "region"],
  labelOf: (i, id) => `DWS snapshot copy "${String(i.name)}"${id ? ` (${id})` : ""}`,
  // An automated snapshot has one copy at a time (TF docs), and names are unique.
  deleteBeforeReplace: (olds, news) =>
    common.deleteBeforeReplace(olds, news) || olds.sourceSnapshotId === news.sourceSnapshotId,

  create: (ctx, inputs) =>
    createAndWait(ctx, inputs, {
      post: (description) =>
        dwsApi(ctx.client, ctx.region, ctx.label).copySnapshot(inputs.sourceSnapshotId, {
          backup_name: inputs.name,
          description,
        }),
      // A copy belongs to the cluster of the snapshot it copies.
      clusterId: async () => {
        const source = await dwsApi(ctx.client, ctx.region, ctx.label).findSnapshot(inputs.sourceSnapshotId);
        if (!source?.cluster_id) {
          throw new HuaweiCloudError(
            `sourceSnapshotId ${inputs.sourceSnapshotId}: there is no such snapshot`,
            {
              kind: "input",
              resource: ctx.label,
              hint: `Check the id and the region (${ctx.region}).`,
            },
          );
        }
        return source.cluster_id;
      },
    }),
};
