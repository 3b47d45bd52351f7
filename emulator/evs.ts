/**
 * EVS model: volumes and v2 "cloudsnapshots". State machine creating -> available | error,
 * deleting -> gone (404 EVS.5404); statuses derived from stored times.
 */
import { isoMicros, percent, uuid } from "./clock";
import { type ApiView, compare, type ModelContext, type PageRequest, page, plan } from "./context";
import { evsError } from "./errors";
import type { EvsSnapshot, EvsVolume } from "./state";

export interface EvsCreateInput {
  volumeId: string;
  force?: boolean;
  metadata?: Record<string, string>;
  name?: string;
  description?: string;
}

export interface EvsListFilter extends PageRequest {
  name?: string;
  status?: string;
  volumeId?: string;
  availabilityZone?: string;
  ids?: string[];
}

export interface EvsVolumeFilter extends PageRequest {
  name?: string;
  status?: string;
  availabilityZone?: string;
  id?: string;
  sortKey?: string;
  sortDir?: "asc" | "desc";
}

const NOT_FOUND = "Resource(Volume, Snapshot, Backup .etc) cound not be found.";

function badMarker(marker: string) {
  return evsError(400, "EVS.5400", `Invalid marker: ${marker} was not found.`);
}

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

  progress(s: EvsSnapshot, now = this.ctx.clock.now()): number {
    return percent(s.createdAt, s.completesAt, Math.min(now, s.failAt ?? now));
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
      "os-extended-snapshot-attributes:progress": `${this.progress(s, now)}%`,
    };
  }

  listSnapshots(
    projectId: string,
    f: EvsListFilter,
  ): { count: number; snapshots: ApiView[]; more: boolean; last?: string } {
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
    const p = page(matching, f, this.ctx.config.pageSizes.evsSnapshots);
    if (!p) throw badMarker(f.marker ?? "");
    const snapshots = p.items.map((s) => ({
      ...this.view(s, now),
      service_type: "EVS",
      dedicated_storage_id: null,
      dedicated_storage_name: null,
    }));
    return { count: matching.length, snapshots, more: p.more, ...lastId(p.items) };
  }

  /** VolumeDetail as documented (GOSDK evs v2 `model_volume_detail.go`). */
  volumeView(v: EvsVolume, baseUrl = ""): ApiView {
    const attached = v.status === "in-use";
    const created = isoMicros(v.createdAt ?? 0);
    return {
      id: v.id,
      links: [
        { href: `${baseUrl}/v2/${v.projectId}/volumes/${v.id}`, rel: "self" },
        { href: `${baseUrl}/${v.projectId}/volumes/${v.id}`, rel: "bookmark" },
      ],
      name: v.name,
      status: v.status,
      attachments: attached
        ? [
            {
              server_id: SERVER_OF_ATTACHED,
              attachment_id: `${v.id.slice(0, 24)}a77ac4ed0001`,
              attached_at: created,
              host_name: null,
              volume_id: v.id,
              device: "/dev/vdb",
              id: v.id,
            },
          ]
        : [],
      availability_zone: v.availabilityZone,
      "os-vol-host-attr:host": "pod01.cn-north-4a#SSD",
      source_volid: null,
      snapshot_id: null,
      description: "",
      created_at: created,
      "os-vol-tenant-attr:tenant_id": v.projectId,
      volume_image_metadata: {},
      volume_type: v.volumeType,
      size: v.sizeGb,
      consistencygroup_id: null,
      bootable: "false",
      metadata: {},
      updated_at: created,
      encrypted: false,
      replication_status: "disabled",
      "os-volume-replication:extended_status": null,
      "os-vol-mig-status-attr:migstat": null,
      "os-vol-mig-status-attr:name_id": null,
      shareable: false,
      user_id: "",
      service_type: "EVS",
      multiattach: false,
      tags: {},
      wwn: `688860300000${v.id.replace(/-/g, "").slice(0, 20)}`,
      enterprise_project_id: "0",
    };
  }

  listVolumes(
    projectId: string,
    f: EvsVolumeFilter,
    baseUrl: string,
  ): { count: number; volumes: ApiView[]; more: boolean; last?: string } {
    const key = f.sortKey ?? "created_at";
    const dir = f.sortDir === "asc" ? 1 : -1;
    const matching = [...this.volumes.values()]
      .filter(
        (v) =>
          v.projectId === projectId &&
          (f.name === undefined || v.name === f.name) &&
          (f.status === undefined || v.status === f.status) &&
          (f.availabilityZone === undefined || v.availabilityZone === f.availabilityZone) &&
          (f.id === undefined || v.id === f.id),
      )
      .map((v) => this.volumeView(v, baseUrl))
      .sort((a, b) => dir * compare(a[key], b[key]) || compare(a.id, b.id));
    const p = page(matching, f, this.ctx.config.pageSizes.evsVolumes);
    if (!p) throw badMarker(f.marker ?? "");
    return { count: matching.length, volumes: p.items, more: p.more, ...lastId(p.items) };
  }
}

/** A fixed server id for attached volumes (the emulator has no ECS). */
const SERVER_OF_ATTACHED = "f0ac9df1-4c2a-4b1e-9f2a-6a3b5c7d9e01";

function lastId(items: Array<{ id: string }>): { last?: string } {
  const last = items[items.length - 1];
  return last ? { last: last.id } : {};
}
