/**
 * pulumi-huaweicloud-snapshots: Huawei Cloud snapshots as Pulumi resources.
 *
 * ```ts
 * import { DwsSnapshot, DwsSnapshotCopy, EvsSnapshot, CbrReplication } from "pulumi-huaweicloud-snapshots";
 * const nightly = new EvsSnapshot("nightly", { volumeId, name: "nightly", metadata: { team: "db" } });
 * ```
 *
 * Credentials, region and endpoints come from stack config (`huaweicloud:*`) or the environment
 * (HW_ACCESS_KEY …), read by the provider at run time; they never enter the state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Timeouts as OperationTimeouts } from "./resources/framework";

import cbrReplicationProvider = require("./kinds/CbrReplication");
import dwsSnapshotProvider = require("./kinds/DwsSnapshot");
import dwsSnapshotCopyProvider = require("./kinds/DwsSnapshotCopy");
import evsSnapshotProvider = require("./kinds/EvsSnapshot");

import type { CbrReplicationState } from "./resources/cbr";
import type { DwsSnapshotState } from "./resources/dws";
import type { EvsSnapshotState } from "./resources/evs";

/**
 * How long an operation may take, every request included, before it fails, as a duration string:
 * "45m", "1h30m", "90s", "500ms" (or a whole number of milliseconds). Pulumi's `customTimeouts` never
 * reach a dynamic provider, so these are the resource's own. A create that times out stays in state
 * and the next `pulumi up` resumes waiting. The operations are those the provider bounds.
 */
export type Timeouts = { [Operation in keyof OperationTimeouts]?: pulumi.Input<string> };

// One provider object per kind (Pulumi caches the serialized text per object), each the whole
// exports of its own module so an installed package serializes it as a one-line require.
const providers = {
  DwsSnapshot: dwsSnapshotProvider,
  DwsSnapshotCopy: dwsSnapshotCopyProvider,
  EvsSnapshot: evsSnapshotProvider,
  CbrReplication: cbrReplicationProvider,
};

/**
 * The inputs a resource registers: the user's, its owner (who it is, for the provider's marks of
 * ownership: project, stack, type and name; docs/ownership.md), and its outputs seeded as
 * undefined so the engine knows their names (pulumi/docs#11639).
 */
function withOutputs<T extends object>(
  args: T,
  outputs: readonly string[],
  owner?: { type: string; name: string },
): Record<string, unknown> {
  return {
    ...args,
    ...(owner ? { owner: ownerOf(owner.type, owner.name) } : {}),
    ...Object.fromEntries(outputs.filter((k) => !(k in args)).map((k) => [k, undefined])),
  };
}

function ownerOf(type: string, name: string) {
  return `${pulumi.getProject()}/${pulumi.getStack()}/huaweicloud:${type}::${name}`;
}

/** Inputs the provider fills itself (docs/ownership.md); in state, never declared as outputs. */
type Hidden = "owner" | "generation";

/**
 * A resource's output names, as a map the compiler checks against its state schema: every state
 * field that is not an input must be listed, and nothing that is not a state field can be.
 */
function outputNames<S, A>(
  names: Record<Exclude<keyof S, keyof A | Hidden>, true> & { [K in keyof A & keyof S]?: true },
): readonly string[] {
  return Object.keys(names);
}

/** An output typed from the state schema: it cannot name a field the provider never writes. */
type Out<S, K extends keyof S> = pulumi.Output<NonNullable<S[K]>>;
/** The same, for a field that can be absent. */
type MaybeOut<S, K extends keyof S> = pulumi.Output<S[K]>;

// ---------------------------------------------------------------------------------------------

/** What a DWS snapshot and a DWS copy are declared with. Any change replaces them. */
export interface DwsSnapshotCommonArgs {
  /**
   * Name: 4–64 characters, starting with a letter; letters, digits, `-` and `_`. Unique in the
   * project, case-insensitively (a replacement with the same name deletes the old one first).
   */
  name: pulumi.Input<string>;
  /** Up to 256 characters, none of `!<>'=&"`. */
  description?: pulumi.Input<string>;
  /** Region of the cluster; defaults to the provider's region (`huaweicloud:region`). */
  region?: pulumi.Input<string>;
  /** Defaults: create 60m, update 60m, delete 20m. */
  timeouts?: pulumi.Input<Timeouts>;
  /**
   * Adopt this existing manual snapshot instead of creating one (Pulumi `import` does not work for
   * dynamic resources). It must match the other inputs.
   */
  existingId?: pulumi.Input<string>;
}

export interface DwsSnapshotArgs extends DwsSnapshotCommonArgs {
  /** The DWS cluster to snapshot (its id). */
  clusterId: pulumi.Input<string>;
}

/** The outputs every DWS snapshot has, manual or copied. */
abstract class DwsSnapshotOutputs extends pulumi.dynamic.Resource {
  declare readonly name: Out<DwsSnapshotState, "name">;
  declare readonly description: Out<DwsSnapshotState, "description">;
  /** The region the snapshot lives in. */
  declare readonly region: Out<DwsSnapshotState, "region">;
  /** CREATING, AVAILABLE or UNAVAILABLE. */
  declare readonly status: Out<DwsSnapshotState, "status">;
  /** MANUAL for snapshots and copies made here. */
  declare readonly type: Out<DwsSnapshotState, "type">;
  /** Size in GB. */
  declare readonly size: Out<DwsSnapshotState, "size">;
  /** Percent complete while CREATING (when the API reports it); 100 when AVAILABLE. */
  declare readonly progress: MaybeOut<DwsSnapshotState, "progress">;
  declare readonly clusterName: MaybeOut<DwsSnapshotState, "clusterName">;
  /** cluster, schema or table (when reported). */
  declare readonly backupLevel: MaybeOut<DwsSnapshotState, "backupLevel">;
  /** ISO 8601 UTC. */
  declare readonly startedAt: MaybeOut<DwsSnapshotState, "startedAt">;
  declare readonly finishedAt: MaybeOut<DwsSnapshotState, "finishedAt">;
}

const DWS_OUTPUTS = outputNames<DwsSnapshotState, DwsSnapshotArgs & DwsSnapshotCopyArgs>({
  description: true,
  region: true,
  status: true,
  type: true,
  size: true,
  progress: true,
  clusterId: true,
  clusterName: true,
  backupLevel: true,
  startedAt: true,
  finishedAt: true,
});

/** A manual snapshot of a DWS (GaussDB(DWS)) cluster; `pulumi up` waits until it is AVAILABLE. */
export class DwsSnapshot extends DwsSnapshotOutputs {
  declare readonly clusterId: Out<DwsSnapshotState, "clusterId">;

  constructor(name: string, args: DwsSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = withOutputs(args, DWS_OUTPUTS, { type: "DwsSnapshot", name });
    super(providers.DwsSnapshot, name, inputs, opts, "huaweicloud", "DwsSnapshot");
  }
}

// ---------------------------------------------------------------------------------------------

export interface DwsSnapshotCopyArgs extends DwsSnapshotCommonArgs {
  /** The automated snapshot to copy (its id). Only automated snapshots can be copied. */
  sourceSnapshotId: pulumi.Input<string>;
}

/** A manual copy of an automated DWS snapshot (linked copy); `pulumi up` waits until it is AVAILABLE. */
export class DwsSnapshotCopy extends DwsSnapshotOutputs {
  declare readonly sourceSnapshotId: Out<DwsSnapshotState, "sourceSnapshotId">;
  /** The cluster the source snapshot belongs to. */
  declare readonly clusterId: MaybeOut<DwsSnapshotState, "clusterId">;

  constructor(name: string, args: DwsSnapshotCopyArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = withOutputs(args, DWS_OUTPUTS, { type: "DwsSnapshotCopy", name });
    super(providers.DwsSnapshotCopy, name, inputs, opts, "huaweicloud", "DwsSnapshotCopy");
  }
}

// ---------------------------------------------------------------------------------------------

export interface EvsSnapshotArgs {
  /** The EVS disk to snapshot (its id). The disk must be available or in-use. Changing it replaces the snapshot. */
  volumeId: pulumi.Input<string>;
  /** Up to 64 characters, not starting with `autobk_snapshot_`. Updated in place. */
  name: pulumi.Input<string>;
  /** Up to 85 characters. Updated in place (and can be cleared). */
  description?: pulumi.Input<string>;
  /** Snapshot metadata. The API cannot change it afterwards: changing it replaces the snapshot. */
  metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Snapshot even while the disk is attaching. Changing it replaces the snapshot. */
  force?: pulumi.Input<boolean>;
  region?: pulumi.Input<string>;
  /** Defaults: create 30m, update 30m, delete 10m. */
  timeouts?: pulumi.Input<Timeouts>;
  /** Adopt this existing snapshot of `volumeId` instead of creating one. */
  existingId?: pulumi.Input<string>;
}

const EVS_OUTPUTS = outputNames<EvsSnapshotState, EvsSnapshotArgs>({
  description: true,
  metadata: true,
  cloudMetadata: true,
  region: true,
  status: true,
  size: true,
  progress: true,
  createdAt: true,
  updatedAt: true,
});

/** A snapshot of an EVS disk; `pulumi up` waits until it is available. */
export class EvsSnapshot extends pulumi.dynamic.Resource {
  declare readonly volumeId: Out<EvsSnapshotState, "volumeId">;
  declare readonly name: Out<EvsSnapshotState, "name">;
  declare readonly description: Out<EvsSnapshotState, "description">;
  /** The metadata as declared. */
  declare readonly metadata: MaybeOut<EvsSnapshotState, "metadata">;
  /**
   * The metadata as the cloud reports it, including keys it adds itself (e.g. `__system__*`) and
   * the provider's mark of ownership (`pulumi_owner`).
   */
  declare readonly cloudMetadata: MaybeOut<EvsSnapshotState, "cloudMetadata">;
  declare readonly force: MaybeOut<EvsSnapshotState, "force">;
  declare readonly region: Out<EvsSnapshotState, "region">;
  /** creating, available, error, deleting, error_deleting, rollbacking or backing-up. */
  declare readonly status: Out<EvsSnapshotState, "status">;
  /** Size in GiB (the disk's). */
  declare readonly size: Out<EvsSnapshotState, "size">;
  /** Percent complete (0–100). */
  declare readonly progress: MaybeOut<EvsSnapshotState, "progress">;
  /** ISO 8601 UTC. */
  declare readonly createdAt: MaybeOut<EvsSnapshotState, "createdAt">;
  declare readonly updatedAt: MaybeOut<EvsSnapshotState, "updatedAt">;

  constructor(name: string, args: EvsSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = withOutputs(args, EVS_OUTPUTS, { type: "EvsSnapshot", name });
    super(providers.EvsSnapshot, name, inputs, opts, "huaweicloud", "EvsSnapshot");
  }
}

// ---------------------------------------------------------------------------------------------

export interface CbrReplicationArgs {
  /** The server backup vault whose available backups are replicated. Changing it replaces the replication. */
  sourceVaultId: pulumi.Input<string>;
  /** The replication vault in the destination region. Changing it replaces the replication. */
  destinationVaultId: pulumi.Input<string>;
  /** The destination region, e.g. "ap-southeast-1". Changing it replaces the replication. */
  destinationRegion: pulumi.Input<string>;
  /** The account's project id in the destination region; resolved through IAM when omitted. */
  destinationProjectId?: pulumi.Input<string>;
  /** The source region; defaults to the provider's region. */
  region?: pulumi.Input<string>;
  /** Faster cross-region transfer (billed extra). Used at creation only. */
  enableAcceleration?: pulumi.Input<boolean>;
  /**
   * Take over the replications already made towards this destination vault and region whose
   * replicas exist, instead of replicating those backups again.
   */
  adoptExisting?: pulumi.Input<boolean>;
  /** Defaults: create 120m, update 120m, delete 30m. */
  timeouts?: pulumi.Input<Timeouts>;
}

const CBR_OUTPUTS = outputNames<CbrReplicationState, CbrReplicationArgs>({
  destinationProjectId: true,
  region: true,
  status: true,
  statusDetail: true,
  progress: true,
  backups: true,
  replicas: true,
  replicating: true,
  failed: true,
  lost: true,
  sourceGone: true,
  problems: true,
  trackedAfter: true,
  replicaName: true,
  startedAt: true,
});

/**
 * Cross-region replication of a CBR server backup vault's backups; `pulumi up` waits until every
 * replication record has succeeded and every replica is available. Destroying it deletes the
 * replicas it made (use Pulumi's `retainOnDelete` to keep them).
 */
export class CbrReplication extends pulumi.dynamic.Resource {
  declare readonly sourceVaultId: Out<CbrReplicationState, "sourceVaultId">;
  declare readonly destinationVaultId: Out<CbrReplicationState, "destinationVaultId">;
  declare readonly destinationRegion: Out<CbrReplicationState, "destinationRegion">;
  declare readonly destinationProjectId: Out<CbrReplicationState, "destinationProjectId">;
  /** The source region. */
  declare readonly region: Out<CbrReplicationState, "region">;
  /** replicating, success, fail or replica_lost (all its replications together). */
  declare readonly status: Out<CbrReplicationState, "status">;
  /** One sentence: how many replicas are present, replicating, failed, lost, left by expired sources. */
  declare readonly statusDetail: Out<CbrReplicationState, "statusDetail">;
  /** Mean percent complete over its replications. */
  declare readonly progress: Out<CbrReplicationState, "progress">;
  /** Source backups it replicated (the latest replication of each counts). */
  declare readonly backups: Out<CbrReplicationState, "backups">;
  /** Its replicas present in the destination vault. */
  declare readonly replicas: Out<CbrReplicationState, "replicas">;
  declare readonly replicating: Out<CbrReplicationState, "replicating">;
  declare readonly failed: Out<CbrReplicationState, "failed">;
  /** Replicas deleted outside Pulumi while their source backup remains (the next up makes them again). */
  declare readonly lost: Out<CbrReplicationState, "lost">;
  /** Source backups that expired or were deleted (their replicas stay tracked). */
  declare readonly sourceGone: Out<CbrReplicationState, "sourceGone">;
  /** At most 5 lines, each naming a backup and what went wrong. */
  declare readonly problems: Out<CbrReplicationState, "problems">;
  /**
   * Its replications are the source vault's replications towards the region newer than this cloud
   * time (ISO 8601): the newest one before its first request; absent when there was none.
   */
  declare readonly trackedAfter: MaybeOut<CbrReplicationState, "trackedAfter">;
  /**
   * The name its replicas carry, `pulumi-` and a hash of project, stack, type, name and incarnation
   * (docs/ownership.md): how it knows its replicas, even after a crash. Absent when it adopted
   * replicas (adoptExisting) or was created by version 0.x.
   */
  declare readonly replicaName: MaybeOut<CbrReplicationState, "replicaName">;
  declare readonly startedAt: Out<CbrReplicationState, "startedAt">;

  constructor(name: string, args: CbrReplicationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.CbrReplication,
      name,
      withOutputs(args, CBR_OUTPUTS, { type: "CbrReplication", name }),
      opts,
      "huaweicloud",
      "CbrReplication",
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Declarative backup definitions. Exported last: the plan declares the classes above as children.

export {
  type CbrBackupInfo,
  type CommonLookupArgs,
  type DwsSnapshotInfo,
  type EvsSnapshotInfo,
  type GetCbrBackupsArgs,
  type GetCbrBackupsResult,
  type GetDwsSnapshotsArgs,
  type GetDwsSnapshotsResult,
  type GetEvsSnapshotsArgs,
  type GetEvsSnapshotsResult,
  getCbrBackups,
  getCbrBackupsOutput,
  getDwsSnapshots,
  getDwsSnapshotsOutput,
  getEvsSnapshots,
  getEvsSnapshotsOutput,
  type LookupInputs,
  type LookupResult,
} from "./lookups";
export {
  BackupPlan,
  type BackupPlanArgs,
  type BackupPlanTarget,
} from "./plan/component";
export type { DwsAutomatedCopiesArgs, KeepArgs, ReplicateArgs } from "./plan/definition";
