#!/usr/bin/env node
/**
 * Load check: N concurrent clients for T seconds against an emulator on loopback (started
 * in-process unless --url names a running one). Each client loops: create an EVS snapshot, poll it
 * until available, read DWS and CBR lists, delete the snapshot. Reports requests/s, errors, state
 * consistency (what the clients created and deleted vs what the emulator holds) and RSS at start,
 * middle and end.
 *
 *   npm run -s build && node dist/emulator/load.js [--clients 200] [--seconds 30] [--url http://127.0.0.1:8787]
 */
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { formatSdkDate, signRequest } from "../provider/client/sign";
import { DEFAULT_IDS, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, REGIONS } from "./defaults";
import { type RunningEmulator, startEmulator } from "./index";

export interface LoadOptions {
  clients?: number;
  durationMs?: number;
  /** A running emulator on loopback; default: start one in-process. */
  url?: string;
}

export interface LoadReport {
  clients: number;
  durationMs: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  errorSamples: string[];
  snapshotsCreated: number;
  snapshotsDeleted: number;
  /** Snapshots the clients created and did not delete, found (or not) in the emulator's world. */
  consistent: boolean;
  consistencyDetail: string;
  rssMb: { start: number; middle: number; end: number };
}

const P1 = REGIONS.primary.projectId;
const rssMb = () => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;

export async function runLoad(opts: LoadOptions = {}): Promise<LoadReport> {
  const clients = Math.min(Math.max(1, opts.clients ?? 200), 1000);
  const durationMs = Math.min(Math.max(100, opts.durationMs ?? 30_000), 600_000);
  let emu: RunningEmulator | undefined;
  let base: URL;
  if (opts.url) {
    base = new URL(opts.url);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(base.hostname)) {
      throw new Error(`load check runs against loopback only, not ${base.hostname}`);
    }
  } else {
    emu = await startEmulator({
      port: 0,
      timings: { evsSnapshotCreate: 100, evsSnapshotDelete: 50, jitter: 0.1 },
    });
    base = new URL(emu.url);
  }
  const port = Number(base.port);
  const host = `${base.hostname}:${port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const rss = { start: rssMb(), middle: 0, end: 0 };
  let requests = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const created = new Set<string>();
  const deleted = new Set<string>();
  const deadline = Date.now() + durationMs;
  const middle = setTimeout(() => {
    rss.middle = rssMb();
  }, durationMs / 2);

  function send(method: string, path: string, query: Array<[string, string]> = [], body?: unknown) {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      Host: host,
      "X-Sdk-Date": formatSdkDate(new Date()),
      ...(bytes.length ? { "Content-Type": "application/json" } : {}),
    };
    headers.Authorization = signRequest(
      { method, path, query, headers, body: bytes },
      { accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY },
    ).authorization;
    const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    return new Promise<{ status: number; json: any }>((resolve) => {
      requests++;
      const req = request(
        {
          host: base.hostname,
          port,
          method,
          path: qs ? `${path}?${qs}` : path,
          headers: { ...headers, "Content-Length": String(bytes.length) },
          agent,
          // Generous: on a starved machine (CI, parallel suites) an answer can take seconds; speed is
          // reported, never asserted.
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              errors++;
              if (errorSamples.length < 5)
                errorSamples.push(`${method} ${path} -> ${status} ${text.slice(0, 120)}`);
            }
            let json: any;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status, json });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(`${method} ${path} -> ${e.message}`);
        resolve({ status: 0, json: undefined });
      });
      req.end(bytes);
    });
  }

  async function client(n: number): Promise<void> {
    let i = 0;
    while (Date.now() < deadline) {
      i++;
      const c = await send("POST", `/v2/${P1}/cloudsnapshots`, [], {
        snapshot: {
          volume_id: DEFAULT_IDS.evsVolumeAvailableId,
          name: `load-${n}-${i}`,
          metadata: { load: "1" },
        },
      });
      const id: string | undefined = c.json?.snapshot?.id;
      if (c.status !== 202 || !id) continue;
      created.add(id);
      // Poll until available (bounded in count, and in time from this create's answer: a create
      // answered late under load still gets its polls before the delete).
      const pollUntil = Date.now() + 5000;
      for (let k = 0; k < 50 && Date.now() < pollUntil; k++) {
        const g = await send("GET", `/v2/${P1}/cloudsnapshots/${id}`);
        if (g.json?.snapshot?.status === "available") break;
        await send("GET", `/v1.0/${P1}/snapshots`);
        await send("GET", `/v3/${P1}/backups`, [["limit", "10"]]);
        await new Promise((r) => setTimeout(r, 20));
      }
      const d = await send("DELETE", `/v2/${P1}/cloudsnapshots/${id}`);
      if (d.status === 202) deleted.add(id);
    }
  }

  await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  clearTimeout(middle);
  if (rss.middle === 0) rss.middle = rssMb();
  const elapsed = Math.max(durationMs, 1);
  // Let deletions finish, then compare what the clients did with what the emulator holds.
  await new Promise((r) => setTimeout(r, 300));
  const list = await send("GET", `/v2/${P1}/cloudsnapshots/detail`, [["limit", "1000"]]);
  const remaining: string[] = (list.json?.snapshots ?? [])
    .filter((s: any) => s.metadata?.load === "1")
    .map((s: any) => s.id);
  const expected = [...created].filter((id) => !deleted.has(id));
  const missing = expected.filter((id) => !remaining.includes(id));
  const unexpected = remaining.filter((id) => !created.has(id) || deleted.has(id));
  rss.end = rssMb();
  agent.destroy();
  await emu?.close();
  return {
    clients,
    durationMs,
    requests,
    requestsPerSecond: Math.round((requests * 1000) / elapsed),
    errors,
    errorSamples,
    snapshotsCreated: created.size,
    snapshotsDeleted: deleted.size,
    consistent: missing.length === 0 && unexpected.length === 0,
    consistencyDetail: `expected ${expected.length} live, found ${remaining.length}; missing ${missing.length}, unexpected ${unexpected.length}`,
    rssMb: rss,
  };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { clients: { type: "string" }, seconds: { type: "string" }, url: { type: "string" } },
  });
  runLoad({
    clients: values.clients ? Number(values.clients) : 200,
    durationMs: values.seconds ? Number(values.seconds) * 1000 : 30_000,
    ...(values.url ? { url: values.url } : {}),
  }).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      process.exit(r.errors === 0 && r.consistent ? 0 : 1);
    },
    (err) => {
      process.stderr.write(`load: ${String(err)}\n`);
      process.exit(2);
    },
  );
}
