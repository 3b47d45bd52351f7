/**
 * The fault-matrix driver: deploys and destroys resources of every kind through the provider
 * methods exactly as the Pulumi host calls them (check → create; diff → update for a resource kept
 * with init errors; delete), against the emulator under one fault scenario, and audits the
 * emulator's world against what "state" holds after each step.
 *
 * Used by test/faults/matrix.test.ts (short run) and scripts/fault-matrix.ts (longer soak run).
 * It depends on nothing but the provider, the client's process stats and the emulator.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  emulatorStackConfig,
  FAST_TIMINGS,
  type FaultsPatch,
  REGIONS,
  type RunningEmulator,
  startEmulator,
  type Timings,
  type WorldJson,
} from "../../emulator";
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
  CbrReplication: "cbr.CopyCheckpoint",
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
  phase: "check" | "create" | "resume" | "delete";
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
  createRequests: number;
  createRequestsByKind: Record<Kind, number>;
  /** Creates of the second (resume) run only. */
  resumeCreateRequests: number;
  retries: number;
  throttled: number;
  outcomeUnknown: number;
  requests: number;
  restarts: number;
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

function seedFixture(emu: RunningEmulator, counts: Record<Kind, number>): Fixture {
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
  b.seed({ cbrBackups: vaults.flatMap((vaultId) => [{ vaultId }, { vaultId }]) });
  const destinationVault = b.seed({
    cbrVaults: [{ region: REGIONS.secondary.name, protectType: "replication" }],
  }).cbrVaults[0]!;
  return { clusters, automated, volumes, vaults, destinationVault };
}

function plan(s: Scenario, f: Fixture, counts: Record<Kind, number>): Planned[] {
  const out: Planned[] = [];
  const name = (kind: string, i: number) => `fm-${s.id}-${kind}-${i}`;
  const timeouts = s.interruptCreateAfter ? { timeouts: { create: s.interruptCreateAfter } } : {};
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
    const n = name("evs", i);
    out.push({
      kind: "EvsSnapshot",
      key: n,
      inputs: { volumeId: f.volumes[i], name: n, metadata: { scenario: s.id }, ...timeouts },
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
export function cloudObjects(world: WorldJson): CloudObject[] {
  const out: CloudObject[] = [];
  for (const s of world.dws.snapshots) {
    if (s.type === "MANUAL") out.push({ kind: "dws", id: s.id, key: s.name.toLowerCase(), status: s.status });
  }
  for (const s of world.evs.snapshots) out.push({ kind: "evs", id: s.id, key: s.name, status: s.status });
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
 * vault towards its vault and region newer than its mark (`trackedAfter`), with their replicas.
 */
function referencedIds(state: StateEntry[], world: WorldJson): Set<string> {
  const ids = new Set<string>();
  for (const e of state) {
    ids.add(e.id);
    if (e.planned.kind !== "CbrReplication") continue;
    const after = parseCloudTime(e.props.trackedAfter as string | undefined) ?? Number.NEGATIVE_INFINITY;
    for (const r of world.cbr.replicationRecords) {
      if (
        r.vault_id === e.props.sourceVaultId &&
        r.destination_vault_id === e.props.destinationVaultId &&
        r.destination_region === e.props.destinationRegion &&
        (parseCloudTime(r.created_at) ?? 0) > after
      ) {
        ids.add(r.id);
        if (r.destination_backup_id) ids.add(r.destination_backup_id);
      }
    }
  }
  return ids;
}

export function audit(world: WorldJson, state: StateEntry[]): Audit {
  const objects = cloudObjects(world);
  const refs = referencedIds(state, world);
  const details: string[] = [];
  let orphans = 0;
  for (const o of objects) {
    if (!refs.has(o.id) && !(o.replicaId && refs.has(o.replicaId))) {
      orphans++;
      details.push(`orphan ${o.kind} ${o.id} (${o.key}, ${o.status})`);
    }
  }
  // Duplicates: more than one object for one logical thing (a name, a backup's replica in a region),
  // or more objects of a kind than state entries can account for.
  let duplicates = 0;
  const byKey = new Map<string, CloudObject[]>();
  for (const o of objects) byKey.set(`${o.kind}:${o.key}`, [...(byKey.get(`${o.kind}:${o.key}`) ?? []), o]);
  for (const [key, list] of byKey) {
    if (list.length > 1) {
      duplicates += list.length - 1;
      details.push(`duplicate ${key}: ${list.map((o) => o.id).join(", ")}`);
    }
  }
  const stateCount = (kinds: Kind[]) => state.filter((e) => kinds.includes(e.planned.kind)).length;
  const excess =
    Math.max(
      0,
      objects.filter((o) => o.kind === "dws").length - stateCount(["DwsSnapshot", "DwsSnapshotCopy"]),
    ) + Math.max(0, objects.filter((o) => o.kind === "evs").length - stateCount(["EvsSnapshot"]));
  if (excess > duplicates) {
    details.push(`${excess} more DWS/EVS snapshots than state entries`);
    duplicates = excess;
  }
  return { objects: objects.length, duplicates, orphans, details };
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
  return Object.fromEntries(KINDS.map((k) => [k, Math.max(1, Math.round(base[k] * scale))])) as Record<
    Kind,
    number
  >;
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
      ...(statePath ? { statePath } : {}),
    });
  const holder = { emu: await start() };
  let restarts = 0;
  try {
    // Fixtures are seeded with faults on but outside HTTP; the plan is fixed before any call.
    const fixture = seedFixture(holder.emu, counts);
    const planned = plan(s, fixture, counts);
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
    const deployAudit = audit(holder.emu.world(), state);

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
    const left = cloudObjects(holder.emu.world());
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
      createRequests,
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
    title: "wait interrupted (timeouts.create 300ms), resumed",
    description:
      'Every resource has timeouts: { create: "300ms" } against 1.2 s transitions: the create fails with its id ' +
      "kept (an init error). A second run diffs the partial state against the inputs with longer timeouts, " +
      "which is an in-place update that resumes the wait, without a second create request.",
    perKind: 3,
    timings: {
      dwsSnapshotCreate: 1200,
      dwsSnapshotCopy: 1200,
      evsSnapshotCreate: 1200,
      cbrReplication: 1200,
    },
    interruptCreateAfter: "300ms",
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
    if (r.outcomeUnknown)
      bits.push(
        `${r.outcomeUnknown} create request${r.outcomeUnknown === 1 ? "" : "s"} with an unknown outcome (looked up, then adopted or re-sent)`,
      );
    if (r.resumeCreateRequests || r.scenario.interruptCreateAfter) {
      bits.push(`${r.resumeCreateRequests} create requests in the resume run`);
    }
    if (r.scenario.expectTerminalFailures) {
      const byWhy = new Map<string, number>();
      for (const f of r.failures.filter((x) => x.expected)) byWhy.set(f.why, (byWhy.get(f.why) ?? 0) + 1);
      bits.push([...byWhy].map(([why, n]) => `${n} × ${why}`).join(", "));
    }
    bits.push(`${r.requests} HTTP attempts`);
    notes.push(`- ${r.scenario.title}: ${bits.join("; ")}.`);
  }
  return notes.join("\n");
}
