/**
 * DWS (GaussDB(DWS)) model: clusters and their snapshots. Owns the rules and the state machine
 * CREATING -> AVAILABLE | UNAVAILABLE, DELETING -> gone; statuses are derived from stored times.
 */
import { isoSeconds, percent, uuid } from "./clock";
import { type ApiView, compare, type ModelContext, page, plan, UUID_RE } from "./context";
import { dwsError } from "./errors";
import type { DwsCluster, DwsSnapshot } from "./state";

export type DwsSnapshotStatus = "CREATING" | "AVAILABLE" | "UNAVAILABLE" | "DELETING" | "GONE";

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{3,63}$/;
/** ACTIVE is the documented word (ClusterDetail.status); AVAILABLE is accepted for older seeds. */
const READY_CLUSTER_STATUSES = ["ACTIVE", "AVAILABLE"];
const BAD_DESCRIPTION_RE = /[!<>'=&"]/;

export interface DwsCreateInput {
  name: string;
  clusterId: string;
  description?: string;
}

export interface DwsListOptions {
  limit?: number;
  offset?: number;
  sortKey?: string;
  sortDir?: "asc" | "desc";
}

export class DwsModel {
  readonly clusters = new Map<string, DwsCluster>();
  readonly snapshots = new Map<string, DwsSnapshot>();

  constructor(private readonly ctx: ModelContext) {}

  load(clusters: DwsCluster[], snapshots: DwsSnapshot[]): void {
    this.clusters.clear();
    this.snapshots.clear();
    for (const c of clusters) this.clusters.set(c.id, { ...c });
    for (const s of snapshots) this.snapshots.set(s.id, { ...s });
  }

  status(s: DwsSnapshot, now = this.ctx.clock.now()): DwsSnapshotStatus {
    if (s.goneAt !== undefined && now >= s.goneAt) return "GONE";
    if (s.deleteStartedAt !== undefined) return "DELETING";
    if (s.failAt !== undefined && now >= s.failAt) return "UNAVAILABLE";
    return now < s.completesAt ? "CREATING" : "AVAILABLE";
  }

  progress(s: DwsSnapshot, now = this.ctx.clock.now()): number {
    return percent(s.startedAt, s.completesAt, Math.min(now, s.failAt ?? now));
  }

  /** Drops snapshots whose deletion has finished. */
  sweep(now: number): void {
    for (const [id, s] of this.snapshots) if (this.status(s, now) === "GONE") this.snapshots.delete(id);
  }

  cluster(projectId: string, clusterId: string): DwsCluster {
    if (!UUID_RE.test(clusterId))
      throw dwsError(400, "DWS.0001", `Illegal parameter: cluster_id ${clusterId}`);
    const c = this.clusters.get(clusterId);
    if (!c || c.projectId !== projectId) throw dwsError(404, "DWS.0047", "The cluster does not exist.");
    return c;
  }

  snapshot(projectId: string, id: string): DwsSnapshot {
    const s = this.snapshots.get(id);
    if (!s || s.projectId !== projectId || this.status(s) === "GONE") {
      throw dwsError(400, "DWS.5149", "The snapshot ID is invalid.");
    }
    return s;
  }

  private checkName(projectId: string, name: string): void {
    if (!NAME_RE.test(name)) {
      throw dwsError(
        400,
        "DWS.0001",
        "Illegal parameter: the snapshot name must be 4 to 64 characters, start with a letter and contain only letters, digits, - and _.",
      );
    }
    const lower = name.toLowerCase();
    for (const s of this.snapshots.values()) {
      if (s.projectId === projectId && s.name.toLowerCase() === lower && this.status(s) !== "GONE") {
        // EMULATOR ASSUMPTION: the real code for a duplicate snapshot name is unverified.
        throw dwsError(400, "DWS.5150", `The snapshot name ${name} already exists.`);
      }
    }
  }

  private checkDescription(description: string | undefined): void {
    if (description === undefined) return;
    if (description.length > 256 || BAD_DESCRIPTION_RE.test(description)) {
      throw dwsError(
        400,
        "DWS.0001",
        "Illegal parameter: the description must be at most 256 characters without !<>'=&\".",
      );
    }
  }

  /** The cluster's manual snapshot being created, if any (the cluster is SNAPSHOTTING). */
  creatingSnapshotOf(clusterId: string, now = this.ctx.clock.now()): DwsSnapshot | undefined {
    for (const s of this.snapshots.values()) {
      if (s.clusterId === clusterId && s.copiedFrom === undefined && this.status(s, now) === "CREATING")
        return s;
    }
    return undefined;
  }

  createSnapshot(projectId: string, input: DwsCreateInput): DwsSnapshot {
    const cluster = this.cluster(projectId, input.clusterId);
    this.checkName(projectId, input.name);
    this.checkDescription(input.description);
    if (!READY_CLUSTER_STATUSES.includes(cluster.status)) {
      throw dwsError(403, "DWS.7023", "Cluster status is not allowed to operation.", true);
    }
    if (this.creatingSnapshotOf(cluster.id)) {
      throw dwsError(403, "DWS.7023", "Cluster status is not allowed to operation.", true);
    }
    const now = this.ctx.clock.now();
    const { timings, faults } = this.ctx.config;
    const s: DwsSnapshot = {
      id: uuid(),
      projectId,
      clusterId: cluster.id,
      name: input.name,
      description: input.description ?? "",
      type: "MANUAL",
      sizeGb: cluster.usedGb,
      startedAt: now,
      ...plan(this.ctx, now, timings.dwsSnapshotCreate, faults.fail.dwsSnapshot),
    };
    this.snapshots.set(s.id, s);
    this.ctx.changed();
    return s;
  }

  copySnapshot(
    projectId: string,
    sourceId: string,
    input: { backupName: string; description?: string },
  ): DwsSnapshot {
    const source = this.snapshot(projectId, sourceId);
    if (source.type !== "AUTOMATED") {
      // EMULATOR ASSUMPTION: code unverified.
      throw dwsError(400, "DWS.5153", "Only automated snapshots can be copied.");
    }
    if (this.status(source) !== "AVAILABLE") {
      throw dwsError(400, "DWS.5153", "The snapshot to be copied is not available.");
    }
    this.checkName(projectId, input.backupName);
    this.checkDescription(input.description);
    const now = this.ctx.clock.now();
    const { timings, faults } = this.ctx.config;
    const s: DwsSnapshot = {
      id: uuid(),
      projectId,
      clusterId: source.clusterId,
      name: input.backupName,
      description: input.description ?? "",
      type: "MANUAL",
      sizeGb: source.sizeGb,
      startedAt: now,
      copiedFrom: source.id,
      ...plan(this.ctx, now, timings.dwsSnapshotCopy, faults.fail.dwsSnapshot),
    };
    this.snapshots.set(s.id, s);
    this.ctx.changed();
    return s;
  }

  deleteSnapshot(projectId: string, id: string): void {
    const s = this.snapshot(projectId, id);
    if (s.type !== "MANUAL") {
      // EMULATOR ASSUMPTION: code unverified (not DWS.0001, which clients read as "already deleted").
      throw dwsError(400, "DWS.5151", "Automated snapshots cannot be deleted.");
    }
    if (s.deleteStartedAt !== undefined) return; // already being deleted: accepted again
    const now = this.ctx.clock.now();
    s.deleteStartedAt = now;
    s.goneAt =
      now + this.ctx.random.jitter(this.ctx.config.timings.dwsSnapshotDelete, this.ctx.config.timings.jitter);
    this.ctx.changed();
  }

  view(s: DwsSnapshot, now = this.ctx.clock.now()): ApiView {
    const status = this.status(s, now);
    const cluster = this.clusters.get(s.clusterId);
    const finishedAt =
      status === "UNAVAILABLE"
        ? s.failAt
        : status === "CREATING"
          ? undefined
          : Math.min(s.completesAt, s.failAt ?? Infinity);
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      started: isoSeconds(s.startedAt),
      finished: finishedAt === undefined ? null : isoSeconds(finishedAt),
      size: s.sizeGb,
      status,
      type: s.type,
      cluster_id: s.clusterId,
      cluster_name: cluster?.name ?? "",
      progress: `${this.progress(s, now)}%`,
      datastore: { type: "dws", version: cluster?.version ?? "8.2.1" },
      backup_device: "OBS",
      backup_level: "cluster",
      updated: isoSeconds(s.deleteStartedAt ?? Math.min(now, s.failAt ?? s.completesAt)),
      bak_keep_day: s.type === "AUTOMATED" ? 7 : -1,
      fine_grained_backup: false,
      support_inplace_restore: false,
    };
  }

  listSnapshots(projectId: string): ApiView[] {
    const now = this.ctx.clock.now();
    return [...this.snapshots.values()]
      .filter((s) => s.projectId === projectId && this.status(s, now) !== "GONE")
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((s) => this.view(s, now));
  }

  listClusterSnapshots(
    projectId: string,
    clusterId: string,
    opts: DwsListOptions,
  ): { snapshots: ApiView[]; count: number } {
    this.cluster(projectId, clusterId);
    const now = this.ctx.clock.now();
    const key = opts.sortKey ?? "started";
    const dir = opts.sortDir === "asc" ? 1 : -1;
    const all = [...this.snapshots.values()]
      .filter((s) => s.clusterId === clusterId && s.projectId === projectId && this.status(s, now) !== "GONE")
      .map((s) => this.view(s, now))
      .sort((a, b) => dir * compare(a[key], b[key]) || compare(a.id, b.id));
    const p = page(all, opts, this.ctx.config.pageSizes.dwsClusterSnapshots)!;
    return { snapshots: p.items, count: all.length };
  }

  /** ClusterDetail as documented (GOSDK `model_cluster_detail.go`); fixed network values. */
  clusterView(c: DwsCluster, now = this.ctx.clock.now()): ApiView {
    const creating = this.creatingSnapshotOf(c.id, now);
    const region = this.ctx.regions().find((r) => r.projectId === c.projectId)?.name ?? "";
    const host = `${c.name}.dws.myhuaweiclouds.com`;
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      version: c.version,
      updated: isoSeconds(c.createdAt),
      created: isoSeconds(c.createdAt),
      port: 8000,
      endpoints: [
        { connect_info: `${host}:8000`, jdbc_url: `jdbc:postgresql://${host}:8000/<YOUR_DATABASE_NAME>` },
      ],
      nodes: Array.from({ length: c.nodeCount }, (_, i) => ({
        id: `${c.id.slice(0, 24)}${String(i).padStart(12, "0")}`,
        status: "200",
      })),
      tags: [],
      user_name: "dbadmin",
      number_of_node: c.nodeCount,
      recent_event: 0,
      availability_zone: `${region}a`,
      enterprise_project_id: "0",
      vpc_id: "85b20d7e-9eb7-4b2a-98f3-3c8843ea3574",
      subnet_id: "d5f4e3c2-1b0a-4c9d-8e7f-6a5b4c3d2e1f",
      public_ip: { public_bind_type: "not_use", eip_id: "" },
      public_endpoints: [],
      action_progress: creating ? { SNAPSHOTTING: `${this.progress(creating, now)}%` } : {},
      sub_status: "NORMAL",
      task_status: creating ? "SNAPSHOTTING" : "",
      node_type: "dws.m3.xlarge",
      node_type_id: "ebe532d9-de7b-4a1c-a1f1-0fd4a2a0b6f0",
      security_group_id: "c8f0a2a4-9a3b-4b7e-8d2c-1e0f9a8b7c6d",
      private_ip: Array.from({ length: c.nodeCount }, (_, i) => `192.168.0.${10 + i}`),
    };
  }

  showCluster(projectId: string, clusterId: string): ApiView {
    return this.clusterView(this.cluster(projectId, clusterId));
  }

  listClusters(projectId: string): ApiView[] {
    return [...this.clusters.values()]
      .filter((c) => c.projectId === projectId)
      .map((c) => this.clusterView(c));
  }
}
