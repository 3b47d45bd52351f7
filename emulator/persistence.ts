/**
 * Optional persistence: the world as one JSON file. Every acknowledged change is on disk before the
 * answer leaves: the server calls `commit()` after a mutating request and before it replies, which
 * writes a temporary file, fsyncs it, renames it over the state file and fsyncs the directory. A
 * SIGKILL at any moment leaves either the previous or the new world, never a torn one.
 *
 * A file that does not parse or does not match the schema is refused with its path, the place and
 * the problem, and is never overwritten.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import type { WorldState } from "./state";

export class StateFileError extends Error {
  constructor(
    readonly path: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`emulator state file ${path}: ${where}: ${problem} (the file is left as it is)`);
    this.name = "StateFileError";
  }
}

export class StateFile {
  private dirty = false;

  constructor(
    readonly path: string,
    private readonly snapshot: () => WorldState,
  ) {}

  /** The saved world, or undefined when there is no file; a bad file throws StateFileError. */
  load(): WorldState | undefined {
    if (!existsSync(this.path)) return undefined;
    const text = readFileSync(this.path, "utf8");
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new StateFileError(this.path, jsonPlace(text, err), "not valid JSON");
    }
    const r = worldStateSchema().safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new StateFileError(this.path, placeOf(issue.path), issue.message);
    }
    return r.data as WorldState;
  }

  /** Marks the world changed; the next `commit()` writes it. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Writes the world if it changed since the last write (durably, before returning). */
  commit(): void {
    if (this.dirty) this.flush();
  }

  /** Writes the world now: tmp file, fsync, rename, fsync of the directory. */
  flush(): void {
    this.dirty = false;
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(this.snapshot()));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDirectory(dir);
  }
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `dws.snapshots[3].startedAt` from a zod path. */
function placeOf(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return "top level";
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out === "" ? "" : "."}${String(p)}`;
  return out;
}

/** "line L column C" of a JSON syntax error when the engine reports a position. */
function jsonPlace(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : "");
  if (!m) return text.trim() === "" ? "top level (empty file)" : "top level";
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `line ${line} column ${column}`;
}

/** The stored world (state.ts), checked strictly: unknown keys are refused too. */
export function worldStateSchema() {
  const str = z.string();
  const id = z.string().min(1);
  const time = z.number().int().nonnegative();
  const optTime = time.optional();
  const gb = z.number().finite().nonnegative();
  const region = z.object({ name: id, projectId: id }).strict();
  const dwsCluster = z
    .object({
      id,
      projectId: id,
      name: str,
      status: str,
      version: str,
      nodeCount: z.number().int().positive(),
      usedGb: gb,
      createdAt: time,
    })
    .strict();
  const dwsSnapshot = z
    .object({
      id,
      projectId: id,
      clusterId: id,
      name: str,
      description: str,
      type: z.enum(["MANUAL", "AUTOMATED"]),
      sizeGb: gb,
      startedAt: time,
      completesAt: time,
      failAt: optTime,
      copiedFrom: id.optional(),
      deleteStartedAt: optTime,
      goneAt: optTime,
    })
    .strict();
  const evsVolume = z
    .object({
      id,
      projectId: id,
      name: str,
      sizeGb: gb,
      status: str,
      availabilityZone: str,
      volumeType: str,
      createdAt: optTime,
    })
    .strict();
  const evsSnapshot = z
    .object({
      id,
      projectId: id,
      volumeId: id,
      name: str,
      description: str,
      metadata: z.record(z.string(), z.string()),
      sizeGb: gb,
      availabilityZone: str,
      createdAt: time,
      updatedAt: time,
      completesAt: time,
      failAt: optTime,
      statusOverride: str.optional(),
      deleteStartedAt: optTime,
      goneAt: optTime,
    })
    .strict();
  const cbrVault = z
    .object({
      id,
      projectId: id,
      name: str,
      objectType: str,
      protectType: z.enum(["backup", "replication", "hybrid"]),
      specCode: str,
      sizeGb: gb,
      createdAt: time,
      replicatedRegions: z.array(str),
    })
    .strict();
  const cbrBackup = z
    .object({
      id,
      projectId: id,
      vaultId: id,
      name: str,
      description: str,
      imageType: z.enum(["backup", "replication"]),
      resourceId: str,
      resourceName: str,
      resourceType: str,
      resourceSizeGb: gb,
      resourceAz: str,
      checkpointId: str,
      createdAt: time,
      status: str,
      replicationRecordId: id.optional(),
      deleteStartedAt: optTime,
      goneAt: optTime,
    })
    .strict();
  const cbrRecord = z
    .object({
      id,
      opLogId: id,
      providerId: str,
      sourceBackupId: id,
      sourceBackupName: str,
      sourceCheckpointId: str,
      resourceId: str.optional(),
      resourceName: str.optional(),
      resourceType: str.optional(),
      sourceProjectId: id,
      sourceRegion: str,
      vaultId: id,
      vaultName: str,
      destinationVaultId: id,
      destinationRegion: str,
      destinationProjectId: id,
      destinationBackupId: id,
      destinationBackupName: str.optional(),
      destinationCheckpointId: str,
      autoTrigger: z.boolean(),
      enableAcceleration: z.boolean(),
      createdAt: time,
      replicatingAt: time,
      completesAt: time,
      failAt: optTime,
    })
    .strict();
  return z
    .object({
      version: z.literal(1),
      regions: z.array(region).min(1),
      dws: z.object({ clusters: z.array(dwsCluster), snapshots: z.array(dwsSnapshot) }).strict(),
      evs: z
        .object({
          volumes: z.array(evsVolume),
          snapshots: z.array(evsSnapshot),
          snapshotQuotaPerVolume: z.number().int().nonnegative().optional(),
        })
        .strict(),
      cbr: z
        .object({ vaults: z.array(cbrVault), backups: z.array(cbrBackup), records: z.array(cbrRecord) })
        .strict(),
    })
    .strict()
    .superRefine((w, ctx) => {
      // References must resolve, or the world breaks later in a view (`/__emulator/world`).
      const ids = (items: Array<{ id: string }>) => new Set(items.map((x) => x.id));
      const projects = new Set(w.regions.map((r) => r.projectId));
      const refs = <T>(items: T[], where: [string, string], field: keyof T & string, known: Set<string>) => {
        items.forEach((item, i) => {
          const v = item[field];
          if (typeof v === "string" && !known.has(v))
            ctx.addIssue({ code: "custom", path: [...where, i, field], message: `${v} does not exist here` });
        });
      };
      const clusters = ids(w.dws.clusters);
      const volumes = ids(w.evs.volumes);
      const vaults = ids(w.cbr.vaults);
      refs(w.dws.clusters, ["dws", "clusters"], "projectId", projects);
      refs(w.dws.snapshots, ["dws", "snapshots"], "projectId", projects);
      refs(w.dws.snapshots, ["dws", "snapshots"], "clusterId", clusters);
      refs(w.evs.volumes, ["evs", "volumes"], "projectId", projects);
      refs(w.evs.snapshots, ["evs", "snapshots"], "projectId", projects);
      refs(w.evs.snapshots, ["evs", "snapshots"], "volumeId", volumes);
      refs(w.cbr.vaults, ["cbr", "vaults"], "projectId", projects);
      refs(w.cbr.backups, ["cbr", "backups"], "projectId", projects);
      refs(w.cbr.backups, ["cbr", "backups"], "vaultId", vaults);
      refs(w.cbr.backups, ["cbr", "backups"], "replicationRecordId", ids(w.cbr.records));
      refs(w.cbr.records, ["cbr", "records"], "vaultId", vaults);
      refs(w.cbr.records, ["cbr", "records"], "destinationVaultId", vaults);
    });
}
