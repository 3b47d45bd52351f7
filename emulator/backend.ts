/**
 * The backend: every service model over one world, drivable without HTTP. It owns all state and
 * transitions; the HTTP layer (server.ts, routes.ts) only parses requests and renders answers.
 */

import { CbrModel } from "./cbr";
import { type Clock, Random, systemClock, uuid } from "./clock";
import { type Config, DEFAULT_PAGE_SIZES, DEFAULT_TIMINGS, defaultFaults } from "./config";
import type { ApiView, ModelContext } from "./context";
import { DEMO_ACCESS_KEY, DEMO_TEMPORARY_CREDENTIALS, DEMO_USER } from "./defaults";
import { DwsModel } from "./dws";
import { EvsModel } from "./evs";
import { IamModel } from "./iam";
import { defaultWorld, emptyWorld, type Region, type WorldState } from "./state";

export interface SeedInput {
  dwsClusters?: Array<{ id?: string; name?: string; region?: string; usedGb?: number; status?: string }>;
  /** Snapshots present as fixtures; AUTOMATED unless said otherwise. */
  dwsSnapshots?: Array<{
    id?: string;
    clusterId: string;
    name?: string;
    type?: "MANUAL" | "AUTOMATED";
    description?: string;
  }>;
  evsVolumes?: Array<{
    id?: string;
    name?: string;
    region?: string;
    sizeGb?: number;
    status?: string;
    availabilityZone?: string;
  }>;
  /** Snapshots with a fixed status (e.g. error_deleting) or available ones. */
  evsSnapshots?: Array<{ id?: string; volumeId: string; name?: string; status?: string }>;
  /** Per-volume manual snapshot quota; null = unlimited. */
  evsSnapshotQuotaPerVolume?: number | null;
  cbrVaults?: Array<{
    id?: string;
    name?: string;
    region?: string;
    objectType?: string;
    protectType?: "backup" | "replication" | "hybrid";
  }>;
  cbrBackups?: Array<{
    id?: string;
    vaultId: string;
    name?: string;
    status?: string;
    resourceId?: string;
    resourceName?: string;
  }>;
}

export interface SeedResult {
  dwsClusters: string[];
  dwsSnapshots: string[];
  evsVolumes: string[];
  evsSnapshots: string[];
  cbrVaults: string[];
  cbrBackups: string[];
}

/** One resource in the world JSON: its API view plus `region` (and `project_id` where the API lacks it). */
export interface WorldItem {
  id: string;
  region: string;
  [field: string]: any;
}
export type WorldDwsSnapshot = WorldItem & {
  name: string;
  status: string;
  type: string;
  cluster_id: string;
  progress: string;
};
export type WorldEvsSnapshot = WorldItem & {
  name: string;
  status: string;
  volume_id: string;
  metadata: Record<string, string>;
};
export type WorldCbrBackup = WorldItem & {
  name: string;
  status: string;
  vault_id: string;
  image_type: string;
  replication_records: any[];
};

export interface WorldJson {
  regions: Array<{ name: string; projectId: string }>;
  credentials: {
    accessKey: string;
    temporaryAccessKeys: string[];
    iamUser: { name: string; domainName: string };
  };
  dws: { clusters: WorldItem[]; snapshots: WorldDwsSnapshot[] };
  evs: { volumes: WorldItem[]; snapshots: WorldEvsSnapshot[]; snapshotQuotaPerVolume: number | null };
  cbr: { vaults: WorldItem[]; backups: WorldCbrBackup[]; replicationRecords: any[]; operationLogs: any[] };
}

export interface BackendOptions {
  clock?: Clock;
  random?: Random;
  config?: Config;
  world?: "default" | "empty";
  /** A persisted world to load instead of building one. */
  state?: WorldState;
  onChange?: () => void;
}

export class Backend {
  readonly clock: Clock;
  readonly random: Random;
  readonly config: Config;
  readonly dws: DwsModel;
  readonly evs: EvsModel;
  readonly cbr: CbrModel;
  readonly iam: IamModel;
  private regionList: Region[] = [];
  private lastSweep = 0;
  onChange: () => void;

  constructor(opts: BackendOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? new Random();
    this.config = opts.config ?? {
      timings: { ...DEFAULT_TIMINGS },
      faults: defaultFaults(),
      pageSizes: { ...DEFAULT_PAGE_SIZES },
    };
    this.onChange = opts.onChange ?? (() => {});
    const ctx: ModelContext = {
      clock: this.clock,
      random: this.random,
      config: this.config,
      regions: () => this.regionList,
      changed: () => this.onChange(),
    };
    this.dws = new DwsModel(ctx);
    this.evs = new EvsModel(ctx);
    this.cbr = new CbrModel(ctx);
    this.iam = new IamModel(ctx);
    this.load(opts.state ?? (opts.world === "empty" ? emptyWorld() : defaultWorld(this.clock.now())));
  }

  load(state: WorldState): void {
    this.regionList = state.regions.map((r) => ({ ...r }));
    this.dws.load(state.dws.clusters, state.dws.snapshots);
    this.evs.load(state.evs.volumes, state.evs.snapshots, state.evs.snapshotQuotaPerVolume);
    this.cbr.load(state.cbr.vaults, state.cbr.backups, state.cbr.records);
  }

  /** Back to the default (or empty) world. */
  reset(world: "default" | "empty" = "default"): void {
    this.load(world === "empty" ? emptyWorld() : defaultWorld(this.clock.now()));
    this.onChange();
  }

  /** The stored state, for persistence. */
  dump(): WorldState {
    return {
      version: 1,
      regions: this.regionList.map((r) => ({ ...r })),
      dws: { clusters: [...this.dws.clusters.values()], snapshots: [...this.dws.snapshots.values()] },
      evs: {
        volumes: [...this.evs.volumes.values()],
        snapshots: [...this.evs.snapshots.values()],
        ...(this.evs.snapshotQuotaPerVolume === undefined
          ? {}
          : { snapshotQuotaPerVolume: this.evs.snapshotQuotaPerVolume }),
      },
      cbr: {
        vaults: [...this.cbr.vaults.values()],
        backups: [...this.cbr.backups.values()],
        records: [...this.cbr.records.values()],
      },
    };
  }

  regions(): Region[] {
    return this.regionList;
  }

  regionOfProject(projectId: string): Region | undefined {
    return this.regionList.find((r) => r.projectId === projectId);
  }

  private projectOf(region: string | undefined): string {
    const r = region === undefined ? this.regionList[0] : this.regionList.find((x) => x.name === region);
    if (!r) throw new Error(`unknown region ${region}`);
    return r.projectId;
  }

  /** Forgets finished deletions and failed replicas (at most once a second; views never need it). */
  sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    this.dws.sweep(now);
    this.evs.sweep(now);
    this.cbr.sweep(now);
  }

  seed(input: SeedInput): SeedResult {
    const now = this.clock.now();
    const out: SeedResult = {
      dwsClusters: [],
      dwsSnapshots: [],
      evsVolumes: [],
      evsSnapshots: [],
      cbrVaults: [],
      cbrBackups: [],
    };
    for (const c of input.dwsClusters ?? []) {
      const id = c.id ?? uuid();
      this.dws.clusters.set(id, {
        id,
        projectId: this.projectOf(c.region),
        name: c.name ?? `dws-${id.slice(0, 8)}`,
        status: c.status ?? "ACTIVE",
        version: "8.2.1",
        nodeCount: 3,
        usedGb: c.usedGb ?? 50,
        createdAt: now,
      });
      out.dwsClusters.push(id);
    }
    for (const s of input.dwsSnapshots ?? []) {
      const cluster = this.dws.clusters.get(s.clusterId);
      if (!cluster) throw new Error(`seed: unknown DWS cluster ${s.clusterId}`);
      const id = s.id ?? uuid();
      this.dws.snapshots.set(id, {
        id,
        projectId: cluster.projectId,
        clusterId: cluster.id,
        name: s.name ?? `auto-${id.slice(0, 8)}`,
        description: s.description ?? "",
        type: s.type ?? "AUTOMATED",
        sizeGb: cluster.usedGb,
        startedAt: now - 600_000,
        completesAt: now - 1,
      });
      out.dwsSnapshots.push(id);
    }
    for (const v of input.evsVolumes ?? []) {
      const id = v.id ?? uuid();
      const region = this.regionList.find((r) => r.projectId === this.projectOf(v.region))!;
      this.evs.volumes.set(id, {
        id,
        projectId: region.projectId,
        name: v.name ?? `volume-${id.slice(0, 8)}`,
        sizeGb: v.sizeGb ?? 10,
        status: v.status ?? "available",
        availabilityZone: v.availabilityZone ?? `${region.name}a`,
        volumeType: "SSD",
        createdAt: now,
      });
      out.evsVolumes.push(id);
    }
    for (const s of input.evsSnapshots ?? []) {
      const vol = this.evs.volumes.get(s.volumeId);
      if (!vol) throw new Error(`seed: unknown EVS volume ${s.volumeId}`);
      const id = s.id ?? uuid();
      this.evs.snapshots.set(id, {
        id,
        projectId: vol.projectId,
        volumeId: vol.id,
        name: s.name ?? `snapshot-${id.slice(0, 8)}`,
        description: "",
        metadata: {},
        sizeGb: vol.sizeGb,
        availabilityZone: vol.availabilityZone,
        createdAt: now - 60_000,
        updatedAt: now - 60_000,
        completesAt: now - 1,
        ...(s.status === undefined || s.status === "available" ? {} : { statusOverride: s.status }),
      });
      out.evsSnapshots.push(id);
    }
    if (input.evsSnapshotQuotaPerVolume !== undefined) {
      this.evs.snapshotQuotaPerVolume = input.evsSnapshotQuotaPerVolume ?? undefined;
    }
    for (const v of input.cbrVaults ?? []) {
      const id = v.id ?? uuid();
      const objectType = v.objectType ?? "server";
      const protectType = v.protectType ?? "backup";
      this.cbr.vaults.set(id, {
        id,
        projectId: this.projectOf(v.region),
        name: v.name ?? `vault-${id.slice(0, 8)}`,
        objectType,
        protectType,
        specCode: `vault.${protectType}.${objectType === "disk" ? "volume" : objectType}.normal`,
        sizeGb: 100,
        createdAt: now,
        replicatedRegions: [],
      });
      out.cbrVaults.push(id);
    }
    for (const b of input.cbrBackups ?? []) {
      const vault = this.cbr.vaults.get(b.vaultId);
      if (!vault) throw new Error(`seed: unknown CBR vault ${b.vaultId}`);
      const id = b.id ?? uuid();
      const region = this.regionList.find((r) => r.projectId === vault.projectId)!;
      this.cbr.backups.set(id, {
        id,
        projectId: vault.projectId,
        vaultId: vault.id,
        name: b.name ?? `backup-${id.slice(0, 8)}`,
        description: "",
        imageType: "backup",
        resourceId: b.resourceId ?? uuid(),
        resourceName: b.resourceName ?? "ecs-seeded",
        resourceType: vault.objectType === "disk" ? "OS::Cinder::Volume" : "OS::Nova::Server",
        resourceSizeGb: 40,
        resourceAz: `${region.name}a`,
        checkpointId: uuid(),
        createdAt: now - 60_000,
        status: b.status ?? "available",
      });
      out.cbrBackups.push(id);
    }
    this.onChange();
    return out;
  }

  /** The world as JSON: regions, project ids, credentials (access keys only), every resource. */
  world(): WorldJson {
    const now = this.clock.now();
    const region = (projectId: string) => this.regionOfProject(projectId)?.name ?? "";
    return {
      regions: this.regionList.map((r) => ({ name: r.name, projectId: r.projectId })),
      credentials: {
        accessKey: DEMO_ACCESS_KEY,
        temporaryAccessKeys: DEMO_TEMPORARY_CREDENTIALS.map((t) => t.accessKey),
        iamUser: { name: DEMO_USER.name, domainName: DEMO_USER.domainName },
      },
      dws: {
        clusters: [...this.dws.clusters.values()].map((c) => ({
          ...this.dws.clusterView(c, now),
          project_id: c.projectId,
          region: region(c.projectId),
        })),
        snapshots: [...this.dws.snapshots.values()]
          .filter((s) => this.dws.status(s, now) !== "GONE")
          .map((s) =>
            item<WorldDwsSnapshot>(this.dws.view(s, now), {
              project_id: s.projectId,
              region: region(s.projectId),
            }),
          ),
      },
      evs: {
        volumes: [...this.evs.volumes.values()].map((v) => ({
          ...this.evs.volumeView(v),
          project_id: v.projectId,
          region: region(v.projectId),
        })),
        snapshots: [...this.evs.snapshots.values()]
          .filter((s) => this.evs.status(s, now) !== "gone")
          .map((s) => item<WorldEvsSnapshot>(this.evs.view(s, now), { region: region(s.projectId) })),
        snapshotQuotaPerVolume: this.evs.snapshotQuotaPerVolume ?? null,
      },
      cbr: {
        vaults: [...this.cbr.vaults.values()].map((v) => ({
          ...this.cbr.vaultView(v, now),
          region: region(v.projectId),
          replicated_regions: [...v.replicatedRegions],
        })),
        backups: [...this.cbr.backups.values()]
          .filter((b) => this.cbr.backupStatus(b, now) !== "hidden")
          .map((b) =>
            item<WorldCbrBackup>(this.cbr.backupView(b, true, now), { region: region(b.projectId) }),
          ),
        replicationRecords: [...this.cbr.records.values()].map((r) => this.cbr.recordView(r, now)),
        operationLogs: [...this.cbr.records.values()].map((r) => this.cbr.opLogView(r, now)),
      },
    };
  }
}

function item<T extends WorldItem = WorldItem>(view: ApiView, extra: Record<string, unknown>): T {
  return { ...view, ...extra } as unknown as T;
}
