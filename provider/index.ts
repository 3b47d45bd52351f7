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

import cbrReplicationProvider = require("./kinds/CbrReplication");
import dwsSnapshotProvider = require("./kinds/DwsSnapshot");
import dwsSnapshotCopyProvider = require("./kinds/DwsSnapshotCopy");
import evsSnapshotProvider = require("./kinds/EvsSnapshot");

/**
 * How long an operation may take before it fails, as a duration string: "45m", "1h30m", "90s".
 * Pulumi's `customTimeouts` never reach a dynamic provider, so these are the resource's own.
 * A create that times out stays in state and the next `pulumi up` resumes waiting.
 */
export interface Timeouts {
  create?: pulumi.Input<string>;
  update?: pulumi.Input<string>;
  delete?: pulumi.Input<string>;
}

// One provider object per kind (Pulumi caches the serialized text per object), each the whole
// exports of its own module so an installed package serializes it as a one-line require.
const providers = {
  DwsSnapshot: dwsSnapshotProvider,
  DwsSnapshotCopy: dwsSnapshotCopyProvider,
  EvsSnapshot: evsSnapshotProvider,
  CbrReplication: cbrReplicationProvider,
};

/** Outputs are seeded as undefined so the engine knows their names (pulumi/docs#11639). */
function withOutputs<T extends object>(args: T, outputs: readonly string[]): Record<string, unknown> {
  return { ...args, ...Object.fromEntries(outputs.filter((k) => !(k in args)).map((k) => [k, undefined])) };
}

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
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  /** The region the snapshot lives in. */
  declare readonly region: pulumi.Output<string>;
  /** CREATING, AVAILABLE or UNAVAILABLE. */
  declare readonly status: pulumi.Output<string>;
  /** MANUAL for snapshots and copies made here. */
  declare readonly type: pulumi.Output<string>;
  /** Size in GB. */
  declare readonly size: pulumi.Output<number>;
  /** Percent complete while CREATING (when the API reports it); 100 when AVAILABLE. */
  declare readonly progress: pulumi.Output<number | undefined>;
  declare readonly clusterName: pulumi.Output<string | undefined>;
  /** cluster, schema or table (when reported). */
  declare readonly backupLevel: pulumi.Output<string | undefined>;
  /** ISO 8601 UTC. */
  declare readonly startedAt: pulumi.Output<string | undefined>;
  declare readonly finishedAt: pulumi.Output<string | undefined>;
}

const DWS_OUTPUTS = [
  "description",
  "region",
  "status",
  "type",
  "size",
  "progress",
  "clusterId",
  "clusterName",
  "backupLevel",
  "startedAt",
  "finishedAt",
] as const;

/** A manual snapshot of a DWS (GaussDB(DWS)) cluster; `pulumi up` waits until it is AVAILABLE. */
export class DwsSnapshot extends DwsSnapshotOutputs {
  declare readonly clusterId: pulumi.Output<string>;

  constructor(name: string, args: DwsSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    super(providers.DwsSnapshot, name, withOutputs(args, DWS_OUTPUTS), opts, "huaweicloud", "DwsSnapshot");
  }
}

// ---------------------------------------------------------------------------------------------

export interface DwsSnapshotCopyArgs extends DwsSnapshotCommonArgs {
  /** The automated snapshot to copy (its id). Only automated snapshots can be copied. */
  sourceSnapshotId: pulumi.Input<string>;
}

/** A manual copy of an automated DWS snapshot (linked copy); `pulumi up` waits until it is AVAILABLE. */
export class DwsSnapshotCopy extends DwsSnapshotOutputs {
  declare readonly sourceSnapshotId: pulumi.Output<string>;
  /** The cluster the source snapshot belongs to. */
  declare readonly clusterId: pulumi.Output<string | undefined>;

  constructor(name: string, args: DwsSnapshotCopyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.DwsSnapshotCopy,
      name,
      withOutputs(args, DWS_OUTPUTS),
      opts,
      "huaweicloud",
      "DwsSnapshotCopy",
    );
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

/** A snapshot of an EVS disk; `pulumi up` waits until it is available. */
export class EvsSnapshot extends pulumi.dynamic.Resource {
  declare readonly volumeId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  /** The metadata as declared. */
  declare readonly metadata: pulumi.Output<Record<string, string> | undefined>;
  /** The metadata as the cloud reports it, including keys it adds itself (e.g. `__system__*`). */
  declare readonly cloudMetadata: pulumi.Output<Record<string, string> | undefined>;
  declare readonly force: pulumi.Output<boolean | undefined>;
  declare readonly region: pulumi.Output<string>;
  /** creating, available, error, deleting, error_deleting, rollbacking or backing-up. */
  declare readonly status: pulumi.Output<string>;
  /** Size in GiB (the disk's). */
  declare readonly size: pulumi.Output<number>;
  /** Percent complete (0–100). */
  declare readonly progress: pulumi.Output<number | undefined>;
  /** ISO 8601 UTC. */
  declare readonly createdAt: pulumi.Output<string | undefined>;
  declare readonly updatedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: EvsSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.EvsSnapshot,
      name,
      withOutputs(args, [
        "description",
        "metadata",
        "cloudMetadata",
        "region",
        "status",
        "size",
        "progress",
        "createdAt",
        "updatedAt",
      ]),
      opts,
      "huaweicloud",
      "EvsSnapshot",
    );
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
   * Take over replicas that already exist towards the destination region (a vault replicates to a
   * region only once) instead of failing.
   */
  adoptExisting?: pulumi.Input<boolean>;
  /** Defaults: create 120m, update 120m, delete 30m. */
  timeouts?: pulumi.Input<Timeouts>;
}

/** One replicated backup: the source, its replication record and the replica in the destination vault. */
export interface CbrReplicatedBackup {
  sourceBackupId: string;
  replicationRecordId: string;
  /** waiting_replicate, replicating, success or fail. */
  status: string;
  progress?: number;
  replicaBackupId?: string;
  /** The replica's backup status in the destination vault (available when done). */
  replicaStatus?: string;
  failReason?: string;
}

/**
 * Cross-region replication of a CBR server backup vault's backups; `pulumi up` waits until every
 * replication record has succeeded and every replica is available. Destroying it deletes the
 * replicas it made (use Pulumi's `retainOnDelete` to keep them).
 */
export class CbrReplication extends pulumi.dynamic.Resource {
  declare readonly sourceVaultId: pulumi.Output<string>;
  declare readonly destinationVaultId: pulumi.Output<string>;
  declare readonly destinationRegion: pulumi.Output<string>;
  declare readonly destinationProjectId: pulumi.Output<string>;
  /** The source region. */
  declare readonly region: pulumi.Output<string>;
  /** replicating, success or fail (all records together). */
  declare readonly status: pulumi.Output<string>;
  /** Mean percent complete over the records. */
  declare readonly progress: pulumi.Output<number>;
  declare readonly replications: pulumi.Output<CbrReplicatedBackup[]>;
  declare readonly sourceBackupIds: pulumi.Output<string[]>;
  declare readonly replicationRecordIds: pulumi.Output<string[]>;
  /** The replica backups in the destination vault. */
  declare readonly replicaBackupIds: pulumi.Output<string[]>;
  declare readonly startedAt: pulumi.Output<string>;

  constructor(name: string, args: CbrReplicationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.CbrReplication,
      name,
      withOutputs(args, [
        "destinationProjectId",
        "region",
        "status",
        "progress",
        "replications",
        "sourceBackupIds",
        "replicationRecordIds",
        "replicaBackupIds",
        "startedAt",
      ]),
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
