/**
 * The stored world: plain JSON-serialisable records. Times are epoch milliseconds. Nothing here
 * stores a status that changes with time: statuses are derived from these times by the service
 * models (dws.ts, evs.ts, cbr.ts), which makes persistence and restarts mid-transition trivial.
 */
import { DEFAULT_IDS, REGIONS } from "./defaults";

export interface Region {
  name: string;
  projectId: string;
}

export interface DwsCluster {
  id: string;
  projectId: string;
  name: string;
  status: string;
  version: string;
  nodeCount: number;
  /** Data size in GB: the size of its snapshots. */
  usedGb: number;
  createdAt: number;
}

export interface DwsSnapshot {
  id: string;
  projectId: string;
  clusterId: string;
  name: string;
  description: string;
  type: "MANUAL" | "AUTOMATED";
  sizeGb: number;
  startedAt: number;
  /** When CREATING ends (planned). */
  completesAt: number;
  /** Injected failure: UNAVAILABLE from then on (before completesAt). */
  failAt?: number;
  /** Linked copies: the automated snapshot copied. */
  copiedFrom?: string;
  deleteStartedAt?: number;
  goneAt?: number;
}

export interface EvsVolume {
  id: string;
  projectId: string;
  name: string;
  sizeGb: number;
  /** available, in-use, attaching, error, … (not time-driven). */
  status: string;
  availabilityZone: string;
  volumeType: string;
  /** Absent in worlds saved before it was recorded. */
  createdAt?: number;
}

export interface EvsSnapshot {
  id: string;
  projectId: string;
  volumeId: string;
  name: string;
  description: string;
  metadata: Record<string, string>;
  sizeGb: number;
  availabilityZone: string;
  createdAt: number;
  updatedAt: number;
  completesAt: number;
  /** Injected failure: status error from then on. */
  failAt?: number;
  /** A fixed status that overrides the derived one (seeded `error_deleting`, `backing-up`, …). */
  statusOverride?: string;
  deleteStartedAt?: number;
  goneAt?: number;
}

export interface CbrVault {
  id: string;
  projectId: string;
  name: string;
  objectType: string;
  protectType: "backup" | "replication" | "hybrid";
  specCode: string;
  sizeGb: number;
  createdAt: number;
  /** Destination regions this vault has been replicated to (a vault goes to a region once). */
  replicatedRegions: string[];
}

export interface CbrBackup {
  id: string;
  projectId: string;
  vaultId: string;
  name: string;
  description: string;
  imageType: "backup" | "replication";
  resourceId: string;
  resourceName: string;
  resourceType: string;
  resourceSizeGb: number;
  resourceAz: string;
  checkpointId: string;
  createdAt: number;
  /** Status of an ordinary backup (available, error, protecting, …). Replicas derive theirs. */
  status: string;
  /** Set on replicas: the replication record that produces this backup. */
  replicationRecordId?: string;
  deleteStartedAt?: number;
  goneAt?: number;
}

export interface CbrReplicationRecord {
  id: string;
  opLogId: string;
  providerId: string;
  sourceBackupId: string;
  sourceBackupName: string;
  sourceCheckpointId: string;
  /** The protected resource of the source backup (op log `extra_info.resource`); absent in older files. */
  resourceId?: string;
  resourceName?: string;
  resourceType?: string;
  sourceProjectId: string;
  sourceRegion: string;
  vaultId: string;
  vaultName: string;
  destinationVaultId: string;
  destinationRegion: string;
  destinationProjectId: string;
  destinationBackupId: string;
  /** The replica's name (CopyBackup's `name`, else the source's); absent in older files. */
  destinationBackupName?: string;
  destinationCheckpointId: string;
  autoTrigger: boolean;
  enableAcceleration: boolean;
  createdAt: number;
  /** waiting_replicate until then, replicating after. */
  replicatingAt: number;
  completesAt: number;
  /** Injected failure: record fail (and the replica removed) from then on. */
  failAt?: number;
}

export interface WorldState {
  version: 1;
  regions: Region[];
  dws: { clusters: DwsCluster[]; snapshots: DwsSnapshot[] };
  evs: { volumes: EvsVolume[]; snapshots: EvsSnapshot[]; snapshotQuotaPerVolume?: number };
  cbr: { vaults: CbrVault[]; backups: CbrBackup[]; records: CbrReplicationRecord[] };
}

export const SERVER_PROVIDER_ID = "0daac4c5-6707-4851-97ba-169e36266b66";
export const DISK_PROVIDER_ID = "d1603440-187d-4516-af25-121250c7cc97";

export function emptyWorld(): WorldState {
  return {
    version: 1,
    regions: [{ ...REGIONS.primary }, { ...REGIONS.secondary }],
    dws: { clusters: [], snapshots: [] },
    evs: { volumes: [], snapshots: [] },
    cbr: { vaults: [], backups: [], records: [] },
  };
}

/** The default world (stable ids from defaults.ts), created as if it existed for a while. */
export function defaultWorld(now: number): WorldState {
  const w = emptyWorld();
  const p = REGIONS.primary.projectId;
  const s = REGIONS.secondary.projectId;
  const day = 86_400_000;
  const created = now - 30 * day;
  w.dws.clusters.push(
    {
      id: DEFAULT_IDS.dwsClusterId,
      projectId: p,
      name: DEFAULT_IDS.dwsClusterName,
      status: "ACTIVE",
      version: "8.2.1",
      nodeCount: 3,
      usedGb: 120.5,
      createdAt: created,
    },
    {
      id: DEFAULT_IDS.dwsClusterId2,
      projectId: p,
      name: "dws-demo-2",
      status: "ACTIVE",
      version: "8.2.1",
      nodeCount: 3,
      usedGb: 64,
      createdAt: created,
    },
  );
  DEFAULT_IDS.dwsAutomatedSnapshotIds.forEach((id, i) => {
    const started = now - (i + 1) * day;
    w.dws.snapshots.push({
      id,
      projectId: p,
      clusterId: DEFAULT_IDS.dwsClusterId,
      name: `auto-snapshot-${i + 1}`,
      description: "Automated snapshot",
      type: "AUTOMATED",
      sizeGb: 120.5,
      startedAt: started,
      completesAt: started + 600_000,
    });
  });
  w.evs.volumes.push(
    {
      id: DEFAULT_IDS.evsVolumeAvailableId,
      projectId: p,
      name: "volume-available",
      sizeGb: 40,
      status: "available",
      availabilityZone: "cn-north-4a",
      volumeType: "SSD",
      createdAt: created,
    },
    {
      id: DEFAULT_IDS.evsVolumeInUseId,
      projectId: p,
      name: "volume-in-use",
      sizeGb: 100,
      status: "in-use",
      availabilityZone: "cn-north-4a",
      volumeType: "SSD",
      createdAt: created,
    },
  );
  w.cbr.vaults.push(
    {
      id: DEFAULT_IDS.cbrSourceVaultId,
      projectId: p,
      name: "vault-server-backup",
      objectType: "server",
      protectType: "backup",
      specCode: "vault.backup.server.normal",
      sizeGb: 200,
      createdAt: created,
      replicatedRegions: [],
    },
    {
      id: DEFAULT_IDS.cbrDestinationVaultId,
      projectId: s,
      name: "vault-replication",
      objectType: "server",
      protectType: "replication",
      specCode: "vault.replication.server.normal",
      sizeGb: 200,
      createdAt: created,
      replicatedRegions: [],
    },
  );
  DEFAULT_IDS.cbrSourceBackupIds.forEach((id, i) => {
    w.cbr.backups.push({
      id,
      projectId: p,
      vaultId: DEFAULT_IDS.cbrSourceVaultId,
      name: `backup-ecs-demo-${i + 1}`,
      description: "",
      imageType: "backup",
      resourceId: `2b6a3f1e-4c5d-4e6f-8a9b-0c1d2e3f4a5${i}`,
      resourceName: "ecs-demo",
      resourceType: "OS::Nova::Server",
      resourceSizeGb: 40,
      resourceAz: "cn-north-4a",
      checkpointId: `8b0851a8-adf3-4f4c-a914-dead0000000${i}`,
      createdAt: now - (i + 1) * day,
      status: "available",
    });
  });
  return w;
}
