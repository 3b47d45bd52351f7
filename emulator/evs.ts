/**
 * EVS model: volumes and v2 "cloudsnapshots". State machine creating -> available | error,
 * deleting -> gone (404 EVS.5404); statuses derived from stored times.
 */
import { isoMicros, uuid } from "./clock";
import { type ApiView, type ModelContext, paginate, plan } from "./context";
import { evsError } from "./errors";
import { operationProgress, percentText } from "./progress";
import type { EvsSnapshot, EvsVolume } from "./state";

export interface EvsCreateInput {
  volumeId: string;
  force?: boolean;
  metadata?: Record<string, string>;
  name?: string;
  description?: string;
}

export interface EvsListFilter {
  offset?: number;
  limit?: number;
  name?: string;
  status?: string;
  volumeId?: string;
  availabilityZone?: string;
  ids?: string[];
}

const NOT_FOUND = "Resource(Volume, Snapshot, Backup .etc) cound not be found.";

export class EvsModel {
  readonly volumes = new Map<string, EvsVolume>();
  readonly snapshots = new Map<string, EvsSnapshot>();
  /** Manual snapshots allowed per volume; undefined = unlimited (the real limit is unverified). */
  snapshotQuotaPerVolume: number | undefined;

  constructor(private readonly ctx: ModelContext) {}

  load(volumes: EvsVolume[], snapshots: EvsSnapshot[], quota?: number): void {
    this.volumes.clear();
    this.snapshots.clear();
    for (const v of volumes) this.volumes.set(v.id, { ...v });
    for (const s of snapshots) this.snapshots.set(s.id, { ...s, metadata: { ...s.metadata } });
    this.snapshotQuotaPerVolume = quota;
  }

  status(s: EvsSnapshot, now = this.ctx.clock.now()): string {
    if (s.goneAt !== undefined && now >= s.goneAt) return "gone";
    if (s.statusOverride !== undefined) return s.statusOverride;
    if (s.deleteStartedAt !== undefined) return "deleting";
    if (s.failAt !== undefined && now >= s.failAt) return "error";
    return now < s.completesAt ? "creating" : "available";
  }

  sweep(now: number): void {
    for (const [id, s] of this.snapshots) if (this.status(s, now) === "gone") this.snapshots.delete(id);
  }

  volume(projectId: string, id: string): EvsVolume {
    const v = this.volumes.get(id);
    if (!v || v.projectId !== projectId) throw evsError(404, "EVS.5404", NOT_FOUND);
    return v;
  }

  snapshot(projectId: string, id: string): EvsSnapshot {
    const s = this.snapshots.get(id);
    if (!s || s.projectId !== projectId || this.status(s) === "gone")
      throw evsError(404, "EVS.5404", NOT_FOUND);
    return s;
  }

  createSnapshot(projectId: string, input: EvsCreateInput): EvsSnapshot {
    const v = this.volume(projectId, input.volumeId);
    if (v.status === "attaching" && !input.force) {
      throw evsError(
        400,
        "EVS.5400",
        "Invalid volume: the volume is attaching; set force=true to create a snapshot anyway.",
      );
    }
    if (!["available", "in-use", "attaching"].includes(v.status)) {
      // EMULATOR ASSUMPTION: the code for a volume in a wrong state is unverified.
      throw evsError(
        400,
        "EVS.5400",
        `Invalid volume: volume status must be available or in-use, but current status is: ${v.status}.`,
      );
    }
    if ((input.name?.length ?? 0) > 255 || (input.description?.length ?? 0) > 255) {
      throw evsError(400, "EVS.5400", "Invalid request: name and description are limited to 255 characters.");
    }
    const quota = this.snapshotQuotaPerVolume;
    if (quota !== undefined) {
      const existing = [...this.snapshots.values()].filter(
        (s) => s.volumeId === v.id && this.status(s) !== "gone",
      ).length;
      // EMULATOR ASSUMPTION: the snapshot quota code is unverified (EVS.5413 is the volume quota code).
      if (existing >= quota) throw evsError(413, "EVS.5413", "Insufficient snapshot quota for the volume.");
    }
    const now = this.ctx.clock.now();
    const { timings, faults } = this.ctx.config;
    const s: EvsSnapshot = {
      id: uuid(),
      projectId,
      volumeId: v.id,
      name: input.name ?? "",
      description: input.description ?? "",
      metadata: { ...(input.metadata ?? {}) },
      sizeGb: v.sizeGb,
      availabilityZone: v.availabilityZone,
      createdAt: now,
      updatedAt: now,
      ...plan(this.ctx, now, timings.evsSnapshotCreate, faults.fail.evsSnapshot),
    };
    this.snapshots.set(s.id, s);
    this.ctx.changed();
    return s;
  }

  updateSnapshot(projectId: string, id: string, input: { name?: string; description?: string }): EvsSnapshot {
    const s = this.snapshot(projectId, id);
    if ((input.name?.length ?? 0) > 255 || (input.description?.length ?? 0) > 255) {
      throw evsError(400, "EVS.5400", "Invalid request: name and description are limited to 255 characters.");
    }
    if (input.name !== undefined) s.name = input.name;
    if (input.description !== undefined) s.description = input.description;
    s.updatedAt = this.ctx.clock.now();
    this.ctx.changed();
    return s;
  }

  deleteSnapshot(projectId: string, id: string): void {
    const s = this.snapshot(projectId, id);
    const status = this.status(s);
    if (status === "error_deleting") {
      throw evsError(500, "EVS.2019", "The snapshot is in error_deleting status.");
    }
    if (status !== "available" && status !== "error") {
      throw evsError(400, "EVS.1047", "snapshot status must be available or error when delete snapshot!");
    }
    const now = this.ctx.clock.now();
    s.deleteStartedAt = now;
    s.updatedAt = now;
    s.goneAt =
      now + this.ctx.random.jitter(this.ctx.config.timings.evsSnapshotDelete, this.ctx.config.timings.jitter);
    this.ctx.changed();
  }

  progress(s: EvsSnapshot, now = this.ctx.clock.now()): number | undefined {
    const op = { ...s, startedAt: s.createdAt };
    return operationProgress(this.ctx.config.progress, "evsSnapshotCreate", op, now);
  }

  view(s: EvsSnapshot, now = this.ctx.clock.now()): ApiView {
    return {
      id: s.id,
      status: this.status(s, now),
      name: s.name,
      description: s.description,
      created_at: isoMicros(s.createdAt),
      updated_at: isoMicros(s.updatedAt),
      metadata: { ...s.metadata },
      volume_id: s.volumeId,
      size: s.sizeGb,
      "os-extended-snapshot-attributes:project_id": s.projectId,
      "os-extended-snapshot-attributes:progress": percentText(this.progress(s, now)),
    };
  }

  listSnapshots(projectId: string, f: EvsListFilter): { count: number; snapshots: ApiView[] } {
    const now = this.ctx.clock.now();
    const matching = [...this.snapshots.values()]
      .filter((s) => {
        if (s.projectId !== projectId) return false;
        const status = this.status(s, now);
        if (status === "gone") return false;
        if (f.name !== undefined && s.name !== f.name) return false;
        if (f.status !== undefined && status !== f.status) return false;
        if (f.volumeId !== undefined && s.volumeId !== f.volumeId) return false;
        if (f.availabilityZone !== undefined && s.availabilityZone !== f.availabilityZone) return false;
        if (f.ids && f.ids.length > 0 && !f.ids.includes(s.id)) return false;
        return true;
      })
      // Newest first, as cinder lists.
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
    const page = paginate(matching, f.offset, f.limit).map((s) => ({
      ...this.view(s, now),
      service_type: "EVS",
      dedicated_storage_id: null,
      dedicated_storage_name: null,
    }));
    return { count: matching.length, snapshots: page };
  }

  volumeView(v: EvsVolume): ApiView {
    return {
      id: v.id,
      name: v.name,
      size: v.sizeGb,
      status: v.status,
      availability_zone: v.availabilityZone,
      volume_type: v.volumeType,
      bootable: "false",
      multiattach: false,
      metadata: {},
    };
  }
}
