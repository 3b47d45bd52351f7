/**
 * CBR model: vaults, backups, cross-region replication. A replication record on the source backup
 * goes waiting_replicate -> replicating (replica backup appears in the destination vault, status
 * protecting) -> success (replica available) | fail (replica removed). Operation logs of type
 * replication are views of the same records. Everything is derived from stored times.
 */
import { isoMicros, isoMillisZoned, uuid } from "./clock";
import { type ApiView, compare, type ModelContext, type PageRequest, page, plan } from "./context";
import { cbrError } from "./errors";
import { operationProgress } from "./progress";
import { type CbrBackup, type CbrReplicationRecord, type CbrVault, SERVER_PROVIDER_ID } from "./state";

export type RecordStatus = "waiting_replicate" | "replicating" | "success" | "fail";

export interface ReplicateVaultInput {
  vaultId: string;
  destinationVaultId: string;
  destinationRegion: string;
  destinationProjectId: string;
  autoTrigger?: boolean;
  enableAcceleration?: boolean;
}

export interface ReplicateBackupInput {
  destinationVaultId: string;
  destinationRegion: string;
  destinationProjectId: string;
  name?: string;
  description?: string;
  enableAcceleration?: boolean;
}

export interface BackupListFilter extends PageRequest {
  vaultId?: string;
  imageType?: string;
  statuses?: string[];
  name?: string;
  resourceId?: string;
  checkpointId?: string;
  parentId?: string;
  showReplication?: boolean;
  sort?: string;
}

export interface OpLogFilter extends PageRequest {
  operationType?: string;
  status?: string;
  vaultId?: string;
  resourceId?: string;
}

/** Share of a replication spent in waiting_replicate before the copy starts. */
const WAITING_SHARE = 0.15;
const BACKUP_NOT_FOUND = "The backup does not exist.";

export class CbrModel {
  readonly vaults = new Map<string, CbrVault>();
  readonly backups = new Map<string, CbrBackup>();
  readonly records = new Map<string, CbrReplicationRecord>();

  constructor(private readonly ctx: ModelContext) {}

  load(vaults: CbrVault[], backups: CbrBackup[], records: CbrReplicationRecord[]): void {
    this.vaults.clear();
    this.backups.clear();
    this.records.clear();
    for (const v of vaults) this.vaults.set(v.id, { ...v, replicatedRegions: [...v.replicatedRegions] });
    for (const b of backups) this.backups.set(b.id, { ...b });
    for (const r of records) this.records.set(r.id, { ...r });
  }

  recordStatus(r: CbrReplicationRecord, now = this.ctx.clock.now()): RecordStatus {
    if (now < r.replicatingAt) return "waiting_replicate";
    if (r.failAt !== undefined && now >= r.failAt) return "fail";
    return now < r.completesAt ? "replicating" : "success";
  }

  recordProgress(r: CbrReplicationRecord, now = this.ctx.clock.now()): number | undefined {
    const op = { ...r, startedAt: r.createdAt };
    return operationProgress(this.ctx.config.progress, "cbrReplication", op, now);
  }

  /** A backup's status, or "hidden" when it does not (or no longer) exist. */
  backupStatus(b: CbrBackup, now = this.ctx.clock.now()): string {
    if (b.goneAt !== undefined && now >= b.goneAt) return "hidden";
    if (b.replicationRecordId !== undefined) {
      const r = this.records.get(b.replicationRecordId);
      const rs = r ? this.recordStatus(r, now) : "fail";
      if (rs === "waiting_replicate" || rs === "fail") return "hidden";
      if (b.deleteStartedAt !== undefined) return "deleting";
      return rs === "replicating" ? "protecting" : "available";
    }
    if (b.deleteStartedAt !== undefined) return "deleting";
    return b.status;
  }

  sweep(now: number): void {
    for (const [id, b] of this.backups) {
      if (b.goneAt !== undefined && now >= b.goneAt) this.backups.delete(id);
      else if (b.replicationRecordId !== undefined) {
        const r = this.records.get(b.replicationRecordId);
        if (!r || this.recordStatus(r, now) === "fail") this.backups.delete(id);
      }
    }
  }

  vault(projectId: string, id: string): CbrVault {
    const v = this.vaults.get(id);
    if (!v || v.projectId !== projectId)
      throw cbrError(404, "BackupService.6105", "The vault does not exist.");
    return v;
  }

  backup(projectId: string, id: string): CbrBackup {
    const b = this.backups.get(id);
    if (!b || b.projectId !== projectId || this.backupStatus(b) === "hidden") {
      throw cbrError(404, "BackupService.6200", BACKUP_NOT_FOUND);
    }
    return b;
  }

  private regionOf(projectId: string): string {
    return this.ctx.regions().find((r) => r.projectId === projectId)?.name ?? "";
  }

  /** Checks the destination of a replication; returns the destination vault. */
  private destination(
    input: {
      destinationVaultId: string;
      destinationRegion: string;
      destinationProjectId: string;
    },
    sourceRegion: string,
  ): CbrVault {
    const region = this.ctx.regions().find((r) => r.name === input.destinationRegion);
    if (!region || region.name === sourceRegion) {
      throw cbrError(
        500,
        "BackupService.1005",
        `The destination region ${input.destinationRegion} does not support replication.`,
      );
    }
    if (region.projectId !== input.destinationProjectId) {
      throw cbrError(400, "BackupService.1011", "The destination project does not support replication.");
    }
    const dv = this.vaults.get(input.destinationVaultId);
    if (!dv || dv.projectId !== region.projectId) {
      throw cbrError(400, "BackupService.6120", "The destination vault does not exist.");
    }
    if (dv.protectType !== "replication") {
      throw cbrError(400, "BackupService.6119", "The destination vault does not support replication.");
    }
    return dv;
  }

  private checkSourceVault(v: CbrVault): void {
    if (v.objectType !== "server" || v.protectType !== "backup") {
      throw cbrError(400, "BackupService.6128", "Replication is not allowed for this vault type.");
    }
  }

  /** A live replica (or one on its way) of the backup in the region blocks another one. */
  private hasReplicaIn(backupId: string, region: string, now: number): boolean {
    for (const r of this.records.values()) {
      if (r.sourceBackupId !== backupId || r.destinationRegion !== region) continue;
      const st = this.recordStatus(r, now);
      if (st === "waiting_replicate" || st === "replicating") return true;
      if (st === "success") {
        const replica = this.backups.get(r.destinationBackupId);
        if (replica && this.backupStatus(replica, now) !== "hidden") return true;
      }
    }
    return false;
  }

  private startReplication(
    source: CbrBackup,
    vault: CbrVault,
    dest: CbrVault,
    opts: { autoTrigger: boolean; enableAcceleration: boolean; name?: string; description?: string },
    now: number,
  ): CbrReplicationRecord {
    const { timings, faults } = this.ctx.config;
    const planned = plan(this.ctx, now, timings.cbrReplication, 0);
    const replicatingAt = now + Math.floor((planned.completesAt - now) * WAITING_SHARE);
    const fails = this.ctx.random.chance(faults.fail.cbrReplication);
    const failAt = fails
      ? replicatingAt +
        Math.floor((planned.completesAt - replicatingAt) * (0.3 + 0.6 * this.ctx.random.next()))
      : undefined;
    const record: CbrReplicationRecord = {
      id: uuid(),
      opLogId: uuid(),
      providerId: SERVER_PROVIDER_ID,
      sourceBackupId: source.id,
      sourceBackupName: source.name,
      sourceCheckpointId: source.checkpointId,
      resourceId: source.resourceId,
      resourceName: source.resourceName,
      resourceType: source.resourceType,
      sourceProjectId: source.projectId,
      sourceRegion: this.regionOf(source.projectId),
      vaultId: vault.id,
      vaultName: vault.name,
      destinationVaultId: dest.id,
      destinationRegion: this.regionOf(dest.projectId),
      destinationProjectId: dest.projectId,
      destinationBackupId: uuid(),
      destinationBackupName: opts.name ?? source.name,
      destinationCheckpointId: uuid(),
      autoTrigger: opts.autoTrigger,
      enableAcceleration: opts.enableAcceleration,
      createdAt: now,
      replicatingAt,
      completesAt: planned.completesAt,
      ...(failAt === undefined ? {} : { failAt }),
    };
    this.records.set(record.id, record);
    this.backups.set(record.destinationBackupId, {
      id: record.destinationBackupId,
      projectId: dest.projectId,
      vaultId: dest.id,
      name: opts.name ?? source.name,
      description: opts.description ?? source.description,
      imageType: "replication",
      resourceId: source.resourceId,
      resourceName: source.resourceName,
      resourceType: source.resourceType,
      resourceSizeGb: source.resourceSizeGb,
      resourceAz: source.resourceAz,
      checkpointId: record.destinationCheckpointId,
      createdAt: replicatingAt,
      status: "available",
      replicationRecordId: record.id,
    });
    return record;
  }

  /** CopyCheckpoint: queue every available backup of a server backup vault. */
  replicateVault(projectId: string, input: ReplicateVaultInput): CbrReplicationRecord[] {
    const vault = this.vault(projectId, input.vaultId);
    this.checkSourceVault(vault);
    const sourceRegion = this.regionOf(projectId);
    const dest = this.destination(input, sourceRegion);
    if (vault.replicatedRegions.includes(input.destinationRegion)) {
      // EMULATOR ASSUMPTION: code unverified; the rule (once per destination region) is documented.
      throw cbrError(
        400,
        "BackupService.6130",
        `The vault has already been replicated to region ${input.destinationRegion}; a vault can be replicated to a region only once.`,
      );
    }
    const now = this.ctx.clock.now();
    const queued: CbrReplicationRecord[] = [];
    const eligible = [...this.backups.values()]
      .filter(
        (b) =>
          b.vaultId === vault.id &&
          b.imageType === "backup" &&
          this.backupStatus(b, now) === "available" &&
          !this.hasReplicaIn(b.id, input.destinationRegion, now),
      )
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const b of eligible) {
      queued.push(
        this.startReplication(
          b,
          vault,
          dest,
          { autoTrigger: input.autoTrigger ?? false, enableAcceleration: input.enableAcceleration ?? false },
          now,
        ),
      );
    }
    vault.replicatedRegions.push(input.destinationRegion);
    this.ctx.changed();
    return queued;
  }

  /** CopyBackup: replicate one backup. */
  replicateBackup(projectId: string, backupId: string, input: ReplicateBackupInput): CbrReplicationRecord {
    const source = this.backup(projectId, backupId);
    const vault = this.vault(projectId, source.vaultId);
    if (source.imageType !== "backup") {
      throw cbrError(400, "BackupService.6122", "Replicas cannot be replicated again.");
    }
    this.checkSourceVault(vault);
    const now = this.ctx.clock.now();
    if (this.backupStatus(source, now) !== "available") {
      // EMULATOR ASSUMPTION: code unverified.
      throw cbrError(400, "BackupService.6113", "Only available backups can be replicated.");
    }
    const dest = this.destination(input, this.regionOf(projectId));
    if (this.hasReplicaIn(source.id, input.destinationRegion, now)) {
      // EMULATOR ASSUMPTION: code unverified; the rule (one replica per region) is documented.
      throw cbrError(
        400,
        "BackupService.6131",
        `The backup already has a replica in region ${input.destinationRegion}.`,
      );
    }
    const record = this.startReplication(
      source,
      vault,
      dest,
      {
        autoTrigger: false,
        enableAcceleration: input.enableAcceleration ?? false,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
      },
      now,
    );
    this.ctx.changed();
    return record;
  }

  /** DeleteVault: the vault and its backups go; its replication history (operation logs) stays. */
  deleteVault(projectId: string, id: string): void {
    const v = this.vault(projectId, id);
    for (const [backupId, b] of this.backups) if (b.vaultId === v.id) this.backups.delete(backupId);
    this.vaults.delete(v.id);
    this.ctx.changed();
  }

  deleteBackup(projectId: string, id: string): void {
    const b = this.backup(projectId, id);
    const now = this.ctx.clock.now();
    const st = this.backupStatus(b, now);
    if (st === "deleting") return;
    if (st === "protecting" || st === "restoring") {
      throw cbrError(400, "BackupService.6201", `The backup cannot be deleted in status ${st}.`);
    }
    b.deleteStartedAt = now;
    b.goneAt =
      now + this.ctx.random.jitter(this.ctx.config.timings.cbrBackupDelete, this.ctx.config.timings.jitter);
    this.ctx.changed();
  }

  recordView(r: CbrReplicationRecord, now = this.ctx.clock.now()): ApiView {
    const status = this.recordStatus(r, now);
    const started = status !== "waiting_replicate";
    return {
      id: r.id,
      status,
      created_at: isoMicros(r.createdAt),
      source_backup_id: r.sourceBackupId,
      source_checkpoint_id: r.sourceCheckpointId,
      source_project_id: r.sourceProjectId,
      source_region: r.sourceRegion,
      vault_id: r.vaultId,
      destination_backup_id: started ? r.destinationBackupId : "",
      destination_checkpoint_id: started ? r.destinationCheckpointId : "",
      destination_project_id: r.destinationProjectId,
      destination_region: r.destinationRegion,
      destination_vault_id: r.destinationVaultId,
      extra_info: {
        progress: this.recordProgress(r, now),
        auto_trigger: r.autoTrigger,
        destination_vault_id: r.destinationVaultId,
        ...(status === "fail"
          ? { fail_code: "BackupService.1006", fail_reason: "Failed to import the replica." }
          : {}),
      },
    };
  }

  backupView(b: CbrBackup, showReplication: boolean, now = this.ctx.clock.now()): ApiView {
    const vault = this.vaults.get(b.vaultId);
    const view: ApiView = {
      id: b.id,
      name: b.name,
      description: b.description,
      checkpoint_id: b.checkpointId,
      vault_id: b.vaultId,
      project_id: b.projectId,
      provider_id: vault?.objectType === "disk" ? "d1603440-187d-4516-af25-121250c7cc97" : SERVER_PROVIDER_ID,
      image_type: b.imageType,
      parent_id: null,
      children: [],
      resource_id: b.resourceId,
      resource_name: b.resourceName,
      resource_type: b.resourceType,
      resource_size: b.resourceSizeGb,
      resource_az: b.resourceAz,
      status: this.backupStatus(b, now),
      created_at: isoMicros(b.createdAt),
      updated_at: isoMicros(b.deleteStartedAt ?? b.createdAt),
      expired_at: null,
      protected_at: isoMicros(b.createdAt),
      enterprise_project_id: "0",
      incremental: false,
      version: 2,
      extend_info: {
        auto_trigger: false,
        bootable: true,
        contain_system_disk: true,
        encrypted: false,
        system_disk: false,
        support_lld: true,
        supported_restore_mode: "backup",
        is_multi_az: false,
      },
    };
    if (showReplication) {
      view.replication_records = [...this.records.values()]
        .filter((r) => r.sourceBackupId === b.id)
        .sort((x, y) => x.createdAt - y.createdAt)
        .map((r) => this.recordView(r, now));
    }
    return view;
  }

  listBackups(projectId: string, f: BackupListFilter): { backups: ApiView[]; count: number } {
    const now = this.ctx.clock.now();
    const all = [...this.backups.values()].filter((b) => {
      if (b.projectId !== projectId) return false;
      const st = this.backupStatus(b, now);
      if (st === "hidden") return false;
      if (f.vaultId !== undefined && b.vaultId !== f.vaultId) return false;
      if (f.imageType !== undefined && b.imageType !== f.imageType) return false;
      if (f.statuses && f.statuses.length > 0 && !f.statuses.includes(st)) return false;
      if (f.name !== undefined && b.name !== f.name) return false;
      if (f.resourceId !== undefined && b.resourceId !== f.resourceId) return false;
      if (f.checkpointId !== undefined && b.checkpointId !== f.checkpointId) return false;
      if (f.parentId !== undefined) return false; // no child backups in the emulator
      return true;
    });
    const [key = "created_at", dir = "desc"] = (f.sort ?? "created_at:desc").split(":");
    const sign = dir === "asc" ? 1 : -1;
    const views = all.map((b) => this.backupView(b, f.showReplication ?? false, now));
    views.sort((a, b) => sign * compare(String(a[key] ?? ""), String(b[key] ?? "")) || compare(a.id, b.id));
    const p = page(views, f, this.ctx.config.pageSizes.cbrBackups);
    if (!p) throw cbrError(400, "BackupService.9900", `Invalid marker: backup ${f.marker} was not found.`);
    return { backups: p.items, count: views.length };
  }

  vaultView(v: CbrVault, now = this.ctx.clock.now()): ApiView {
    const resources = new Map<string, string>();
    for (const b of this.backups.values()) {
      if (b.vaultId === v.id && b.imageType === "backup" && this.backupStatus(b, now) !== "hidden") {
        resources.set(b.resourceId, b.resourceName);
      }
    }
    return {
      id: v.id,
      name: v.name,
      description: "",
      project_id: v.projectId,
      provider_id: v.objectType === "disk" ? "d1603440-187d-4516-af25-121250c7cc97" : SERVER_PROVIDER_ID,
      created_at: isoMicros(v.createdAt),
      enterprise_project_id: "0",
      auto_bind: false,
      auto_expand: false,
      locked: false,
      tags: [],
      bind_rules: {},
      resources: [...resources].map(([id, name]) => ({
        id,
        name,
        type: "OS::Nova::Server",
        protect_status: "available",
        extra_info: {},
      })),
      billing: {
        allocated: 0,
        charging_mode: "post_paid",
        cloud_type: "public",
        consistent_level: "crash_consistent",
        object_type: v.objectType,
        protect_type: v.protectType,
        size: v.sizeGb,
        spec_code: v.specCode,
        status: "available",
        used: 0,
        storage_unit: "",
        frozen_scene: "",
        is_multi_az: false,
      },
    };
  }

  listVaults(projectId: string): ApiView[] {
    return [...this.vaults.values()].filter((v) => v.projectId === projectId).map((v) => this.vaultView(v));
  }

  opLogStatus(r: CbrReplicationRecord, now = this.ctx.clock.now()): string {
    const st = this.recordStatus(r, now);
    return st === "waiting_replicate"
      ? "waiting"
      : st === "replicating"
        ? "running"
        : st === "fail"
          ? "failed"
          : "success";
  }

  /** OperationLog as documented (ShowOpLog example: `2019-05-23T14:35:23.584+00:00`). */
  opLogView(r: CbrReplicationRecord, now = this.ctx.clock.now()): ApiView {
    const status = this.opLogStatus(r, now);
    const ended = status === "success" || status === "failed";
    const endedAt = status === "failed" ? (r.failAt ?? r.completesAt) : r.completesAt;
    return {
      id: r.opLogId,
      status,
      operation_type: "replication",
      created_at: isoMillisZoned(r.createdAt),
      started_at: status === "waiting" ? null : isoMillisZoned(r.replicatingAt),
      ended_at: ended ? isoMillisZoned(endedAt) : null,
      updated_at: isoMillisZoned(Math.min(now, ended ? endedAt : now)),
      error_info:
        status === "failed"
          ? { code: "BackupService.1006", message: "Failed to import the replica." }
          : { code: "", message: "" },
      vault_id: r.vaultId,
      vault_name: r.vaultName,
      project_id: r.sourceProjectId,
      provider_id: r.providerId,
      checkpoint_id: r.sourceCheckpointId,
      policy_id: "",
      extra_info: {
        resource: {
          id: r.resourceId ?? "",
          name: r.resourceName ?? "",
          type: r.resourceType ?? "OS::Nova::Server",
        },
        replication: {
          source_backup_id: r.sourceBackupId,
          source_checkpoint_id: r.sourceCheckpointId,
          source_project_id: r.sourceProjectId,
          source_region: r.sourceRegion,
          source_backup_name: r.sourceBackupName,
          destination_backup_id: status === "waiting" ? "" : r.destinationBackupId,
          destination_checkpoint_id: status === "waiting" ? "" : r.destinationCheckpointId,
          destination_project_id: r.destinationProjectId,
          destination_region: r.destinationRegion,
          destination_backup_name: r.destinationBackupName ?? r.sourceBackupName,
        },
        common: { progress: this.recordProgress(r, now), request_id: "", task_id: r.opLogId },
      },
    };
  }

  listOpLogs(
    projectId: string,
    f: OpLogFilter,
  ): { operation_logs: ApiView[]; count: number; limit: number; offset: number } {
    const cap = this.ctx.config.pageSizes.cbrOpLogs;
    const limit = Math.min(f.limit ?? cap, cap);
    const offset = f.offset ?? 0;
    if (f.operationType !== undefined && f.operationType !== "replication")
      return { operation_logs: [], count: 0, limit, offset };
    const now = this.ctx.clock.now();
    const all = [...this.records.values()]
      .filter(
        (r) =>
          r.sourceProjectId === projectId &&
          (f.vaultId === undefined || r.vaultId === f.vaultId) &&
          (f.resourceId === undefined || r.resourceId === f.resourceId) &&
          (f.status === undefined || this.opLogStatus(r, now) === f.status),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
      .map((r) => this.opLogView(r, now));
    const p = page(all, { limit, offset }, cap)!;
    return { operation_logs: p.items, count: all.length, limit, offset };
  }

  /** ShowReplicationCapabilities: every region can replicate to every other one. */
  replicationCapabilities(): { regions: Array<{ name: string; replication_destinations: string[] }> } {
    const names = this.ctx.regions().map((r) => r.name);
    return {
      regions: names.map((name) => ({ name, replication_destinations: names.filter((n) => n !== name) })),
    };
  }

  showOpLog(projectId: string, id: string): ApiView {
    for (const r of this.records.values()) {
      if (r.opLogId === id && r.sourceProjectId === projectId) return this.opLogView(r);
    }
    throw cbrError(404, "BackupService.6500", "The operation log does not exist.");
  }
}
