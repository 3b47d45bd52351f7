/**
 * CbrReplication: cross-region replication of a CBR server backup vault's backups into a
 * replication vault in another region, followed to the end — unlike Terraform's one-shot
 * `cbr_checkpoint_copy`, it waits, reads, detects drift and deletes what it created.
 *
 * The cloud has no replication object. `POST /backups/{id}/replicate` (CopyBackup) replicates one
 * backup, again once its previous replica is gone, and names the replica as told. Each replication is a
 * task in the source vault's operation logs (waiting → running → success | failed, with progress, the
 * replica's id and name); the replicas are backups in the destination vault with image_type
 * "replication" (Huawei Cloud CBR API reference). The resource id is `<source vault id>:<destination region>`.
 *
 * Which replications are this resource's (docs/ownership.md): those whose replica carries its name,
 * `pulumi-<stamp>` from the resource's owner and generation (as the task names the replica, or as
 * the replica in the destination vault is named), newer than `trackedAfter` (a cloud
 * time: its name's replications older than its first request belong to an earlier incarnation that
 * was destroyed). The name survives a provider host killed mid-create, so the next run finds what
 * that run made and makes nothing twice. Backups are therefore replicated one by one, never with the
 * vault-level CopyCheckpoint: its replicas carry no name of ours, and it goes to a region only once
 * per vault, ever. With `adoptExisting`, or in state from before names (no `replicaName`), every
 * replication towards the vault and region newer than `trackedAfter` is the resource's. For each
 * source backup the latest counts. State is the mark, the name and counts, the same size for 3
 * backups or 3,000; the operation logs are the history that outlives source backups that expire.
 */
import { z } from "zod";
import { HuaweiCloudError } from "../client/errors";
import { MINUTE_MS } from "../client/rules";
import { type Backup, cbrApi, type ReplicationLog } from "../services/cbr";
import { orUndefined, parseCloudTime } from "../services/util";
import { anyEnd, type Observation } from "../waiter";
import {
  identityOf,
  type OpContext,
  ownershipInputs,
  type ResourceSpec,
  stateField,
  waitUntil,
} from "./framework";
import { deleteWatched, findPatiently, retryWhileBusy, type Watched } from "./lifecycle";
import { cloudId, projectId, regionName, timeouts } from "./rules";

/** Problems named in state and errors; the rest are counted. */
const MAX_PROBLEMS = 5;
/** A finished replication whose replica is gone (deleted outside Pulumi) while its source remains. */
const LOST = "replica_lost";

function cbrInputs(defaults: { region?: string } = {}) {
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
      ...ownershipInputs(),
    })
    .refine((i) => i.destinationRegion !== (i.region ?? defaults.region), {
      message:
        "must differ from the source region (the resource's region, else the provider's): replication goes to another region",
      path: ["destinationRegion"],
    });
}
export type CbrReplicationInputs = z.infer<ReturnType<typeof cbrInputs>>;

/** State as this version writes it, tolerant of what a partial failure or version 0.x left. */
export function cbrState() {
  const text = () => stateField(z.string());
  const count = () => stateField(z.number().int().nonnegative());
  return z.looseObject({
    sourceVaultId: text(),
    destinationVaultId: text(),
    destinationRegion: text(),
    destinationProjectId: text(),
    startedAt: text(),
    trackedAfter: text(),
    replicaName: text(),
    owner: text(),
    generation: count(),
    status: text(),
    statusDetail: text(),
    progress: stateField(z.number()),
    backups: count(),
    replicas: count(),
    replicating: count(),
    failed: count(),
    lost: count(),
    sourceGone: count(),
    problems: stateField(z.array(z.string())),
    region: text(),
  });
}

/** Version 0.x listed every replication in state; read only to find what it made. */
function legacyLists() {
  const ids = () => stateField(z.array(z.string()));
  return z.object({ replicaBackupIds: ids(), sourceBackupIds: ids() });
}
export type CbrReplicationState = z.infer<ReturnType<typeof cbrState>>;

/** One source backup's latest replication towards the destination region. */
interface Replication {
  logId: string;
  sourceBackupId: string;
  status: "waiting_replicate" | "replicating" | "success" | "fail";
  progress: number;
  replicaId?: string;
  /** The replica's name, as the task gives it. */
  replicaName?: string;
  /** Cloud time (epoch ms). */
  createdAt: number;
  failure?: string;
}

/** A replication as last seen, with its replica and whether its source backup still exists. */
interface Seen extends Replication {
  sourceGone?: boolean;
  replica?: Backup;
  /** Whether the destination side was looked at. */
  looked: boolean;
}

/** What a resource tracks: the vaults, the region, the mark and the name. */
interface Scope {
  sourceVaultId: string;
  destinationVaultId: string;
  destinationRegion: string;
  /** Cloud time (epoch ms): replications newer than this are the resource's; undefined = all. */
  after?: number;
  /** When set, only replications whose replica has this name are the resource's. */
  replicaName?: string;
  /** Replicas version 0.x recorded in state. */
  legacyReplicaIds?: string[];
}

const PENDING = new Set(["waiting_replicate", "replicating"]);
const GONE_REPLICA = new Set(["deleting", "waiting_delete"]);

/**
 * The description version 0.x gave the replicas it made one by one: its delete still deletes them,
 * for state from before replica names only.
 */
function ownerMark(sourceVaultId: string, destinationRegion: string): string {
  return `Pulumi CbrReplication ${sourceVaultId}:${destinationRegion}`;
}

/** The name of the resource's replicas (CopyBackup takes 1–64 characters): its ownership mark. */
export const replicaNameOf = (stamp: string) => `pulumi-${stamp}`;

/** The description of the resource's replicas (up to 255 characters): for the people who see them. */
const replicaDescription = (scope: Scope) =>
  `Replicated by Pulumi (CbrReplication ${scope.sourceVaultId}:${scope.destinationRegion})`;

function statusOfLog(status: string): Replication["status"] {
  switch (status) {
    case "waiting":
      return "waiting_replicate";
    case "running":
      return "replicating";
    case "success":
      return "success";
    default:
      return "fail"; // failed, timeout, skipped: no replica came of it
  }
}

function replicationOf(log: ReplicationLog): Replication & { region?: string } {
  const r = log.extra_info?.replication;
  const status = statusOfLog(log.status);
  const failure = log.error_info?.code
    ? `${log.error_info.code} ${log.error_info.message ?? ""}`.trim()
    : status === "fail"
      ? log.status
      : undefined;
  return {
    logId: log.id,
    sourceBackupId: r?.source_backup_id ?? "",
    region: r?.destination_region ?? undefined,
    status,
    progress: status === "success" ? 100 : (log.extra_info?.common?.progress ?? 0),
    replicaId: r?.destination_backup_id || undefined,
    replicaName: r?.destination_backup_name || undefined,
    createdAt: parseCloudTime(log.created_at) ?? 0,
    failure,
  };
}

/** Every replication of the source vault towards the region (all pages), oldest first. */
async function history(ctx: OpContext, sourceVaultId: string, region: string): Promise<Replication[]> {
  const logs = await cbrApi(ctx.client, ctx.region, ctx.label).listReplicationLogs(sourceVaultId);
  return logs
    .map(replicationOf)
    .filter((r) => r.sourceBackupId && r.region === region)
    .sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * Whether a replication is in scope: newer than its mark and, where it has a name, of its name —
 * as its task names the replica, or (`named`: ids of replicas seen with the name) as the replica
 * itself is named, in case a task does not say.
 */
function inScope(r: Replication, scope: Pick<Scope, "after" | "replicaName">, named?: Set<string>): boolean {
  return (
    (scope.after === undefined || r.createdAt > scope.after) &&
    (scope.replicaName === undefined ||
      r.replicaName === scope.replicaName ||
      (r.replicaId !== undefined && named?.has(r.replicaId) === true))
  );
}

/** The latest replication per source backup among those in scope (`{}`: all of them). */
function latestPerBackup(
  all: Replication[],
  scope: Pick<Scope, "after" | "replicaName">,
  named?: Set<string>,
): Replication[] {
  const latest = new Map<string, Replication>();
  for (const r of all) if (inScope(r, scope, named)) latest.set(r.sourceBackupId, r);
  return [...latest.values()];
}

/** The ids of the replicas that carry the scope's name. */
function namedIn(replicas: Map<string, Backup>, scope: Pick<Scope, "replicaName">): Set<string> {
  const ids = new Set<string>();
  if (scope.replicaName === undefined) return ids;
  for (const b of replicas.values()) if (b.name === scope.replicaName) ids.add(b.id);
  return ids;
}

function newest(rs: Replication[], before = Number.POSITIVE_INFINITY): number | undefined {
  let latest: number | undefined;
  for (const r of rs)
    if (r.createdAt < before && (latest === undefined || r.createdAt > latest)) latest = r.createdAt;
  return latest;
}

/** The replicas in the destination vault, by id. */
async function replicasIn(ctx: OpContext, scope: Scope): Promise<Map<string, Backup>> {
  const copies = await cbrApi(ctx.client, scope.destinationRegion, ctx.label).listBackups({
    vault_id: scope.destinationVaultId,
    image_type: "replication",
  });
  return new Map(copies.map((c) => [c.id, c]));
}

/** The source vault's backups (none when the vault itself was deleted). */
async function sourceBackups(ctx: OpContext, sourceVaultId: string): Promise<Backup[]> {
  const api = cbrApi(ctx.client, ctx.region, ctx.label);
  return (await orUndefined(api.listBackups({ vault_id: sourceVaultId, image_type: "backup" }))) ?? [];
}

/**
 * The resource's replications as the cloud shows them now (`seen`), with what was read for them:
 * the vault's replications towards the region, and the destination vault's replicas when it was
 * looked at. The destination side and the source backups are looked at always, or only once
 * nothing is pending. `sources`: the source backups' ids when the caller has just listed them (a
 * create), to save listing them again.
 */
async function observe(
  ctx: OpContext,
  scope: Scope,
  look: "always" | "when-done",
  sources?: Set<string>,
): Promise<{ seen: Seen[]; toward: Replication[]; replicas?: Map<string, Backup> }> {
  const toward = await history(ctx, scope.sourceVaultId, scope.destinationRegion);
  const mine = latestPerBackup(toward, scope);
  if (look === "when-done" && mine.some((r) => PENDING.has(r.status))) {
    return { seen: mine.map((r) => ({ ...r, looked: false })), toward };
  }
  const [replicas, live] = await Promise.all([
    replicasIn(ctx, scope),
    sources ?? sourceBackups(ctx, scope.sourceVaultId).then((bs) => new Set(bs.map((b) => b.id))),
  ]);
  const seen = latestPerBackup(toward, scope, namedIn(replicas, scope)).map((r) => ({
    ...r,
    looked: true,
    sourceGone: !live.has(r.sourceBackupId),
    ...(r.replicaId && replicas.has(r.replicaId) ? { replica: replicas.get(r.replicaId) } : {}),
  }));
  return { seen, toward, replicas };
}

const survey = async (...args: Parameters<typeof observe>) => (await observe(...args)).seen;

type Verdict = "pending" | "done" | "fail" | "lost" | "expired";

function verdict(r: Seen): Verdict {
  if (PENDING.has(r.status)) return "pending";
  if (r.status === "fail") return "fail";
  if (!r.looked) return "pending";
  const present = r.replica && !GONE_REPLICA.has(r.replica.status);
  if (present) return r.replica!.status === "available" ? "done" : "pending";
  // Its source expired or was deleted and its replica is gone too: the normal end of a backup.
  return r.sourceGone ? "expired" : "lost";
}

function problemOf(r: Seen, v: Verdict): string | undefined {
  if (v === "fail") return `backup ${r.sourceBackupId}: replication failed (${r.failure ?? "fail"})`;
  if (v === "lost")
    return `backup ${r.sourceBackupId}: replica ${r.replicaId ?? ""} was deleted outside Pulumi`;
  return undefined;
}

function summaryOf(seen: Seen[]) {
  const verdicts = seen.map(verdict);
  const n = (v: Verdict) => verdicts.filter((x) => x === v).length;
  const problems = seen.flatMap((r, i) => problemOf(r, verdicts[i]!) ?? []);
  const status = n("fail") ? "fail" : n("lost") ? LOST : n("pending") ? "replicating" : "success";
  const replicas = seen.filter((r) => r.replica && !GONE_REPLICA.has(r.replica.status)).length;
  const sourceGone = seen.filter((r) => r.sourceGone).length;
  const progresses = seen.map((r, i) => (verdicts[i] === "pending" ? r.progress : 100));
  const parts = [
    `${replicas} of ${seen.length} replicas present`,
    n("pending") ? `${n("pending")} replicating` : "",
    n("fail") ? `${n("fail")} failed` : "",
    n("lost") ? `${n("lost")} deleted outside Pulumi (pulumi up replicates them again)` : "",
    sourceGone
      ? `${sourceGone} source backups expired or deleted (their replicas stay tracked; destroy deletes them)`
      : "",
  ];
  return {
    status,
    statusDetail: parts.filter(Boolean).join("; "),
    progress: progresses.length ? Math.floor(progresses.reduce((a, b) => a + b, 0) / progresses.length) : 100,
    backups: seen.length,
    replicas,
    replicating: n("pending"),
    failed: n("fail"),
    lost: n("lost"),
    sourceGone,
    problems: bounded(problems),
  };
}

/** At most MAX_PROBLEMS entries, the last one counting the rest. */
function bounded(items: string[]): string[] {
  if (items.length <= MAX_PROBLEMS) return items;
  return [...items.slice(0, MAX_PROBLEMS - 1), `… and ${items.length - MAX_PROBLEMS + 1} more`];
}

function observation(seen: Seen[]): Observation<Seen[]> {
  const s = summaryOf(seen);
  return {
    state:
      s.status === "success" ? "success" : s.status === "fail" || s.status === LOST ? "failure" : "pending",
    status: s.status,
    progress: s.progress,
    value: seen,
  };
}

function scopeOf(state: CbrReplicationState, toward?: Replication[]): Scope {
  const { sourceVaultId, destinationVaultId, destinationRegion } = state;
  if (!sourceVaultId || !destinationVaultId || !destinationRegion) {
    throw new HuaweiCloudError("its state lacks the source vault, destination vault or destination region", {
      kind: "input",
      hint: "Run `pulumi refresh`; if the state was edited by hand, restore sourceVaultId, destinationVaultId and destinationRegion.",
    });
  }
  const legacy = legacyLists().parse(state);
  const scope: Scope = {
    sourceVaultId,
    destinationVaultId,
    destinationRegion,
    after: parseCloudTime(state.trackedAfter),
    replicaName: state.replicaName,
    legacyReplicaIds: legacy.replicaBackupIds,
  };
  if (state.trackedAfter === undefined && toward) {
    // Version 0.x state: the mark is the newest replication before the first one it listed.
    const listed = new Set([...(legacy.sourceBackupIds ?? []), ...(legacy.replicaBackupIds ?? [])]);
    const first = toward.find(
      (r) => listed.has(r.sourceBackupId) || (r.replicaId !== undefined && listed.has(r.replicaId)),
    );
    scope.after = first ? newest(toward, first.createdAt) : Number.POSITIVE_INFINITY;
  }
  return scope;
}

/** The scope of old state, migrating a version 0.x state to the mark (one more list call). */
async function scopeOfState(ctx: OpContext, state: CbrReplicationState): Promise<Scope> {
  if (state.trackedAfter !== undefined || !legacyLists().parse(state).sourceBackupIds?.length) {
    return scopeOf(state);
  }
  const { sourceVaultId, destinationRegion } = scopeOf(state);
  return scopeOf(state, await history(ctx, sourceVaultId, destinationRegion));
}

function markOf(scope: Scope): Partial<CbrReplicationState> {
  const known = scope.after !== undefined && Number.isFinite(scope.after);
  return {
    trackedAfter: known ? new Date(scope.after!).toISOString() : undefined,
    replicaName: scope.replicaName,
  };
}

/**
 * Waits until every replication in scope has ended. `expected`: source backups just replicated,
 * each of which must be seen among the resource's replications before it can be a success.
 */
async function waitReplicated(
  ctx: OpContext,
  scope: Scope,
  startedAt?: number,
  sources?: Set<string>,
  expected: string[] = [],
) {
  const done = await waitUntil(ctx, {
    goal: "for every replication to succeed and every replica to be available",
    poll: async () => {
      const seen = await survey(ctx, scope, "when-done", sources);
      const o = observation(seen);
      const ids = new Set(seen.map((r) => r.sourceBackupId));
      return o.state === "success" && expected.some((id) => !ids.has(id))
        ? { ...o, state: "pending" as const, status: "replicating", progress: undefined }
        : o;
    },
    startedAt,
    pollImmediately: startedAt === undefined,
    outputs: summaryOf,
    failureDetail: (o) => {
      const s = summaryOf(o.value);
      return `${s.statusDetail}: ${s.problems.join("; ")}`;
    },
    failureHint:
      "It is kept in state with every replica it made, so nothing is orphaned. `pulumi up` replaces it (its " +
      "replicas are deleted, then the backups are replicated again, one by one), `pulumi destroy` deletes " +
      "its replicas. The source vault's replication tasks in the CBR console say why a replication failed.",
  });
  return summaryOf(done.value);
}

export const cbrReplicationSpec: ResourceSpec<CbrReplicationInputs, CbrReplicationState> = {
  kind: "CbrReplication",
  noun: "CBR replication",
  inputs: cbrInputs,
  state: cbrState,
  // Replicating large backups across regions takes long; Terraform does not wait at all.
  defaultTimeouts: { create: 120 * MINUTE_MS, update: 120 * MINUTE_MS, delete: 30 * MINUTE_MS },
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
    const target = { ...inputs, destinationProjectId };
    // What exists (the vault's replications, for what is ours; its backups, for what to replicate).
    const [earlier, available] = await Promise.all([
      history(ctx, inputs.sourceVaultId, inputs.destinationRegion),
      sourceBackups(ctx, inputs.sourceVaultId),
    ]);
    // The destination vault is listed once, and only when the vault was replicated there before.
    const replicas = earlier.length ? await replicasIn(ctx, inputs) : new Map<string, Backup>();
    const scope = scopeOfCreate(inputs, earlier, replicas);
    let started: Partial<CbrReplicationState> | undefined;
    // In state from the first request the cloud accepted: whatever fails later, nothing it made is lost.
    const record = () => {
      if (started) return;
      started = { destinationProjectId, startedAt: new Date().toISOString(), ...markOf(scope) };
      ctx.recordId(id, { ...started, status: "replicating" });
    };
    const mine = latestPerBackup(earlier, scope, namedIn(replicas, scope));
    if (mine.length) record(); // found, from a run killed mid-create or adopted: in state already
    // Every available backup without a replica in the region (or one on its way) is replicated; a
    // backup whose replica someone else made keeps it, unmanaged (adoptExisting manages those).
    const backups = available.filter((b) => b.status === "available");
    const covered = new Set(live(earlier, {}, replicas).map((r) => r.sourceBackupId));
    const todo = backups.filter((b) => !covered.has(b.id)).map((b) => b.id);
    if (todo.length === 0 && mine.length === 0 && backups.length > 0) {
      throw new HuaweiCloudError(
        `refused: all ${backups.length} available backups of vault ${inputs.sourceVaultId} already have ` +
          `replicas in ${inputs.destinationRegion} that this resource did not make`,
        {
          kind: "api",
          resource: ctx.label,
          hint: "A backup has one replica per region. To manage those replicas with this resource, set adoptExisting: true.",
        },
      );
    }
    await replicateEach(ctx, target, todo, earlier, scope, record);
    record(); // nothing to replicate: an empty vault
    const startedAt = parseCloudTime(started?.startedAt);
    return {
      id,
      outs: {
        ...started,
        // The source backups were listed a moment ago: the wait does not list them again.
        ...(await waitReplicated(
          ctx,
          scope,
          todo.length ? startedAt : undefined,
          new Set(available.map((b) => b.id)),
          todo,
        )),
      },
    };
  },

  async read(ctx, _id, state) {
    const scope = await scopeOfState(ctx, state);
    const seen = await survey(ctx, scope, "always");
    // Gone when every replica it made has been deleted (outside Pulumi, or by the cloud's retention).
    const made = seen.filter((r) => r.replicaId);
    if (made.length > 0 && seen.every((r) => verdict(r) === "lost" || verdict(r) === "expired")) {
      return undefined;
    }
    return { ...markOf(scope), ...summaryOf(seen) };
  },

  async update(ctx, _id, state) {
    // Nothing updates in place. An update after an interrupted create resumes the wait; one after
    // a refresh found replicas deleted outside Pulumi replicates those backups again.
    if (state.status !== LOST && state.status !== "replicating") return {};
    const scope = await scopeOfState(ctx, state);
    if (state.status === LOST) return { ...markOf(scope), ...(await repairLostReplicas(ctx, state, scope)) };
    return { ...markOf(scope), ...(await waitReplicated(ctx, scope, parseCloudTime(state.startedAt))) };
  },

  async delete(ctx, _id, state) {
    const scope = await scopeOfState(ctx, state);
    const destination = cbrApi(ctx.client, scope.destinationRegion, ctx.label);
    let last = await observe(ctx, scope, "always");
    // Replicas still being made are let finish, so none is left behind half-made.
    if (last.seen.some((r) => verdict(r) === "pending")) {
      await waitUntil(ctx, {
        goal: "for replication to finish before its replicas are deleted",
        pollImmediately: true,
        poll: async () => {
          last = await observe(ctx, scope, "always");
          return anyEnd(observation(last.seen));
        },
      });
    }
    const { seen } = last;
    const present = last.replicas ?? new Map<string, Backup>(); // "always" looks at the destination
    // Its replicas: those of its replications, and those of its name (or, in state from before
    // names, of the description version 0.x gave them); never another replica in the vault.
    const ofItsOwn = scope.replicaName
      ? (b: Backup) => b.name === scope.replicaName
      : (b: Backup) => b.description === ownerMark(scope.sourceVaultId, scope.destinationRegion);
    const mine = new Set<string>([
      ...seen.flatMap((r) => (r.replicaId ? [r.replicaId] : [])),
      ...(scope.legacyReplicaIds ?? []),
      ...[...present.values()].filter(ofItsOwn).map((b) => b.id),
    ]);
    const doomed = [...mine].filter((rid) => present.has(rid));
    // Each replica is deleted the one way every snapshot is: a DELETE accepted but not carried out
    // (the replica still "available" two polls later) is sent again, a bounded number of times.
    const replicas: Watched<Backup> = {
      find: (_ctx, id) => destination.findBackup(id),
      status: (b) => b.status,
      progress: () => undefined,
      settled: new Set(["available"]),
      failed: new Set(["error"]),
      outputs: () => ({}),
    };
    const ends = await Promise.allSettled(
      doomed.map((replicaId) =>
        deleteWatched(ctx, replicas, replicaId, {
          deletable: new Set(["available"]),
          deleteFailed: new Set(["error"]),
          sendFirst: true,
          send: () => destination.removeBackup(replicaId),
          failureHint:
            "A replica backup could not be deleted; delete it in the CBR console of the destination region.",
        }),
      ),
    );
    const failed = ends.find((e) => e.status === "rejected");
    if (failed) throw failed.reason;
  },
};

/**
 * Which of the vault's replications towards the region a new resource takes (`earlier`: those
 * before its first request):
 * - by default, those whose replica carries its name: a run of this very resource that was killed
 *   mid-create made them. Only the ones whose replica exists or is on its way are taken; older ones
 *   of the name (an incarnation destroyed since) stay history, below the mark.
 * - with adoptExisting, the live ones whatever made them, from the oldest on (the mark goes just
 *   before it); a later one whose replica is gone is replicated again.
 */
function scopeOfCreate(
  inputs: CbrReplicationInputs,
  earlier: Replication[],
  replicas: Map<string, Backup>,
): Scope {
  const vaults = {
    sourceVaultId: inputs.sourceVaultId,
    destinationVaultId: inputs.destinationVaultId,
    destinationRegion: inputs.destinationRegion,
  };
  const named = { ...vaults, replicaName: replicaNameOf(identityOf(inputs).stamp) };
  const adopt = inputs.adoptExisting ? live(earlier, {}, replicas) : [];
  if (adopt.length) return { ...vaults, after: newest(earlier, oldest(adopt)) };
  const resumed = live(earlier, named, replicas);
  const ofName = earlier.filter((r) => r.replicaName === named.replicaName);
  return { ...named, after: resumed.length ? newest(ofName, oldest(resumed)) : newest(ofName) };
}

const oldest = (rs: Replication[]) =>
  rs.reduce((min, r) => Math.min(min, r.createdAt), Number.POSITIVE_INFINITY);

/** The latest replications in scope whose replica (in `replicas`) exists or is on its way. */
function live(
  earlier: Replication[],
  scope: Pick<Scope, "after" | "replicaName">,
  replicas: Map<string, Backup>,
): Replication[] {
  return latestPerBackup(earlier, scope, namedIn(replicas, scope)).filter(
    (r) =>
      PENDING.has(r.status) ||
      (r.status === "success" &&
        r.replicaId !== undefined &&
        replicas.has(r.replicaId) &&
        !GONE_REPLICA.has(replicas.get(r.replicaId)!.status)),
  );
}

type Target = CbrReplicationInputs & { destinationProjectId: string };

/** CopyBackup requests in flight at once for one resource (the client's limiter bounds the rest). */
const PARALLEL_POSTS = 8;

/**
 * Replicates source backups one by one (CopyBackup), each replica named as the resource's. A
 * backup whose old replica is still being deleted is refused (BackupService.6131) until it is gone.
 * Up to PARALLEL_POSTS at once; after a failure no new one starts, those in flight end, and the
 * first failure is thrown.
 */
async function replicateEach(
  ctx: OpContext,
  target: Target,
  backupIds: string[],
  before: Replication[],
  scope: Scope,
  accepted: () => void = () => {},
): Promise<void> {
  const source = cbrApi(ctx.client, ctx.region, ctx.label);
  const known = new Set(before.map((r) => r.logId));
  const naming = scope.replicaName
    ? { name: scope.replicaName, description: replicaDescription(scope) }
    : { description: ownerMark(scope.sourceVaultId, scope.destinationRegion) };
  const one = async (backupId: string) => {
    await postCarefully(
      ctx,
      () =>
        retryWhileBusy(
          ctx,
          (err) => err.code === "BackupService.6131" && replicaGoing(ctx, target, backupId),
          () =>
            source.replicateBackup(backupId, {
              destination_project_id: target.destinationProjectId,
              destination_region: target.destinationRegion,
              destination_vault_id: target.destinationVaultId,
              enable_acceleration: target.enableAcceleration,
              ...naming,
            }),
        ),
      async () =>
        (await history(ctx, target.sourceVaultId, target.destinationRegion)).some(
          (r) => r.sourceBackupId === backupId && !known.has(r.logId),
        ),
    );
    accepted();
  };
  let next = 0;
  let failure: { reason: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < backupIds.length) {
      const backupId = backupIds[next++]!;
      try {
        await one(backupId);
      } catch (reason) {
        failure ??= { reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_POSTS, backupIds.length) }, worker));
  if (failure) throw failure.reason;
}

/**
 * BackupService.6131: the backup has a replica in the region. Worth waiting only while that replica
 * is being deleted (a repair, or a replace right after the old replicas were deleted).
 */
async function replicaGoing(ctx: OpContext, target: Target, backupId: string): Promise<boolean> {
  const latest = latestPerBackup(await history(ctx, target.sourceVaultId, target.destinationRegion), {}).find(
    (r) => r.sourceBackupId === backupId,
  );
  if (!latest?.replicaId) return false;
  const replica = await cbrApi(ctx.client, target.destinationRegion, ctx.label).findBackup(latest.replicaId);
  return replica === undefined || GONE_REPLICA.has(replica.status); // gone by now: the next try passes
}

/** 5xx answers that are a refusal in the service's own words: sending again cannot help. */
const REFUSED_5XX = new Set(["BackupService.1005"]); // the destination region does not support replication

/**
 * Sends a create. When its outcome is unknown (5xx, reset), looks for what it made first, then
 * sends it again within the client's retry count, unless the answer was a refusal (REFUSED_5XX).
 * The final error says how many times it was sent.
 */
async function postCarefully(ctx: OpContext, post: () => Promise<unknown>, made: () => Promise<boolean>) {
  const attempts = ctx.client.settings.maxRetries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      await post();
      return;
    } catch (err) {
      if (!(err instanceof HuaweiCloudError && err.outcomeUnknown)) throw err;
      if (
        (await findPatiently(async () => ((await made()) ? true : undefined), ctx.deadline)) !== undefined
      ) {
        return;
      }
      if (REFUSED_5XX.has(err.code ?? "") || attempt >= attempts || Date.now() >= ctx.deadline) {
        if (attempt === 1) throw err; // its hint is true: it was not repeated
        throw new HuaweiCloudError(
          `failed ${attempt} times; after each, nothing it may have made was found`,
          {
            ...err.fields(),
            hint: "Nothing was made, so nothing is orphaned. Run `pulumi up` again once the service answers.",
          },
        );
      }
    }
  }
}

/** Replicates again, one by one, the source backups whose replica was deleted outside Pulumi. */
async function repairLostReplicas(ctx: OpContext, state: CbrReplicationState, scope: Scope) {
  const { seen, toward } = await observe(ctx, scope, "always");
  const lost = seen.filter((r) => verdict(r) === "lost").map((r) => r.sourceBackupId);
  const target = {
    ...scope,
    destinationProjectId: state.destinationProjectId ?? (await ctx.client.projectId(scope.destinationRegion)),
  } as Target;
  await replicateEach(ctx, target, lost, toward, scope);
  return waitReplicated(ctx, scope);
}
