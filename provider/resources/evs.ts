/**
 * EvsSnapshot: a snapshot of an EVS disk (v2 cloudsnapshots API).
 *
 * States: creating → available | error; delete only from available or error (else EVS.1047), then
 * deleting → gone (404 EVS.5404); error_deleting is terminal (huawei-apis.md §2). Name and
 * description update in place; everything else replaces.
 */
import { z } from "zod";
import { HuaweiCloudError } from "../client/errors";
import { type EvsSnapshotDetail, evsApi } from "../services/evs";
import { parseCloudTime, parsePercent } from "../services/util";
import { identityOf, type OpContext, ownershipInputs, type ResourceSpec, stateField } from "./framework";
import {
  adoptExisting,
  adoptOrCreate,
  deleteWatched,
  observe,
  readWatched,
  unsettled,
  type Watched,
  waitSettled,
  whenIso,
} from "./lifecycle";
import { cloudId, evsDescription, evsMetadata, evsName, regionName, timeouts } from "./rules";

const MINUTE = 60_000;
/** The metadata key that carries a snapshot's owner stamp (docs/ownership.md). */
const OWNER_KEY = "pulumi_owner";

function evsInputs() {
  return z.strictObject({
    volumeId: cloudId("EVS volume"),
    name: evsName(),
    description: evsDescription(),
    metadata: evsMetadata().refine((m) => m?.[OWNER_KEY] === undefined, {
      message: `keys must not include "${OWNER_KEY}" (the provider's own mark of ownership)`,
    }),
    force: z.boolean({ error: "must be true or false" }).optional(),
    region: regionName().optional(),
    timeouts: timeouts(),
    existingId: cloudId("EVS snapshot").optional(),
    ...ownershipInputs(),
  });
}
export type EvsSnapshotInputs = z.infer<ReturnType<typeof evsInputs>>;

/** The state of an EvsSnapshot: the inputs echoed, then what the API reports. */
function evsState() {
  const text = () => stateField(z.string());
  return z.object({
    volumeId: text(),
    name: text(),
    description: text(),
    metadata: stateField(z.record(z.string(), z.string())),
    force: stateField(z.boolean()),
    region: text(),
    existingId: text(),
    owner: text(),
    generation: stateField(z.number()),
    cloudMetadata: stateField(z.record(z.string(), z.string())),
    status: text(),
    size: stateField(z.number()),
    progress: stateField(z.number()),
    createdAt: text(),
    updatedAt: text(),
  });
}
export type EvsSnapshotState = z.infer<ReturnType<typeof evsState>>;

const progressOf = (s: EvsSnapshotDetail) => parsePercent(s["os-extended-snapshot-attributes:progress"]);

/**
 * An EVS snapshot as the resource watches it. Failed: states it does not come back from (deleting:
 * someone deletes it outside Pulumi). Others (creating, backing-up, rollbacking) are transient: a
 * create waits for them, a delete waits them out.
 */
const snapshots: Watched<EvsSnapshotDetail, EvsSnapshotState> = {
  find: (ctx, id) => evsApi(ctx.client, ctx.region, ctx.label).findSnapshot(id),
  status: (s) => s.status,
  progress: progressOf,
  settled: new Set(["available"]),
  failed: new Set(["error", "error_deleting", "deleting"]),
  outputs: (s): EvsSnapshotState => ({
    volumeId: s.volume_id,
    name: s.name ?? "",
    description: s.description ?? "",
    // `metadata` stays as declared: the API cannot change it after creation (EVS.2047), so it cannot
    // drift, while the cloud may add keys of its own — shown here, never read as a change.
    cloudMetadata: s.metadata ?? undefined,
    status: s.status,
    size: s.size ?? undefined,
    progress: progressOf(s) ?? (s.status === "available" ? 100 : undefined),
    createdAt: whenIso(s.created_at),
    updatedAt: whenIso(s.updated_at),
  }),
};

/** Snapshots in these states can be deleted (else EVS.1047); others must settle first. */
const DELETABLE = new Set(["available", "error"]);

async function waitAvailable(ctx: OpContext, id: string, startedAt?: number, pollImmediately = false) {
  const s = await waitSettled(ctx, snapshots, id, {
    goal: "to become available",
    startedAt,
    pollImmediately,
    failureHint:
      "The snapshot is kept in state so it is not orphaned. Check the disk's state in the EVS console; then " +
      "`pulumi up` replaces it with a new snapshot, or `pulumi destroy` deletes it.",
  });
  return snapshots.outputs(s!);
}

export const evsSnapshotSpec: ResourceSpec<EvsSnapshotInputs, EvsSnapshotState> = {
  kind: "EvsSnapshot",
  noun: "EVS snapshot",
  inputs: evsInputs,
  state: evsState,
  // Terraform's defaults are create 10m and delete 3m; large disks take longer.
  defaultTimeouts: { create: 30 * MINUTE, update: 30 * MINUTE, delete: 10 * MINUTE },
  replaceOnChange: ["volumeId", "metadata", "force", "region"],
  updatable: ["name", "description"],
  isUnsettled: (olds) => unsettled(snapshots, olds.status),
  isFailed: (olds) => olds.status !== undefined && snapshots.failed.has(olds.status),
  labelOf: (i, id) => `EVS snapshot "${String(i.name)}"${id ? ` (${id})` : ""}`,

  async create(ctx, inputs) {
    const identity = identityOf(inputs);
    let snapshot: EvsSnapshotDetail;
    let startedAt: number | undefined;
    if (inputs.existingId && identity.first) {
      snapshot = await adoptExisting(ctx, snapshots, inputs.existingId, [
        (s) => (s.volume_id !== inputs.volumeId ? `it is a snapshot of volume ${s.volume_id}` : undefined),
        (s) => (s.name !== inputs.name ? `its name is "${s.name ?? ""}", not "${inputs.name}"` : undefined),
      ]);
    } else {
      const evs = evsApi(ctx.client, ctx.region, ctx.label);
      // Ours is what carries our stamp: never a snapshot made by hand, by another resource on the
      // same disk, or by the incarnation this one replaces (another generation), whatever the clocks say.
      const ours = async () =>
        (await evs.listSnapshots({ volume_id: inputs.volumeId }))
          .filter((s) => s.metadata?.[OWNER_KEY] === identity.stamp)
          .sort((a, b) => (parseCloudTime(a.created_at) ?? 0) - (parseCloudTime(b.created_at) ?? 0))[0];
      // A run killed after its POST left this resource's snapshot behind: take it back.
      const left = identity.stable ? await ours() : undefined;
      ({ created: snapshot, startedAt } = left
        ? { created: left, startedAt: undefined }
        : await adoptOrCreate(ctx, {
            post: () =>
              evs.createSnapshot({
                volume_id: inputs.volumeId,
                name: inputs.name,
                description: inputs.description,
                metadata: { ...inputs.metadata, [OWNER_KEY]: identity.stamp },
                force: inputs.force,
              }),
            find: ours,
          }));
    }
    const id = snapshot.id;
    ctx.recordId(id, snapshots.outputs(snapshot));
    // The create answer is the full snapshot: when it is already available there is nothing to wait for.
    if (observe(snapshots, snapshot).state === "success") return { id, outs: snapshots.outputs(snapshot) };
    return { id, outs: await waitAvailable(ctx, id, startedAt, startedAt === undefined) };
  },

  read: (ctx, id) => readWatched(ctx, snapshots, id),

  async update(ctx, id, olds, news) {
    let outs: EvsSnapshotState = {};
    // An update after an interrupted create first finishes the wait.
    if (evsSnapshotSpec.isUnsettled(olds)) {
      outs = await waitAvailable(ctx, id, parseCloudTime(olds.createdAt), true);
    }
    const current = { name: outs.name ?? olds.name, description: outs.description ?? olds.description ?? "" };
    const wanted = { name: news.name, description: news.description ?? "" };
    if (current.name !== wanted.name || current.description !== wanted.description) {
      // Unlike Terraform, an empty description is sent, so a description can be cleared.
      const s = await evsApi(ctx.client, ctx.region, ctx.label).updateSnapshot(id, wanted);
      outs = snapshots.outputs(s);
    }
    return outs;
  },

  delete(ctx, id) {
    const evs = evsApi(ctx.client, ctx.region, ctx.label);
    return deleteWatched(ctx, snapshots, id, {
      deletable: DELETABLE,
      deleteFailed: new Set(["error_deleting"]),
      sendFirst: true,
      send: async () => {
        try {
          return await evs.removeSnapshot(id);
        } catch (err) {
          // EVS.1047: not available or error (yet). Wait for it to settle, then ask again.
          if (err instanceof HuaweiCloudError && err.code === "EVS.1047") return "not-yet";
          throw err;
        }
      },
      failureHint: "EVS could not delete the snapshot (error_deleting). Contact support or retry the delete.",
    });
  },
};
