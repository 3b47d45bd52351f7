/**
 * The fault-matrix driver: deploys and destroys resources of every kind through the provider
 * methods exactly as the Pulumi host calls them (check → create; diff → update for a resource kept
 * with init errors; delete), against the emulator under one fault scenario, and audits the
 * emulator's world against what "state" holds after each step.
 *
 * Used by test/faults/matrix.test.ts (short run) and scripts/fault-matrix.ts (longer soak run).
 * It depends on nothing but the provider, the client's process stats and the emulator.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  emulatorStackConfig,
  FAST_TIMINGS,
  type FaultsPatch,
  type PageSizes,
  REGIONS,
  type RunningEmulator,
  startEmulator,
  type Timings,
  type WorldJson,
} from "../../emulator";
import { evsError } from "../../emulator/errors";
import { HuaweiCloudError, processStats, resetProcessStats } from "../../provider/client";
import type { DynamicMethods, Props } from "../../provider/resources/framework";
import { configure, provider } from "../../provider/resources/impl";
import { parseCloudTime } from "../../provider/services/util";

export type Kind = "DwsSnapshot" | "DwsSnapshotCopy" | "EvsSnapshot" | "CbrReplication";
export const KINDS: readonly Kind[] = ["DwsSnapshot", "DwsSnapshotCopy", "EvsSnapshot", "CbrReplication"];

/** The emulator operation that creates each kind (counted before faults, so retries show). */
export const CREATE_OPS: Record<Kind, string> = {
  DwsSnapshot: "dws.CreateSnapshot",
  DwsSnapshotCopy: "dws.CopySnapshot",
  EvsSnapshot: "evs.CreateSnapshot",
  CbrReplication: "cbr.CopyBackup",
};

/** Terminal failure statuses per kind, as the resource reports them in `status`. */
export const FAILED_STATUS: Record<Kind, string> = {
  DwsSnapshot: "UNAVAILABLE",
  DwsSnapshotCopy: "UNAVAILABLE",
  EvsSnapshot: "error",
  CbrReplication: "fail",
};

const SUCCESS_STATUS = new Set(["AVAILABLE", "available", "success"]);

/** Short transitions: a create takes about half a second. */
export const MATRIX_TIMINGS: Partial<Timings> = FAST_TIMINGS;

export interface Scenario {
  /** Short id, e.g. "5xx". */
  id: string;
  /** Row title in the table. */
  title: string;
  /** What it does, for docs/faults.md. */
  description: string;
  /** Resources of each kind deployed at once. */
  perKind: number | Record<Kind, number>;
  timings?: Partial<Timings>;
  faults?: FaultsPatch;
  /** Stack config huaweicloud:requestTimeout / maxRetries. */
  requestTimeout?: string;
  maxRetries?: number;
  /** Close and restart the emulator (same state file, same port) this long after deploy and destroy start. */
  restart?: { afterMs: number; downMs: number };
  /** Every create gets `timeouts.create` this small, then a second run resumes the waits. */
  interruptCreateAfter?: string;
  /** Terminal failures are injected: failures are expected (each must carry its id). */
  expectTerminalFailures?: boolean;
  /** Also deploy resources the cloud refuses (a cluster / volume that does not exist). */
  doomed?: boolean;
  /**
   * Before the run, a snapshot that is not ours with the same name as each of ours (DWS: same
   * cluster or another one; EVS: same volume, made a moment before). None may be adopted, changed or
   * deleted. DWS names are unique in a project, so our DWS creates are refused: that is expected.
   */
  foreignSameName?: boolean;
  /** Every EVS snapshot has the same name and volume (distinct resources all the same). */
  sameNameOnOneDisk?: boolean;
  /** The client's clock runs this far ahead of the cloud's (signing tolerates 15 minutes). */
  clientClockAheadMs?: number;
  /** Available backups per source vault (default 2). */
  backupsPerVault?: number;
  pageSizes?: Partial<PageSizes>;
  /** After deploy, this many source backups of each replication expire (retention), then a refresh. */
  expireSourceBackups?: number;
  /**
   * After deploy, each EVS snapshot is replaced (`force` changed: create the new, then delete the old)
   * and the replacement's create is refused (a 500 first, then 400s). The old one must stay.
   */
  refuseReplaceCreates?: boolean;
  /** Deletes are accepted and not carried out this many times per object (the delete must be sent again). */
  loseDeletes?: number;
  /** timeouts.delete of every resource (bounds a delete that never finishes). */
  deleteTimeout?: string;
  /**
   * The provider host is killed (SIGKILL) while its creates (or deletes) are in flight, then the
   * step is run again by a new host, as the next `pulumi up` (or `destroy`) does.
   */
  killHost?: "create" | "delete";
  /**
   * Why this scenario fails today (the fix it waits for). It still runs; the test asserts that it
   * fails, so a fix that lands shows up as a failing "expected to fail" test to be unmarked.
   */
  knownFailing?: string;
}

/** One resource the scenario deploys. */
export interface Planned {
  kind: Kind;
  /** Unique logical name (the resource's name input, or its source vault for CBR). */
  key: string;
  inputs: Props;
  /** The cloud will refuse it (doomed resources): an error without id is expected. */
  refused?: boolean;
}

/** What "state" holds for a resource: the id and properties the provider returned. */
export interface StateEntry {
  planned: Planned;
  id: string;
  props: Props;
  /** Kept with init errors (a partial failure). */
  partial: boolean;
}

export interface Failure {
  planned: Planned;
  phase: "check" | "create" | "resume" | "replace" | "refresh" | "delete";
  error: unknown;
  /** The failure is one the scenario expects, and it is clear (see `classify`). */
  expected: boolean;
  why: string;
}

export interface Audit {
  /** Our cloud objects alive now (DWS manual snapshots, EVS snapshots, CBR replicas/pending records). */
  objects: number;
  duplicates: number;
  orphans: number;
  /** State entries whose object is gone from the cloud (a snapshot lost). */
  lost: number;
  /** Objects that are not ours (seeded before the run) that state refers to. */
  foreignAdopted: number;
  details: string[];
}

export interface ScenarioResult {
  scenario: Scenario;
  resources: number;
  succeeded: number;
  failedAsExpected: number;
  unexpected: Failure[];
  failures: Failure[];
  /** After deploy (and the resume run). */
  deployAudit: Audit;
  /** Objects still there after destroy. */
  leftAfterDestroy: number;
  leftDetails: string[];
  /** Foreign objects adopted, changed or deleted over the whole run. */
  foreignTouched: number;
  foreignDetails: string[];
  createRequests: number;
  /** The objects the resources make: one per snapshot, one per source backup of a CBR replication. */
  objectsToMake: number;
  createRequestsByKind: Record<Kind, number>;
  /** Creates of the second (resume) run only. */
  resumeCreateRequests: number;
  retries: number;
  throttled: number;
  outcomeUnknown: number;
  requests: number;
  restarts: number;
  /** Provider hosts killed mid-operation. */
  killed: number;
  wallMs: number;
}

// ---------------------------------------------------------------------------------------------
// The emulator, seeded so every resource can run at once (one cluster per DWS snapshot, one
// automated snapshot per copy, one source vault per replication).

interface Fixture {
  clusters: string[];
  automated: string[];
  volumes: string[];
  vaults: string[];
  destinationVault: string;
}

/** Backups in each seeded source vault, unless a scenario says otherwise. */
const BACKUPS_PER_VAULT = 2;

function seedFixture(
  emu: RunningEmulator,
  counts: Record<Kind, number>,
  backupsPerVault = BACKUPS_PER_VAULT,
): Fixture {
  const b = emu.backend;
  const clusters = b.seed({
    dwsClusters: Array.from({ length: counts.DwsSnapshot + 1 }, () => ({})),
  }).dwsClusters;
  const copySource = clusters.pop()!;
  const automated = b.seed({
    dwsSnapshots: Array.from({ length: counts.DwsSnapshotCopy }, () => ({ clusterId: copySource })),
  }).dwsSnapshots;
  const volumes = b.seed({ evsVolumes: Array.from({ length: counts.EvsSnapshot }, () => ({})) }).evsVolumes;
  const vaults = b.seed({
    cbrVaults: Array.from({ length: counts.CbrReplication }, () => ({ region: REGIONS.primary.name })),
  }).cbrVaults;
  b.seed({
    cbrBackups: vaults.flatMap((vaultId) => Array.from({ length: backupsPerVault }, () => ({ vaultId }))),
  });
  const destinationVault = b.seed({
    cbrVaults: [{ region: REGIONS.secondary.name, protectType: "replication" }],
  }).cbrVaults[0]!;
  return { clusters, automated, volumes, vaults, destinationVault };
}

function plan(s: Scenario, f: Fixture, counts: Record<Kind, number>): Planned[] {
  const out: Planned[] = [];
  const name = (kind: string, i: number | string) => `fm-${s.id}-${kind}-${i}`;
  const t = {
    ...(s.interruptCreateAfter ? { create: s.interruptCreateAfter } : {}),
    ...(s.deleteTimeout ? { delete: s.deleteTimeout } : {}),
  };
  const timeouts = Object.keys(t).length ? { timeouts: t } : {};
  for (let i = 0; i < counts.DwsSnapshot; i++) {
    const n = name("dws", i);
    out.push({ kind: "DwsSnapshot", key: n, inputs: { clusterId: f.clusters[i], name: n, ...timeouts } });
  }
  for (let i = 0; i < counts.DwsSnapshotCopy; i++) {
    const n = name("copy", i);
    out.push({
      kind: "DwsSnapshotCopy",
      key: n,
      inputs: { sourceSnapshotId: f.automated[i], name: n, description: `copy ${i}`, ...timeouts },
    });
  }
  for (let i = 0; i < counts.EvsSnapshot; i++) {
    const n = s.sameNameOnOneDisk ? name("evs", "same") : name("evs", i);
    out.push({
      kind: "EvsSnapshot",
      key: s.sameNameOnOneDisk ? `${n}#${i}` : n,
      inputs: {
        volumeId: f.volumes[s.sameNameOnOneDisk ? 0 : i],
        name: n,
        metadata: { scenario: s.id },
        ...timeouts,
      },
    });
  }
  for (let i = 0; i < counts.CbrReplication; i++) {
    out.push({
      kind: "CbrReplication",
      key: f.vaults[i]!,
      inputs: {
        sourceVaultId: f.vaults[i],
        destinationVaultId: f.destinationVault,
        destinationRegion: REGIONS.secondary.name,
        ...timeouts,
      },
    });
  }
  // The owner the public classes fill in (project/stack/type::name), so the provider can mark what it makes.
  for (const p of out) p.inputs.owner = `fault-matrix/${s.id}/huaweicloud:${p.kind}::${p.key}`;
  if (s.doomed) {
    // Valid inputs the cloud refuses: no such cluster, no such volume.
    const n1 = name("dws-nocluster", 0);
    out.push({
      kind: "DwsSnapshot",
      key: n1,
      refused: true,
      inputs: { clusterId: "00000000-0000-4000-8000-000000000001", name: n1 },
    });
    const n2 = name("evs-novolume", 0);
    out.push({
      kind: "EvsSnapshot",
      key: n2,
      refused: true,
      inputs: { volumeId: "00000000-0000-4000-8000-000000000002", name: n2 },
    });
  }
  return out;
}

/** What a foreign object looked like before the run; it must look the same after it. */
export interface Foreign {
  kind: "dws" | "evs";
  id: string;
  fingerprint: string;
}

/**
 * Same-name snapshots that are not ours, made before the run: a DBA's manual DWS snapshot on the
 * cluster (for copies: on another cluster), someone's EVS snapshot on the volume.
 */
function seedForeign(emu: RunningEmulator, planned: Planned[], f: Fixture): Foreign[] {
  const b = emu.backend;
  const dws = planned.filter((p) => p.kind === "DwsSnapshot" || p.kind === "DwsSnapshotCopy");
  const seeded = b.seed({
    dwsSnapshots: dws.map((p, i) => ({
      clusterId: p.kind === "DwsSnapshot" ? String(p.inputs.clusterId) : f.clusters[i % f.clusters.length]!,
      name: String(p.inputs.name),
      type: "MANUAL" as const,
      description: "a DBA's snapshot",
    })),
    evsSnapshots: planned
      .filter((p) => p.kind === "EvsSnapshot")
      .map((p) => ({ volumeId: String(p.inputs.volumeId), name: String(p.inputs.name) })),
  });
  const world = emu.world();
  return [
    ...seeded.dwsSnapshots.map((id) => ({
      kind: "dws" as const,
      id,
      fingerprint: foreignPrint(world, "dws", id)!,
    })),
    ...seeded.evsSnapshots.map((id) => ({
      kind: "evs" as const,
      id,
      fingerprint: foreignPrint(world, "evs", id)!,
    })),
  ];
}

/** Name, description and metadata of an object, or undefined when it is gone (or being deleted). */
function foreignPrint(world: WorldJson, kind: "dws" | "evs", id: string): string | undefined {
  const list: Props[] = kind === "dws" ? world.dws.snapshots : world.evs.snapshots;
  const o = list.find((x) => x.id === id);
  if (!o || /delet/i.test(String(o.status))) return undefined;
  return JSON.stringify([o.name, o.description ?? "", o.metadata ?? {}]);
}

/** What happened to each foreign object that state took in, or the cloud shows deleted or changed. */
function foreignTouched(world: WorldJson, foreign: Foreign[], state: StateEntry[]): Map<string, string> {
  const refs = referencedIds(state, world);
  const out = new Map<string, string>();
  for (const f of foreign) {
    const now = foreignPrint(world, f.kind, f.id);
    if (refs.has(f.id)) out.set(f.id, `foreign ${f.kind} ${f.id} adopted into state`);
    else if (now === undefined) out.set(f.id, `foreign ${f.kind} ${f.id} deleted`);
    else if (now !== f.fingerprint)
      out.set(f.id, `foreign ${f.kind} ${f.id} changed: ${f.fingerprint} -> ${now}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Audit: the world against the state.

interface CloudObject {
  kind: "dws" | "evs" | "cbr";
  /** DWS/EVS snapshot id; CBR replication record id. */
  id: string;
  /** Replica backup id (CBR). */
  replicaId?: string;
  /** Logical key: snapshot name; CBR `<source backup>` (one replica per backup and region). */
  key: string;
  status: string;
}

/** Our objects in the world: everything but the seeded fixtures. */
export function cloudObjects(world: WorldJson, foreign: readonly Foreign[] = []): CloudObject[] {
  const out: CloudObject[] = [];
  const notOurs = new Set(foreign.map((f) => f.id));
  for (const s of world.dws.snapshots) {
    if (s.type === "MANUAL" && !notOurs.has(s.id)) {
      out.push({ kind: "dws", id: s.id, key: s.name.toLowerCase(), status: s.status });
    }
  }
  for (const s of world.evs.snapshots) {
    if (!notOurs.has(s.id)) out.push({ kind: "evs", id: s.id, key: s.name, status: s.status });
  }
  const replicas = new Map(
    world.cbr.backups.filter((b) => b.image_type === "replication").map((b) => [b.id, b] as const),
  );
  for (const r of world.cbr.replicationRecords) {
    const pending = r.status === "waiting_replicate" || r.status === "replicating";
    const replica = r.destination_backup_id ? replicas.get(r.destination_backup_id) : undefined;
    if (!pending && !replica) continue; // failed, or its replica deleted
    out.push({
      kind: "cbr",
      id: r.id,
      replicaId: replica?.id,
      key: `${r.source_backup_id}->${r.destination_region}`,
      status: replica ? `${r.status}/${replica.status}` : r.status,
    });
  }
  return out;
}

/**
 * Every id a state entry refers to: the resource id and, for a CBR replication, the records of its
 * vault towards its vault and region newer than its mark (`trackedAfter`) and, when it has one, of
 * its replica name (as the replication's task names the replica), with their replicas.
 */
function referencedIds(state: StateEntry[], world: WorldJson): Set<string> {
  const ids = new Set<string>();
  // The replica name of each replication, from its task (same source backup, same cloud time).
  const names = new Map<string, string>();
  for (const l of world.cbr.operationLogs) {
    const r = l.extra_info?.replication;
    if (r) names.set(`${r.source_backup_id}@${parseCloudTime(l.created_at)}`, r.destination_backup_name);
  }
  for (const e of state) {
    ids.add(e.id);
    if (e.planned.kind !== "CbrReplication") continue;
    const after = parseCloudTime(e.props.trackedAfter as string | undefined) ?? Number.NEGATIVE_INFINITY;
    const name = e.props.replicaName as string | undefined;
    for (const r of world.cbr.replicationRecords) {
      if (
        r.vault_id === e.props.sourceVaultId &&
        r.destination_vault_id === e.props.destinationVaultId &&
        r.destination_region === e.props.destinationRegion &&
        (parseCloudTime(r.created_at) ?? 0) > after &&
        (name === undefined || names.get(`${r.source_backup_id}@${parseCloudTime(r.created_at)}`) === name)
      ) {
        ids.add(r.id);
        if (r.destination_backup_id) ids.add(r.destination_backup_id);
      }
    }
  }
  return ids;
}

/** The logical key of a state entry, as `cloudObjects` keys the objects (undefined for CBR). */
function keyOf(e: StateEntry): string | undefined {
  if (e.planned.kind === "EvsSnapshot") return `evs:${String(e.planned.inputs.name)}`;
  if (e.planned.kind === "CbrReplication") return undefined;
  return `dws:${String(e.planned.inputs.name).toLowerCase()}`;
}

export function audit(world: WorldJson, state: StateEntry[], foreign: readonly Foreign[] = []): Audit {
  const objects = cloudObjects(world, foreign);
  const refs = referencedIds(state, world);
  const details: string[] = [];
  let orphans = 0;
  for (const o of objects) {
    const referenced = refs.has(o.id) || (o.replicaId && refs.has(o.replicaId));
    if (!referenced) {
      orphans++;
      details.push(`orphan ${o.kind} ${o.id} (${o.key}, ${o.status})`);
    }
  }
  // Duplicates: more objects for one logical thing (a name; a backup's replica in a region) than
  // state entries for it, and state entries that share one id (several resources, one object).
  let duplicates = 0;
  // How many resources (not state entries) want an object of each key.
  const resources = new Map<string, Set<string>>();
  for (const e of state) {
    const k = keyOf(e);
    if (k) resources.set(k, (resources.get(k) ?? new Set()).add(e.planned.key));
  }
  const wanted = new Map([...resources].map(([k, keys]) => [k, keys.size] as const));
  const byKey = new Map<string, CloudObject[]>();
  for (const o of objects) byKey.set(`${o.kind}:${o.key}`, [...(byKey.get(`${o.kind}:${o.key}`) ?? []), o]);
  for (const [key, list] of byKey) {
    const extra = list.length - Math.max(1, wanted.get(key) ?? 0);
    if (extra > 0) {
      duplicates += extra;
      details.push(`duplicate ${key}: ${list.map((o) => o.id).join(", ")}`);
    }
  }
  const byId = new Map<string, StateEntry[]>();
  for (const e of state.filter((x) => x.planned.kind !== "CbrReplication")) {
    byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
  }
  for (const [id, list] of byId) {
    if (list.length > 1) {
      duplicates += list.length - 1;
      details.push(
        `${list.length} resources share one id ${id}: ${list.map((e) => e.planned.key).join(", ")}`,
      );
    }
  }
  // Lost: a DWS or EVS snapshot state holds that the cloud no longer has.
  const alive = new Set(objects.map((o) => o.id));
  let lost = 0;
  for (const e of state) {
    if (e.planned.kind === "CbrReplication" || alive.has(e.id)) continue;
    lost++;
    details.push(
      `lost: ${e.planned.kind} ${e.planned.key} is in state as ${e.id}, which the cloud no longer has`,
    );
  }
  const notOurs = new Set(foreign.map((f) => f.id));
  const foreignAdopted = [...refs].filter((id) => notOurs.has(id)).length;
  if (foreignAdopted) details.push(`${foreignAdopted} objects that are not ours are in state`);
  return { objects: objects.length, duplicates, orphans, lost, foreignAdopted, details };
}

// ---------------------------------------------------------------------------------------------
// Classifying failures: expected and clear, or not.

interface ErrorLike {
  message: string;
  id?: string;
  properties?: Props;
}

function asError(err: unknown): ErrorLike {
  return err instanceof Error ? (err as ErrorLike) : { message: String(err) };
}

/** A HuaweiCloudError message with the operation, HTTP status, code and request id. */
export function namesCodeAndRequestId(message: string): boolean {
  return (
    /\b(DWS|EVS|CBR|IAM) [A-Z]\w+: /.test(message) &&
    /code \S+/.test(message) &&
    /request id \S+/.test(message)
  );
}

function classify(s: Scenario, p: Planned, phase: Failure["phase"], err: unknown): Failure {
  const e = asError(err);
  if (phase === "create" && p.refused) {
    const clear = err instanceof HuaweiCloudError && err.kind === "api" && namesCodeAndRequestId(e.message);
    return {
      planned: p,
      phase,
      error: err,
      expected: clear && e.id === undefined,
      why: clear ? "refused by the cloud with code and request id" : `unclear refusal: ${e.message}`,
    };
  }
  if (phase === "create" && s.expectTerminalFailures && e.id) {
    const status = String(e.properties?.status ?? "");
    const clear =
      status === FAILED_STATUS[p.kind] && e.message.includes(status) && /kept in state/.test(e.message);
    return {
      planned: p,
      phase,
      error: err,
      expected: clear,
      why: clear ? `terminal ${status}, id kept` : `unclear failure: ${e.message}`,
    };
  }
  if (
    phase === "create" &&
    s.foreignSameName &&
    !e.id &&
    (p.kind === "DwsSnapshot" || p.kind === "DwsSnapshotCopy")
  ) {
    // DWS names are unique in a project: the name belongs to a snapshot that is not ours.
    const clear = err instanceof HuaweiCloudError && e.message.includes(String(p.inputs.name));
    return {
      planned: p,
      phase,
      error: err,
      expected: clear,
      why: clear ? "refused: the name is taken by a snapshot that is not ours" : `unclear: ${e.message}`,
    };
  }
  if (phase === "replace" && s.refuseReplaceCreates) {
    const clear = err instanceof HuaweiCloudError && !e.id;
    return {
      planned: p,
      phase,
      error: err,
      expected: clear,
      why: clear ? "replacement refused, the old snapshot kept" : `replace: ${e.message}`,
    };
  }
  if (phase === "create" && s.interruptCreateAfter && e.id) {
    const clear = /still \S+/.test(e.message) && /resumes waiting/.test(e.message);
    return {
      planned: p,
      phase,
      error: err,
      expected: clear,
      why: clear ? "interrupted wait, id kept" : `unclear timeout: ${e.message}`,
    };
  }
  return { planned: p, phase, error: err, expected: false, why: `${phase} failed: ${e.message}` };
}

// ---------------------------------------------------------------------------------------------
// Running one scenario.

export interface RunOptions {
  /** Multiplies every scenario's per-kind count (the soak run). */
  scale?: number;
  /** Seed of the emulator's fault draws. */
  seed?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

function countsOf(s: Scenario, scale: number): Record<Kind, number> {
  const base =
    typeof s.perKind === "number"
      ? (Object.fromEntries(KINDS.map((k) => [k, s.perKind])) as Record<Kind, number>)
      : s.perKind;
  return Object.fromEntries(
    KINDS.map((k) => [k, base[k] === 0 ? 0 : Math.max(1, Math.round(base[k] * scale))]),
  ) as Record<Kind, number>;
}

function sumCreates(counts: Record<string, number>): Record<Kind, number> {
  return Object.fromEntries(KINDS.map((k) => [k, counts[CREATE_OPS[k]] ?? 0])) as Record<Kind, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScenario(s: Scenario, opts: RunOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const counts = countsOf(s, opts.scale ?? 1);
  const dir = s.restart ? mkdtempSync(join(tmpdir(), "fault-matrix-")) : undefined;
  const statePath = dir ? join(dir, "world.json") : undefined;
  const start = (port = 0) =>
    startEmulator({
      port,
      seed: opts.seed ?? 11,
      world: "empty",
      timings: { ...MATRIX_TIMINGS, ...s.timings },
      faults: s.faults ?? {},
      // The cloud keeps real time when the client's clock is skewed.
      ...(s.clientClockAheadMs ? { clock: { now: realNow } } : {}),
      ...(s.pageSizes ? { pageSizes: s.pageSizes } : {}),
      ...(statePath ? { statePath } : {}),
    });
  const holder = { emu: await start() };
  let restarts = 0;
  const restoreClock = s.clientClockAheadMs ? skewClock(s.clientClockAheadMs) : () => undefined;
  try {
    // Fixtures are seeded with faults on but outside HTTP; the plan is fixed before any call.
    const fixture = seedFixture(holder.emu, counts, s.backupsPerVault);
    const planned = plan(s, fixture, counts);
    const foreign = s.foreignSameName ? seedForeign(holder.emu, planned, fixture) : [];
    if (s.loseDeletes) loseDeletes(holder.emu, s.loseDeletes);
    const config = emulatorStackConfig(holder.emu.url, {
      ...(s.requestTimeout ? { "huaweicloud:requestTimeout": s.requestTimeout } : {}),
      ...(s.maxRetries !== undefined ? { "huaweicloud:maxRetries": String(s.maxRetries) } : {}),
    });
    configure({ config: { get: (k) => config[k] } });
    resetProcessStats();
    holder.emu.resetCounts();

    const restartDuring = async <T>(work: Promise<T>): Promise<T> => {
      if (!s.restart) return work;
      const { afterMs, downMs } = s.restart;
      const bounce = (async () => {
        await sleep(afterMs);
        const port = holder.emu.port;
        const before = holder.emu.counts();
        await holder.emu.close();
        await sleep(downMs);
        holder.emu = await start(port);
        carried = addCounts(carried, before);
        restarts++;
        opts.log?.(`  ${s.id}: emulator restarted on port ${port}`);
      })();
      const [result] = await Promise.all([work, bounce]);
      return result;
    };
    let carried: Record<string, number> = {};
    const allCounts = () => addCounts(carried, holder.emu.counts());

    // Deploy: every resource at once, as `pulumi up` with unbounded parallelism.
    const state: StateEntry[] = [];
    const failures: Failure[] = [];
    let succeeded = 0;
    let killed = 0;
    if (s.killHost === "create") {
      // A host dies with every create in flight; the next `up` runs them again (nothing is in state).
      killed += await killedHost(
        holder.emu,
        config,
        "create",
        planned.map((p) => ({ kind: p.kind, inputs: p.inputs })),
      );
    }
    await restartDuring(
      Promise.all(
        planned.map(async (p) => {
          const methods = provider(p.kind);
          const r = await deployOne(methods, p);
          if (r.entry) state.push(r.entry);
          if (r.error !== undefined) failures.push(classify(s, p, r.phase, r.error));
          else succeeded++;
        }),
      ),
    );
    const createsFirstRun = Object.values(sumCreates(allCounts())).reduce((a, b) => a + b, 0);

    // A second run for resources kept with init errors after an interrupted wait (the engine diffs
    // the partial state against the same inputs with longer timeouts, then updates).
    if (s.interruptCreateAfter) {
      // A create cut off before its id was known left nothing in state: the next `up` creates it again.
      const unrecorded = failures.filter((f) => f.phase === "create" && !asError(f.error).id);
      for (const f of unrecorded) failures.splice(failures.indexOf(f), 1);
      await Promise.all(
        unrecorded.map(async (f) => {
          const r = await deployOne(provider(f.planned.kind), {
            ...f.planned,
            inputs: { ...f.planned.inputs, timeouts: { create: "1m" } },
          });
          if (r.entry) state.push(r.entry);
          if (r.error !== undefined) failures.push(classify(s, f.planned, r.phase, r.error));
          else succeeded++;
        }),
      );
      const interrupted = failures.filter((f) => f.expected);
      for (const f of interrupted) failures.splice(failures.indexOf(f), 1);
      await Promise.all(
        interrupted.map(async (f) => {
          const entry = state.find((e) => e.planned === f.planned)!;
          const news = { ...f.planned.inputs, timeouts: { create: "1m", update: "1m" } };
          try {
            const methods = provider(f.planned.kind);
            const checked = await methods.check(entry.props, news);
            if (checked.failures.length) throw new Error(`check: ${JSON.stringify(checked.failures)}`);
            const d = await methods.diff(entry.id, entry.props, checked.inputs);
            if (d.replaces.length > 0 || !d.changes) {
              throw new Error(`resume diff should update in place: ${JSON.stringify(d)}`);
            }
            const { outs } = await methods.update(entry.id, entry.props, checked.inputs);
            entry.props = outs;
            entry.partial = false;
            succeeded++;
          } catch (err) {
            const e = asError(err);
            if (e.id && e.properties) entry.props = e.properties;
            failures.push(classify({ ...s, interruptCreateAfter: undefined }, f.planned, "resume", err));
          }
        }),
      );
    }
    const createRequestsByKind = sumCreates(allCounts());
    const createRequests = Object.values(createRequestsByKind).reduce((a, b) => a + b, 0);

    if (s.expireSourceBackups) {
      // Retention deletes source backups; a refresh follows (the engine's `pulumi refresh`/next `up`).
      await expireSourceBackups(holder.emu, state, fixture, s.expireSourceBackups);
      for (const e of state.filter((x) => x.planned.kind === "CbrReplication")) {
        try {
          const r = await provider(e.planned.kind).read(e.id, e.props);
          if (r.id === "") state.splice(state.indexOf(e), 1);
          else e.props = r.props;
        } catch (err) {
          failures.push(classify(s, e.planned, "refresh", err));
        }
      }
    }
    if (s.refuseReplaceCreates) {
      await replaceRefused(holder.emu, state, failures, s);
    }
    const deployAudit = audit(holder.emu.world(), state, foreign);
    const touched = foreignTouched(holder.emu.world(), foreign, state);
    if (s.killHost === "delete") {
      // A host dies with every delete in flight; the next `destroy` deletes the same state again.
      killed += await killedHost(
        holder.emu,
        config,
        "delete",
        state.map((e) => ({ kind: e.planned.kind, id: e.id, props: e.props })),
      );
    }

    // Destroy: every state entry at once.
    await restartDuring(
      Promise.all(
        state.map(async (e) => {
          try {
            await provider(e.planned.kind).delete(e.id, e.props);
          } catch (err) {
            failures.push(classify(s, e.planned, "delete", err));
          }
        }),
      ),
    );
    const world = holder.emu.world();
    const left = cloudObjects(world, foreign);
    for (const [id, what] of foreignTouched(world, foreign, [])) if (!touched.has(id)) touched.set(id, what);
    const stats = processStats();
    const expected = failures.filter((f) => f.expected);
    return {
      scenario: s,
      resources: planned.length,
      succeeded,
      failedAsExpected: expected.length,
      unexpected: failures.filter((f) => !f.expected),
      failures,
      deployAudit,
      leftAfterDestroy: left.length,
      leftDetails: left.map((o) => `${o.kind} ${o.id} (${o.key}, ${o.status})`),
      foreignTouched: touched.size,
      foreignDetails: [...touched.values()],
      killed,
      createRequests,
      objectsToMake: planned.reduce(
        (n, p) => n + (p.kind === "CbrReplication" ? (s.backupsPerVault ?? BACKUPS_PER_VAULT) : 1),
        0,
      ),
      createRequestsByKind,
      resumeCreateRequests: createRequests - createsFirstRun,
      retries: stats.retries,
      throttled: stats.throttled,
      outcomeUnknown: stats.outcomeUnknown,
      requests: stats.requests,
      restarts,
      wallMs: performance.now() - started,
    };
  } finally {
    restoreClock();
    await holder.emu.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** check → create, as the host does; a partial failure keeps the id in state. */
async function deployOne(
  methods: DynamicMethods,
  p: Planned,
): Promise<{ entry?: StateEntry; error?: unknown; phase: Failure["phase"] }> {
  const checked = await methods.check({}, p.inputs);
  if (checked.failures.length) {
    return { phase: "check", error: new Error(`check failed: ${JSON.stringify(checked.failures)}`) };
  }
  try {
    const { id, outs } = await methods.create(checked.inputs);
    if (!SUCCESS_STATUS.has(String(outs.status))) {
      return {
        phase: "create",
        entry: { planned: p, id, props: outs, partial: false },
        error: new Error(`create returned status ${String(outs.status)}`),
      };
    }
    return { phase: "create", entry: { planned: p, id, props: outs, partial: false } };
  } catch (err) {
    const e = asError(err);
    const entry = e.id ? { planned: p, id: e.id, props: e.properties ?? {}, partial: true } : undefined;
    return { phase: "create", error: err, ...(entry ? { entry } : {}) };
  }
}

// ---------------------------------------------------------------------------------------------
// The worlds' machinery: a skewed client clock, lost deletes, refused replacements, expiring
// source backups and a provider host killed mid-operation.

/** Wall-clock time that a patched Date does not move (the cloud's clock). */
const realNow = () => performance.timeOrigin + performance.now();

/** Moves this process's Date (the client's clock) `aheadMs` ahead; returns the undo. */
function skewClock(aheadMs: number): () => void {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + aheadMs);
      else super(...(args as [string]));
    }
    static override now() {
      return RealDate.now() + aheadMs;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

/** The first `times` deletes of each object are accepted and not carried out. */
function loseDeletes(emu: RunningEmulator, times: number): void {
  const b = emu.backend;
  const seen = new Map<string, number>();
  const lose = (id: string) => {
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n < times;
  };
  const evsDelete = b.evs.deleteSnapshot.bind(b.evs);
  b.evs.deleteSnapshot = (projectId, id) => {
    b.evs.snapshot(projectId, id); // not found is still answered
    if (!lose(id)) evsDelete(projectId, id);
  };
  const dwsDelete = b.dws.deleteSnapshot.bind(b.dws);
  b.dws.deleteSnapshot = (projectId, id) => {
    b.dws.snapshot(projectId, id);
    if (!lose(id)) dwsDelete(projectId, id);
  };
  const cbrDelete = b.cbr.deleteBackup.bind(b.cbr);
  b.cbr.deleteBackup = (projectId, id) => {
    b.cbr.backup(projectId, id);
    if (!lose(id)) cbrDelete(projectId, id);
  };
}

/**
 * Replaces every EVS snapshot as the engine does for a replace-only change (create the new one, and
 * only when that succeeds, delete the old one), with the new one's create refused: a 500 first (its
 * outcome unknown), then 400s.
 */
async function replaceRefused(emu: RunningEmulator, state: StateEntry[], failures: Failure[], s: Scenario) {
  const evs = emu.backend.evs;
  const create = evs.createSnapshot.bind(evs);
  let posts = 0;
  evs.createSnapshot = () => {
    posts++;
    throw posts === 1
      ? evsError(500, "EVS.5500", "Internal server error.")
      : evsError(400, "EVS.2026", "The volume is being used by another operation.");
  };
  try {
    for (const e of state.filter((x) => x.planned.kind === "EvsSnapshot")) {
      posts = 0;
      const methods = provider(e.planned.kind);
      const news = { ...e.planned.inputs, force: true };
      const checked = await methods.check(e.props, news);
      const d = await methods.diff(e.id, e.props, checked.inputs);
      if (!d.replaces.includes("force")) throw new Error(`a force change must replace: ${JSON.stringify(d)}`);
      try {
        const made = await methods.create(checked.inputs);
        // The engine deletes the old one once the new one exists.
        const old = e.id;
        await methods.delete(old, e.props);
        e.id = made.id;
        e.props = made.outs;
        failures.push({
          planned: e.planned,
          phase: "replace",
          error: new Error(`refused replacement "succeeded" as ${made.id}`),
          expected: false,
          why: `the refused replacement "succeeded" as ${made.id}, then the old ${old} was deleted`,
        });
      } catch (err) {
        failures.push(classify(s, e.planned, "replace", err));
      }
    }
  } finally {
    evs.createSnapshot = create;
  }
}

/** Deletes `count` source backups of every replicated vault (normal retention), and waits until they are gone. */
async function expireSourceBackups(emu: RunningEmulator, state: StateEntry[], f: Fixture, count: number) {
  const project = REGIONS.primary.projectId;
  const vaults = new Set(state.filter((e) => e.planned.kind === "CbrReplication").map((e) => e.planned.key));
  const doomed = emu
    .world()
    .cbr.backups.filter(
      (b) => vaults.has(b.vault_id) && b.image_type === "backup" && f.vaults.includes(b.vault_id),
    );
  const perVault = new Map<string, string[]>();
  for (const b of doomed) perVault.set(b.vault_id, [...(perVault.get(b.vault_id) ?? []), b.id]);
  const ids = [...perVault.values()].flatMap((list) => list.slice(0, count));
  for (const id of ids) emu.backend.cbr.deleteBackup(project, id);
  await until(
    () => !emu.world().cbr.backups.some((b) => ids.includes(b.id) && b.status !== "hidden"),
    "source backups gone",
  );
}

/** Polls `condition` every 20 ms, for at most `boundMs`. */
async function until(condition: () => boolean, what: string, boundMs = 30_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`waited ${boundMs} ms for: ${what}`);
    await sleep(20);
  }
}

const CHILD = join(__dirname, "host-child.cjs");
const DELETE_OPS = ["dws.DeleteSnapshot", "evs.DeleteSnapshot", "cbr.DeleteBackup"];

/**
 * Runs `items` in a separate provider host and kills it (SIGKILL) as soon as every one of them has
 * reached the cloud (its create POST, or a delete), so nothing comes back to "the engine".
 * Returns 1 when the host was killed with work in flight, 0 when it finished first.
 */
async function killedHost(
  emu: RunningEmulator,
  config: Record<string, string>,
  op: "create" | "delete",
  items: Array<{ kind: Kind; inputs?: Props; id?: string; props?: Props }>,
): Promise<number> {
  const impl = join(__dirname, "../../dist/provider/resources/impl.js");
  if (!existsSync(impl)) throw new Error(`${impl} not found: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), "fault-host-"));
  const jobPath = join(dir, "job.json");
  writeFileSync(jobPath, JSON.stringify({ config, op, items }));
  const before = emu.counts();
  const sentOf = (ops: string[]) => {
    const c = emu.counts();
    return ops.reduce((n, k) => n + (c[k] ?? 0) - (before[k] ?? 0), 0);
  };
  // Creates: every kind has sent at least one create per resource (a CBR replication sends one per
  // source backup, so its host may die between them). Deletes: as many as there are snapshots.
  const reached = () =>
    op === "create"
      ? KINDS.every((k) => sentOf([CREATE_OPS[k]]) >= items.filter((i) => i.kind === k).length)
      : sentOf(DELETE_OPS) >= Math.max(1, items.filter((i) => i.kind !== "CbrReplication").length);
  const child = spawn(process.execPath, [CHILD, jobPath], { stdio: ["ignore", "pipe", "pipe"] });
  let finished = false;
  child.stdout.on("data", (d: Buffer) => {
    if (d.toString().includes("done")) finished = true;
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    await until(() => finished || reached(), `${op} requests from the host`);
    if (finished) return 0;
    child.kill("SIGKILL");
    await exited;
    return 1;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The scenarios and the table.

export const SCENARIOS: Scenario[] = [
  {
    id: "baseline",
    title: "no faults (baseline)",
    description: "No faults: the reference for the other rows.",
    perKind: 3,
  },
  {
    id: "5xx",
    title: "20% 5xx answers",
    description:
      "20% of requests (every operation, IAM included) answered 500 in the service's shape or 502/503 from the " +
      "gateway, before processing. GET/PUT/DELETE are retried; a create POST is never repeated blindly: its " +
      "outcome is unknown, so the provider looks for what it may have created before posting again.",
    perKind: 3,
    faults: { serverErrorRate: 0.2 },
  },
  {
    id: "throttle",
    title: "throttled (6 req/s per endpoint), 50 at once",
    description:
      "50 resources (13 DWS snapshots, 12 copies, 13 EVS snapshots, 12 CBR replications) deployed and destroyed " +
      "at once against a gateway that allows 6 requests per second per service and region (429 APIGW.0308 " +
      "beyond). The client's adaptive limiter converges on the allowed rate.",
    perKind: { DwsSnapshot: 13, DwsSnapshotCopy: 12, EvsSnapshot: 13, CbrReplication: 12 },
    faults: { rateLimitPerSecond: 6 },
  },
  {
    id: "reset",
    title: "15% connection resets",
    description:
      "15% of requests have their connection destroyed before processing (no answer). Idempotent calls are " +
      "retried; a reset create POST is treated as an unknown outcome.",
    perKind: 3,
    faults: { resetRate: 0.15 },
  },
  {
    id: "drop",
    title: "every create answer dropped after commit",
    description:
      "Every POST is carried out and its answer dropped (the connection is destroyed after the commit). The " +
      "provider must find and adopt what it created: exactly one create request per resource, no duplicate.",
    perKind: 3,
    faults: { dropResponseAfterCommitRate: 1 },
  },
  {
    id: "latency",
    title: "latency 0.8 s ±30%, request timeout 1 s",
    description:
      "Every request delayed 0.56–1.04 s with huaweicloud:requestTimeout at 1 s, so some calls time out on the " +
      "client while the gateway still holds them.",
    perKind: 2,
    requestTimeout: "1s",
    faults: { latencyMs: 800, latencyJitter: 0.3 },
  },
  {
    id: "restart",
    title: "emulator restarted mid-wait",
    description:
      "Persistence on. 300 ms into the deploy (snapshots CREATING, replications running) the emulator is " +
      "closed (open connections destroyed), stays down 1 s — the first polls meet a refused connection — and " +
      "restarts on the same port from its state file; the same again 300 ms into the destroy. Transitions " +
      "continue from stored absolute times.",
    perKind: 3,
    timings: {
      dwsSnapshotCreate: 1500,
      dwsSnapshotCopy: 1500,
      evsSnapshotCreate: 1500,
      cbrReplication: 1500,
      dwsSnapshotDelete: 400,
      evsSnapshotDelete: 400,
      cbrBackupDelete: 400,
    },
    restart: { afterMs: 300, downMs: 1000 },
  },
  {
    id: "terminal",
    title: "terminal failures injected (50%) + refused inputs",
    description:
      "Half of the DWS snapshots/copies, EVS snapshots and CBR replication records end in UNAVAILABLE / error / " +
      "fail. Each failure must carry its id and the failed status (kept in state, so destroy removes it). Two " +
      "more resources name a cluster and a volume that do not exist: refused with the cloud's code and request " +
      "id, nothing in state.",
    perKind: 4,
    faults: { fail: { dwsSnapshot: 0.5, evsSnapshot: 0.5, cbrReplication: 0.5 } },
    expectTerminalFailures: true,
    doomed: true,
  },
  {
    id: "interrupted",
    title: "wait interrupted (timeouts.create 4s), resumed",
    description:
      'Every resource has timeouts: { create: "4s" } against 8 s transitions: the create fails with its id ' +
      "kept (an init error). A second run diffs the partial state against the inputs with longer timeouts, " +
      "which is an in-place update that resumes the wait, without a second create request. (The timeout is " +
      "a deadline for every request too: a create cut off before its id is known is created again by the " +
      "second run, as the next `up` does.)",
    perKind: 3,
    timings: {
      dwsSnapshotCreate: 8000,
      dwsSnapshotCopy: 8000,
      evsSnapshotCreate: 8000,
      cbrReplication: 8000,
    },
    interruptCreateAfter: "4s",
  },
  {
    id: "foreign",
    title: "same-name snapshots not ours exist, 20% 5xx",
    description:
      "Before the run, a snapshot that is not ours carries each of our names: a DBA's manual DWS snapshot on " +
      "the cluster (for copies, on another cluster) and someone's EVS snapshot on the volume, made a moment " +
      "before. 20% of requests fail with 5xx, so creates are ambiguous and looked up. None of the foreign " +
      "snapshots may be adopted, changed or deleted; DWS names are unique, so our DWS creates are refused.",
    perKind: { DwsSnapshot: 3, DwsSnapshotCopy: 3, EvsSnapshot: 3, CbrReplication: 0 },
    faults: { serverErrorRate: 0.2 },
    foreignSameName: true,
  },
  {
    id: "same-name",
    title: "4 EVS snapshots, one name, one disk, answers dropped",
    description:
      "Four EvsSnapshot resources with the same name on the same volume, every create answer dropped after " +
      "the commit: each resource must end with its own snapshot (4 ids, no orphan).",
    perKind: { DwsSnapshot: 0, DwsSnapshotCopy: 0, EvsSnapshot: 4, CbrReplication: 0 },
    faults: { dropResponseAfterCommitRate: 1 },
    sameNameOnOneDisk: true,
  },
  {
    id: "kill-create",
    title: "provider host killed (SIGKILL) mid-create, run again",
    description:
      "A provider host (the built package, in its own process) starts every create and is killed with SIGKILL " +
      "once all the create requests reached the cloud. Nothing reached state. A new host then runs the same " +
      "creates, as the next `pulumi up` does: what the first host made must be found, not made twice.",
    perKind: 2,
    timings: {
      dwsSnapshotCreate: 1500,
      dwsSnapshotCopy: 1500,
      evsSnapshotCreate: 1500,
      cbrReplication: 1500,
    },
    killHost: "create",
  },
  {
    id: "kill-delete",
    title: "provider host killed (SIGKILL) mid-delete, run again",
    description:
      "After a normal deploy, a provider host starts every delete and is killed with SIGKILL once they reached " +
      "the cloud. State still holds everything; a new host deletes it again (`pulumi destroy` once more).",
    perKind: 2,
    timings: { dwsSnapshotDelete: 1500, evsSnapshotDelete: 1500, cbrBackupDelete: 1500 },
    killHost: "delete",
  },
  {
    id: "clock",
    title: "client clock 3 min ahead, answers dropped",
    description:
      "The client's clock runs 3 minutes ahead of the cloud's (signing tolerates 15), and every create answer " +
      "is dropped after the commit: what was made must be found by the cloud's times and ids, not the client's.",
    perKind: { DwsSnapshot: 2, DwsSnapshotCopy: 2, EvsSnapshot: 3, CbrReplication: 1 },
    clientClockAheadMs: 180_000,
    faults: { dropResponseAfterCommitRate: 1 },
  },
  {
    id: "expire",
    title: "source backups expire after replication",
    description:
      "After the replications finished, retention deletes 2 of the 3 source backups of each vault, then a " +
      "refresh: their replicas stay tracked (no update that can never succeed) and destroy deletes them.",
    perKind: { DwsSnapshot: 0, DwsSnapshotCopy: 0, EvsSnapshot: 0, CbrReplication: 2 },
    backupsPerVault: 3,
    expireSourceBackups: 2,
  },
  {
    id: "vault-2000",
    title: "a vault of 2,000 backups, pages of 1,000",
    description:
      "One replication of a vault with 2,000 backups, every list answered in pages of 1,000 (the API's " +
      "documented default and maximum): every backup replicated, state stays small, destroy deletes every replica.",
    perKind: { DwsSnapshot: 0, DwsSnapshotCopy: 0, EvsSnapshot: 0, CbrReplication: 1 },
    backupsPerVault: 2000,
    pageSizes: { cbrBackups: 1000, cbrOpLogs: 1000 },
  },
  {
    id: "replace-refused",
    title: "EVS replacement's create refused",
    description:
      "After deploy, each EVS snapshot is replaced (force changed: the new one is created, then the old one " +
      "deleted) and the new one's create is refused: a 500 first (outcome unknown), then 400. The replacement " +
      "must fail and the old snapshot stay, in state and in the cloud.",
    perKind: { DwsSnapshot: 0, DwsSnapshotCopy: 0, EvsSnapshot: 3, CbrReplication: 0 },
    refuseReplaceCreates: true,
  },
  {
    id: "lost-delete",
    title: "deletes accepted but not carried out (once each)",
    description:
      "Each object's first delete is accepted and never carried out; the provider must notice and send it " +
      'again (timeouts: { delete: "20s" } bounds the run).',
    perKind: 2,
    loseDeletes: 1,
    deleteTimeout: "20s",
  },
];

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The one table (Markdown). */
export function renderTable(results: ScenarioResult[]): string {
  const head = [
    "Scenario",
    "Resources",
    "Succeeded",
    "Failed as expected",
    "Unexpected failures",
    "Duplicates",
    "Orphans",
    "Lost",
    "Foreign touched",
    "Left after destroy",
    "Create requests",
    "Retries (throttled)",
    "Wall time",
  ];
  const rows = results.map((r) => [
    r.scenario.title,
    String(r.resources),
    String(r.succeeded),
    String(r.failedAsExpected),
    String(r.unexpected.length),
    String(r.deployAudit.duplicates),
    String(r.deployAudit.orphans),
    String(r.deployAudit.lost),
    String(r.foreignTouched),
    String(r.leftAfterDestroy),
    String(r.createRequests),
    `${r.retries} (${r.throttled})`,
    formatSeconds(r.wallMs),
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The notes under the table: what needs explaining per row. */
export function renderNotes(results: ScenarioResult[]): string {
  const notes: string[] = [];
  for (const r of results) {
    const bits: string[] = [];
    if (r.restarts) bits.push(`${r.restarts} emulator restarts`);
    if (r.killed) bits.push(`${r.killed} provider host killed with work in flight`);
    if (r.scenario.knownFailing) bits.push(`**fails today**: ${r.scenario.knownFailing}`);
    if (r.outcomeUnknown)
      bits.push(
        `${r.outcomeUnknown} create request${r.outcomeUnknown === 1 ? "" : "s"} with an unknown outcome (looked up, then adopted or re-sent)`,
      );
    if (r.resumeCreateRequests || r.scenario.interruptCreateAfter) {
      bits.push(`${r.resumeCreateRequests} create requests in the resume run`);
    }
    if (r.scenario.expectTerminalFailures || r.scenario.foreignSameName || r.scenario.refuseReplaceCreates) {
      const byWhy = new Map<string, number>();
      for (const f of r.failures.filter((x) => x.expected)) byWhy.set(f.why, (byWhy.get(f.why) ?? 0) + 1);
      bits.push([...byWhy].map(([why, n]) => `${n} × ${why}`).join(", "));
    }
    bits.push(`${r.requests} HTTP attempts`);
    notes.push(`- ${r.scenario.title}: ${bits.join("; ")}.`);
  }
  return notes.join("\n");
}
