/**
 * DwsSnapshot (a manual snapshot of a DWS cluster) and DwsSnapshotCopy (a manual copy of an
 * automated snapshot). Both are DWS snapshots once created: one read, one wait, one delete.
 *
 * States: CREATING → AVAILABLE, or UNAVAILABLE (failed or cancelled). Not found: HTTP 404 or
 * DWS.5149 on GET, DWS.0001 "has been deleted" on DELETE (huawei-apis.md §1).
 */
import { z } from "zod";
import { HuaweiCloudError, isNotFound } from "../client/errors";
import { type DwsSnapshotDetail, dwsApi } from "../services/dws";
import { parseCloudTime, parsePercent } from "../services/util";
import { type OpContext, type ResourceSpec, stateField } from "./framework";
import {
  adoptOrCreate,
  deleteWatched,
  readWatched,
  retryWhileBusy,
  unsettled,
  type Watched,
  waitSettled,
  whenIso,
} from "./lifecycle";
import { cloudId, dwsDescription, dwsName, regionName, timeouts } from "./rules";

const MINUTE = 60_000;

/** What a snapshot and a copy share: a unique name, a description, where, how long, adoption. */
function snapshotFields() {
  return {
    name: dwsName(),
    description: dwsDescription(),
    region: regionName().optional(),
    timeouts: timeouts(),
    existingId: cloudId("DWS snapshot").optional(),
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
  return z.looseObject({
    name: text(),
    description: text(),
    region: text(),
    existingId: text(),
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
  outputs: (s) => ({
    name: s.name,
    description: s.description ?? "",
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
    send: async () => {
      try {
        await dws.deleteSnapshot(id);
        return "sent";
      } catch (err) {
        if (isNotFound(err) || (err instanceof HuaweiCloudError && err.code === "DWS.0001")) return "gone";
        throw err;
      }
    },
    failureHint: "Delete it in the DWS console, or run `pulumi destroy` again.",
  });
}

/** Adopting an existing snapshot: it must exist; then it is managed like a created one. */
async function adopt(ctx: OpContext, id: string, check: (s: DwsSnapshotDetail) => string | undefined) {
  const s = await dwsApi(ctx.client, ctx.region, ctx.label).getSnapshot(id);
  const mismatch = check(s);
  if (mismatch) {
    throw new HuaweiCloudError(`cannot adopt snapshot ${id}: ${mismatch}`, {
      kind: "input",
      resource: ctx.label,
      hint: "Set existingId to a snapshot that matches the resource's inputs, or change the inputs to match it.",
    });
  }
  return s.id;
}

/** Looks for a snapshot by its unique (case-insensitive) name: what an ambiguous create may have made. */
async function findByName(ctx: OpContext, name: string, clusterId?: string): Promise<string | undefined> {
  const all = await dwsApi(ctx.client, ctx.region, ctx.label).listSnapshots();
  const hit = all.find(
    (s) =>
      s.name.toLowerCase() === name.toLowerCase() &&
      (!clusterId || !s.cluster_id || s.cluster_id === clusterId),
  );
  return hit?.id;
}

/** DWS.7023: the cluster is busy (another snapshot is being taken); it clears when that finishes. */
const clusterBusy = (err: HuaweiCloudError) => err.code === "DWS.7023";

const common = {
  state: dwsState,
  defaultTimeouts: { create: 60 * MINUTE, update: 60 * MINUTE, delete: 20 * MINUTE },
  isUnsettled: (olds: DwsSnapshotState) => unsettled(snapshots, olds.status),
  isFailed: (olds: DwsSnapshotState) => olds.status !== undefined && snapshots.failed.has(olds.status),
  // Names are unique (case-insensitively): a replacement with the same name must delete first.
  deleteBeforeReplace: (olds: DwsSnapshotState, news: { name: string }) =>
    olds.name?.toLowerCase() === news.name.toLowerCase(),
  read: (ctx: OpContext, id: string) => readWatched(ctx, snapshots, id),
  delete: deleteSnapshot,
  // Nothing updates in place; an update after an interrupted create resumes the wait.
  update: async (ctx: OpContext, id: string, olds: DwsSnapshotState) =>
    common.isUnsettled(olds) ? waitAvailable(ctx, id, parseCloudTime(olds.startedAt), true) : {},
};

/**
 * Creates (or adopts) a DWS snapshot and waits until it is AVAILABLE. A snapshot and a copy differ
 * only in the request that makes them and in what an adopted one must match.
 */
async function createAndWait(
  ctx: OpContext,
  inputs: { name: string; existingId?: string },
  how: {
    post: () => Promise<string>;
    clusterId?: string;
    mismatch: (s: DwsSnapshotDetail) => string | undefined;
  },
) {
  const { created: id, startedAt } = inputs.existingId
    ? { created: await adopt(ctx, inputs.existingId, how.mismatch), startedAt: undefined }
    : await adoptOrCreate(ctx, {
        // The cluster refuses a second snapshot while one runs (DWS.7023): wait our turn.
        post: () => retryWhileBusy(ctx, clusterBusy, how.post),
        find: () => findByName(ctx, inputs.name, how.clusterId),
      }).catch((err) => explainNameTaken(ctx, inputs.name, err));
  ctx.recordId(id, { status: "CREATING" });
  return { id, outs: await waitAvailable(ctx, id, startedAt, startedAt === undefined) };
}

/**
 * Names are unique. A refused create whose name is taken gets the id of the holder: it may be this
 * stack's own snapshot, left behind by a run that was killed before it could record it.
 */
async function explainNameTaken(ctx: OpContext, name: string, err: unknown): Promise<never> {
  if (!(err instanceof HuaweiCloudError) || err.kind !== "api" || err.outcomeUnknown) throw err;
  const holder = await findByName(ctx, name).catch(() => undefined);
  if (!holder) throw err;
  throw new HuaweiCloudError(`refused: a snapshot named "${name}" already exists (${holder})`, {
    ...err.fields(),
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
      post: () =>
        dwsApi(ctx.client, ctx.region, ctx.label).createSnapshot({
          name: inputs.name,
          cluster_id: inputs.clusterId,
          description: inputs.description,
        }),
      clusterId: inputs.clusterId,
      mismatch: (s) =>
        s.cluster_id && s.cluster_id !== inputs.clusterId
          ? `it belongs to cluster ${s.cluster_id}`
          : undefined,
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
      post: () =>
        dwsApi(ctx.client, ctx.region, ctx.label).copySnapshot(inputs.sourceSnapshotId, {
          backup_name: inputs.name,
          description: inputs.description,
        }),
      mismatch: (s) =>
        s.name.toLowerCase() !== inputs.name.toLowerCase() ? `its name is "${s.name}"` : undefined,
    }),
};
