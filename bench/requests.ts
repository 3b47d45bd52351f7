/**
 * Which resource made which API call. The emulator's `counts()` gives totals per operation, but the
 * detection cells run concurrently against one emulator (ours and the baseline, four kinds), so
 * each call is also seen client-side through undici's diagnostics channel (no change to the client,
 * no proxy in the path) and attributed afterwards to the sample whose ids it names (in its path,
 * query or body). The totals are checked against `counts()`.
 */
import { type Channel, channel } from "node:diagnostics_channel";

export interface LoggedRequest {
  at: number;
  method: string;
  /** Path with query, as sent. */
  path: string;
  body: string;
}

/** "evs.ShowSnapshot", "dws.ListSnapshotDetails" …: the names the emulator's counts() use. */
export function operationOf(method: string, pathWithQuery: string): string {
  const path = pathWithQuery.split("?")[0]!.replace(/\/+$/, "");
  const m = method.toUpperCase();
  if (/^\/v3\/projects$/.test(path)) return "iam.KeystoneListProjects";
  let r = /^\/v2\/[^/]+\/cloudsnapshots(\/detail|\/[^/]+)?$/.exec(path);
  if (r) {
    if (!r[1]) return m === "POST" ? "evs.CreateSnapshot" : `evs.${m}`;
    if (r[1] === "/detail") return "evs.ListSnapshots";
    return m === "GET"
      ? "evs.ShowSnapshot"
      : m === "DELETE"
        ? "evs.DeleteSnapshot"
        : m === "PUT"
          ? "evs.UpdateSnapshot"
          : `evs.${m}`;
  }
  r = /^\/v1\.0\/[^/]+\/snapshots(\/[^/]+)?(\/linked-copy)?$/.exec(path);
  if (r) {
    if (r[2]) return "dws.CopySnapshot";
    if (!r[1]) return m === "POST" ? "dws.CreateSnapshot" : "dws.ListSnapshots";
    return m === "DELETE" ? "dws.DeleteSnapshot" : "dws.ListSnapshotDetails";
  }
  if (/^\/v1\.0\/[^/]+\/clusters/.test(path)) return `dws.${m} clusters`;
  if (/^\/v3\/[^/]+\/checkpoints\/replicate$/.test(path)) return "cbr.CopyCheckpoint";
  if (/^\/v3\/[^/]+\/backups\/[^/]+\/replicate$/.test(path)) return "cbr.CopyBackup";
  r = /^\/v3\/[^/]+\/backups(\/[^/]+)?$/.exec(path);
  if (r) return r[1] ? (m === "DELETE" ? "cbr.DeleteBackup" : "cbr.ShowBackup") : "cbr.ListBackups";
  if (/^\/v3\/[^/]+\/operation-logs/.test(path)) return "cbr.ListOpLog";
  return `other ${m} ${path}`;
}

/** Records every undici request made by this process while started. */
export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  private readonly create: Channel = channel("undici:request:create");
  private readonly onCreate = (message: unknown) => {
    const req = (message as { request?: { method?: string; path?: string; body?: unknown } }).request;
    if (!req || this.entries.length >= 200_000) return;
    const body = req.body;
    this.entries.push({
      at: Date.now(),
      method: String(req.method ?? "GET"),
      path: String(req.path ?? ""),
      body: Buffer.isBuffer(body) ? body.toString("utf8", 0, 4096) : typeof body === "string" ? body : "",
    });
  };

  start(): this {
    this.create.subscribe(this.onCreate);
    return this;
  }

  stop(): void {
    this.create.unsubscribe(this.onCreate);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** A sample and the ids that identify its calls. */
export interface Attributable {
  key: string;
  ids: string[];
}

export interface Attribution {
  /** Calls per sample key: total and per operation. */
  bySample: Map<string, { total: number; ops: Record<string, number> }>;
  /** Calls that name no sample's id (project lookups, whole-project lists). */
  unattributed: Record<string, number>;
  total: number;
}

/** Attributes each logged call to the one sample whose id it contains. */
export function attribute(entries: readonly LoggedRequest[], samples: readonly Attributable[]): Attribution {
  const owner = new Map<string, string>();
  for (const s of samples) for (const id of s.ids) if (id) owner.set(id.toLowerCase(), s.key);
  const bySample = new Map<string, { total: number; ops: Record<string, number> }>();
  for (const s of samples) bySample.set(s.key, { total: 0, ops: {} });
  const unattributed: Record<string, number> = {};
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  for (const e of entries) {
    const op = operationOf(e.method, e.path);
    let key: string | undefined;
    for (const m of `${e.path} ${e.body}`.matchAll(uuid)) {
      key = owner.get(m[0].toLowerCase());
      if (key) break;
    }
    if (key) {
      const s = bySample.get(key)!;
      s.total += 1;
      s.ops[op] = (s.ops[op] ?? 0) + 1;
    } else {
      unattributed[op] = (unattributed[op] ?? 0) + 1;
    }
  }
  return { bySample, unattributed, total: entries.length };
}
