/**
 * The benchmark's world: an emulator in this process on 127.0.0.1 (port 0), the provider pointed
 * at it through `configure` exactly as the provider host does, a client of our own for the
 * baseline poller, and the seeding of one target (cluster, volume, vault …) per resource.
 */
import {
  emulatorStackConfig,
  type FaultsPatch,
  REGIONS,
  type RunningEmulator,
  startEmulator,
  type Timings,
} from "../emulator/index";
import { createClient, resolveSettings } from "../provider/client";
import type { HuaweiClient } from "../provider/client/types";
import { configure, provider } from "../provider/resources/impl";

export type Kind = "EvsSnapshot" | "DwsSnapshot" | "DwsSnapshotCopy" | "CbrReplication";
export const KINDS: readonly Kind[] = ["EvsSnapshot", "DwsSnapshot", "DwsSnapshotCopy", "CbrReplication"];

export const PRIMARY = REGIONS.primary.name;
export const SECONDARY = REGIONS.secondary.name;

/** Every create and delete timing set to `ms`, no jitter. */
export function allTimings(createMs: number, deleteMs: number): Timings {
  return {
    dwsSnapshotCreate: createMs,
    dwsSnapshotCopy: createMs,
    evsSnapshotCreate: createMs,
    cbrReplication: createMs,
    dwsSnapshotDelete: deleteMs,
    evsSnapshotDelete: deleteMs,
    cbrBackupDelete: deleteMs,
    jitter: 0,
  };
}

export interface BenchWorld {
  emu: RunningEmulator;
  config: Record<string, string>;
  /** A client of our own (same settings, same process-wide limiter) for the baseline poller. */
  client: HuaweiClient;
  close(): Promise<void>;
}

/**
 * Starts an empty-world emulator and points the provider at it. Each world has its own port, so
 * the client's process-wide limiter (keyed by origin and region) starts cold, as in a fresh
 * provider host. The project ids of both regions are looked up once here (shared cache), so the
 * measured operations do not include that one-time IAM call.
 */
export async function startWorld(timings: Timings, faults: FaultsPatch = {}, seed = 7): Promise<BenchWorld> {
  const emu = await startEmulator({ port: 0, host: "127.0.0.1", world: "empty", timings, faults, seed });
  const config = emulatorStackConfig(emu.url, { "huaweicloud:region": PRIMARY });
  configure({ config: { get: (k: string) => config[k] } });
  const client = createClient(resolveSettings({ config: { get: (k) => config[k] }, env: {} }));
  await client.projectId(PRIMARY);
  await client.projectId(SECONDARY);
  return { emu, config, client, close: () => emu.close() };
}

/** What one resource needs in the world, and its inputs. */
export interface Target {
  kind: Kind;
  inputs: Record<string, unknown>;
  /** Ids that name this resource's calls before its own id is known (volume, cluster, vaults …). */
  ids: string[];
}

let nameCounter = 0;
/** DWS names: 4–64 characters, a letter first, unique per project (case-insensitive). */
function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${process.pid.toString(36)}-${nameCounter.toString(36)}`;
}

/**
 * Seeds one target per resource: a volume per EVS snapshot, a cluster per DWS snapshot (a cluster
 * refuses a second snapshot while one is CREATING), an automated snapshot per copy, and a source
 * vault (with `backupsPerVault` available backups) plus a replication vault per CBR replication
 * (a vault replicates to a region once).
 */
export function seedTargets(
  world: BenchWorld,
  kinds: readonly Kind[],
  opts: { backupsPerVault?: number; timeouts?: { create: string; delete: string }; prefix?: string } = {},
): Target[] {
  const backend = world.emu.backend;
  const count = (k: Kind) => kinds.filter((x) => x === k).length;
  const nEvs = count("EvsSnapshot");
  const nDws = count("DwsSnapshot");
  const nCopy = count("DwsSnapshotCopy");
  const nCbr = count("CbrReplication");
  const volumes = backend.seed({ evsVolumes: Array.from({ length: nEvs }, () => ({ region: PRIMARY })) });
  const clusters = backend.seed({
    dwsClusters: Array.from({ length: nDws + (nCopy > 0 ? 1 : 0) }, () => ({ region: PRIMARY })),
  });
  const copySource = nCopy > 0 ? clusters.dwsClusters[nDws]! : undefined;
  const automated = copySource
    ? backend.seed({ dwsSnapshots: Array.from({ length: nCopy }, () => ({ clusterId: copySource })) })
    : { dwsSnapshots: [] as string[] };
  const sources = backend.seed({
    cbrVaults: Array.from({ length: nCbr }, () => ({
      region: PRIMARY,
      objectType: "server",
      protectType: "backup" as const,
    })),
  });
  const destinations = backend.seed({
    cbrVaults: Array.from({ length: nCbr }, () => ({
      region: SECONDARY,
      objectType: "server",
      protectType: "replication" as const,
    })),
  });
  const perVault = opts.backupsPerVault ?? 1;
  backend.seed({
    cbrBackups: sources.cbrVaults.flatMap((vaultId) => Array.from({ length: perVault }, () => ({ vaultId }))),
  });

  const timeouts = opts.timeouts ?? { create: "10m", delete: "10m" };
  const prefix = opts.prefix ?? "bench";
  const next = { evs: 0, dws: 0, copy: 0, cbr: 0 };
  const build: Record<Kind, () => Target> = {
    EvsSnapshot: () => {
      const volumeId = volumes.evsVolumes[next.evs++]!;
      return {
        kind: "EvsSnapshot",
        inputs: { volumeId, name: uniqueName(`${prefix}-evs`), timeouts },
        ids: [volumeId],
      };
    },
    DwsSnapshot: () => {
      const clusterId = clusters.dwsClusters[next.dws++]!;
      return {
        kind: "DwsSnapshot",
        inputs: { clusterId, name: uniqueName(`${prefix}-dws`), timeouts },
        ids: [clusterId],
      };
    },
    DwsSnapshotCopy: () => {
      const sourceSnapshotId = automated.dwsSnapshots[next.copy++]!;
      return {
        kind: "DwsSnapshotCopy",
        inputs: { sourceSnapshotId, name: uniqueName(`${prefix}-copy`), timeouts },
        ids: [sourceSnapshotId],
      };
    },
    CbrReplication: () => {
      const i = next.cbr++;
      const sourceVaultId = sources.cbrVaults[i]!;
      const destinationVaultId = destinations.cbrVaults[i]!;
      return {
        kind: "CbrReplication",
        inputs: { sourceVaultId, destinationVaultId, destinationRegion: SECONDARY, timeouts },
        ids: [sourceVaultId, destinationVaultId],
      };
    },
  };
  return kinds.map((kind) => build[kind]());
}

/** check → create through the provider methods, as the host calls them. */
export async function createThroughProvider(
  target: Target,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  const p = provider(target.kind);
  const checked = await p.check({}, target.inputs);
  if (checked.failures.length) {
    throw new Error(`check failed: ${checked.failures.map((f) => f.reason).join("; ")}`);
  }
  return p.create(checked.inputs);
}

export function deleteThroughProvider(kind: Kind, id: string, outs: Record<string, unknown>): Promise<void> {
  return provider(kind).delete(id, outs);
}

/**
 * When the emulator finished the create of this resource (epoch ms, the emulator's own clock, which
 * is this process's clock): the snapshot's `completesAt`, or the latest `completesAt` of the
 * replication records of a CBR source vault toward the destination region.
 */
export function completedAt(world: BenchWorld, target: Target, id: string): number | undefined {
  const backend = world.emu.backend;
  switch (target.kind) {
    case "EvsSnapshot":
      return backend.evs.snapshots.get(id)?.completesAt;
    case "DwsSnapshot":
    case "DwsSnapshotCopy":
      return backend.dws.snapshots.get(id)?.completesAt;
    case "CbrReplication": {
      const vault = String(target.inputs.sourceVaultId);
      const ends = [...backend.cbr.records.values()]
        .filter((r) => r.vaultId === vault && r.destinationRegion === SECONDARY)
        .map((r) => r.completesAt);
      return ends.length ? Math.max(...ends) : undefined;
    }
  }
}

/** What a stack could have left in the world: EVS snapshots, manual DWS snapshots, CBR replicas. */
export function leftovers(world: BenchWorld): number {
  const w = world.emu.world();
  return (
    w.evs.snapshots.length +
    w.dws.snapshots.filter((s) => s.type === "MANUAL").length +
    w.cbr.backups.filter((b) => b.image_type === "replication").length
  );
}
