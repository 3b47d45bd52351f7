/**
 * EvsSnapshot: a snapshot of an EVS disk (v2 cloudsnapshots API).
 *
 * States: creating → available | error; delete only from available or error (else EVS.1047), then
 * deleting → gone (404 EVS.5404); error_deleting is terminal (huawei-apis.md §2). Name and
 * description update in place; everything else replaces.
 */
import { z } from "zod";
import { HuaweiCloudError, isNotFound } from "../client/errors";
import { type EvsSnapshotDetail, evsApi } from "../services/evs";
import { parseCloudTime, parsePercent } from "../services/util";
import type { Observation } from "../waiter";
import { DELETE_FIRST_POLL_MS, type OpContext, type Props, type ResourceSpec, waitUntil } from "./framework";
import { adoptOrCreate, whenIso } from "./lifecycle";
import { cloudId, evsDescription, evsMetadata, evsName, regionName, timeouts } from "./rules";

const MINUTE = 60_000;
/** Snapshots in these states can be deleted; others must settle first. */
const DELETABLE = new Set(["available", "error"]);
/**
 * States a snapshot does not come back from (deleting: someone deletes it outside Pulumi). Others
 * (creating, backing-up, rollbacking) are transient: a create waits for them, a delete waits them out.
 */
const TERMINAL_FAILURE = new Set(["error", "error_deleting", "deleting"]);
/** Clock skew tolerated when matching an ambiguous create by creation time. */
const CREATE_MATCH_WINDOW_MS = 2 * MINUTE;

function evsInputs() {
  return z.strictObject({
    volumeId: cloudId("EVS volume"),
    name: evsName(),
    description: evsDescription(),
    metadata: evsMetadata(),
    force: z.boolean({ error: "must be true or false" }).optional(),
    region: regionName().optional(),
    timeouts: timeouts(),
    existingId: cloudId("EVS snapshot").optional(),
  });
}
export type EvsSnapshotInputs = z.infer<ReturnType<typeof evsInputs>>;

function outputsOf(s: EvsSnapshotDetail): Props {
  return {
    volumeId: s.volume_id,
    name: s.name ?? "",
    description: s.description ?? "",
    // `metadata` stays as declared: the API cannot change it after creation (EVS.2047), so it cannot
    // drift, while the cloud may add keys of its own — shown here, never read as a change.
    cloudMetadata: s.metadata ?? undefined,
    status: s.status,
    size: s.size ?? undefined,
    progress:
      parsePercent(s["os-extended-snapshot-attributes:progress"]) ??
      (s.status === "available" ? 100 : undefined),
    createdAt: whenIso(s.created_at),
    updatedAt: whenIso(s.updated_at),
  };
}

function observe(s: EvsSnapshotDetail): Observation<EvsSnapshotDetail> {
  const state = s.status === "available" ? "success" : TERMINAL_FAILURE.has(s.status) ? "failure" : "pending";
  return {
    state,
    status: s.status,
    progress: parsePercent(s["os-extended-snapshot-attributes:progress"]),
    value: s,
  };
}

async function waitAvailable(ctx: OpContext, id: string, startedAt?: number, pollImmediately = false) {
  const evs = evsApi(ctx.client, ctx.region, ctx.label);
  const done = await waitUntil(ctx, {
    goal: "to become available",
    poll: async () => observe(await evs.getSnapshot(id)),
    startedAt,
    pollImmediately,
    outputs: outputsOf,
    failureHint:
      "The snapshot is kept in state so it is not orphaned. Check the disk's state in the EVS console; then " +
      "`pulumi up` replaces it with a new snapshot, or `pulumi destroy` deletes it.",
  });
  return outputsOf(done.value);
}

export const evsSnapshotSpec: ResourceSpec<EvsSnapshotInputs> = {
  kind: "EvsSnapshot",
  noun: "EVS snapshot",
  inputs: evsInputs,
  // Terraform's defaults are create 10m and delete 3m; large disks take longer.
  defaultTimeouts: { create: 30 * MINUTE, update: 30 * MINUTE, delete: 10 * MINUTE },
  replaceOnChange: ["volumeId", "metadata", "force", "region"],
  updatable: ["name", "description"],
  isUnsettled: (olds) => olds.status !== "available" && !TERMINAL_FAILURE.has(String(olds.status)),
  isFailed: (olds) => TERMINAL_FAILURE.has(String(olds.status)),
  labelOf: (i, id) => `EVS snapshot "${String(i.name)}"${id ? ` (${id})` : ""}`,

  async create(ctx, inputs) {
    const evs = evsApi(ctx.client, ctx.region, ctx.label);
    let snapshot: EvsSnapshotDetail;
    let startedAt: number | undefined;
    if (inputs.existingId) {
      snapshot = await evs.getSnapshot(inputs.existingId);
      if (snapshot.volume_id !== inputs.volumeId) {
        throw new HuaweiCloudError(
          `cannot adopt snapshot ${snapshot.id}: it is a snapshot of volume ${snapshot.volume_id}`,
          {
            kind: "input",
            resource: ctx.label,
            hint: "Set existingId to a snapshot of the resource's volumeId, or change volumeId to match it.",
          },
        );
      }
    } else {
      const firstTry = Date.now();
      ({ created: snapshot, startedAt } = await adoptOrCreate(ctx, {
        post: () =>
          evs.createSnapshot({
            volume_id: inputs.volumeId,
            name: inputs.name,
            description: inputs.description,
            metadata: inputs.metadata,
            force: inputs.force,
          }),
        // Same name, same volume, created since the first attempt (with a margin for clock skew).
        find: async () => {
          const candidates = (await evs.listSnapshots({ volume_id: inputs.volumeId, name: inputs.name }))
            .filter(
              (s) =>
                s.name === inputs.name &&
                (parseCloudTime(s.created_at) ?? 0) >= firstTry - CREATE_MATCH_WINDOW_MS,
            )
            .sort((a, b) => (parseCloudTime(b.created_at) ?? 0) - (parseCloudTime(a.created_at) ?? 0));
          return candidates[0];
        },
      }));
    }
    const id = snapshot.id;
    ctx.recordId(id, outputsOf(snapshot));
    // The create answer is the full snapshot: when it is already available there is nothing to wait for.
    if (observe(snapshot).state === "success") return { id, outs: outputsOf(snapshot) };
    return { id, outs: await waitAvailable(ctx, id, startedAt, startedAt === undefined) };
  },

  async read(ctx, id) {
    try {
      return outputsOf(await evsApi(ctx.client, ctx.region, ctx.label).getSnapshot(id));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  },

  async update(ctx, id, olds, news) {
    let outs: Props = {};
    // An update after an interrupted create first finishes the wait.
    if (evsSnapshotSpec.isUnsettled(olds)) {
      outs = await waitAvailable(ctx, id, parseCloudTime(String(olds.createdAt)), true);
    }
    const current = { name: outs.name ?? olds.name, description: outs.description ?? olds.description ?? "" };
    const wanted = { name: news.name, description: news.description ?? "" };
    if (current.name !== wanted.name || current.description !== wanted.description) {
      // Unlike Terraform, an empty description is sent, so a description can be cleared.
      const s = await evsApi(ctx.client, ctx.region, ctx.label).updateSnapshot(id, wanted);
      outs = outputsOf(s);
    }
    return outs;
  },

  async delete(ctx, id) {
    const evs = evsApi(ctx.client, ctx.region, ctx.label);
    let requested = false;
    const request = async () => {
      try {
        await evs.deleteSnapshot(id);
        requested = true;
        return true;
      } catch (err) {
        if (isNotFound(err)) return "gone";
        // EVS.1047: not available or error (yet). Wait for it to settle, then ask again.
        if (err instanceof HuaweiCloudError && err.code === "EVS.1047") return false;
        throw err;
      }
    };
    if ((await request()) === "gone") return;
    await waitUntil(ctx, {
      goal: "to be deleted",
      firstDelayMs: DELETE_FIRST_POLL_MS,
      pollImmediately: !requested,
      poll: async () => {
        let s: EvsSnapshotDetail;
        try {
          s = await evs.getSnapshot(id);
        } catch (err) {
          if (isNotFound(err)) return { state: "gone", status: "deleted", value: undefined };
          throw err;
        }
        if (s.status === "error_deleting") return { state: "failure", status: s.status, value: undefined };
        if (!requested && DELETABLE.has(s.status) && (await request()) === "gone") {
          return { state: "gone", status: "deleted", value: undefined };
        }
        // While it is still being created, its progress tells when the delete can be sent.
        const progress =
          s.status === "creating" ? parsePercent(s["os-extended-snapshot-attributes:progress"]) : undefined;
        return { state: "pending", status: s.status, progress, value: undefined };
      },
      failureHint: "EVS could not delete the snapshot (error_deleting). Contact support or retry the delete.",
    });
  },
};
