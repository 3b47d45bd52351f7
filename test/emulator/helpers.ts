/** Test helpers: a signed HTTP call against the emulator (signed with provider/client/sign.ts). */
import { request } from "node:http";
import { DEFAULT_IDS, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, REGIONS } from "../../emulator/defaults";
import { type RunningEmulator, type StartOptions, startEmulator } from "../../emulator/index";
import { formatSdkDate, signRequest } from "../../provider/client/sign";

export const P1: string = REGIONS.primary.projectId;
export const P2: string = REGIONS.secondary.projectId;

export interface CallOptions {
  method?: string;
  path: string;
  query?: Array<[string, string]>;
  body?: unknown;
  /** Raw body bytes (sent and signed as they are). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  accessKey?: string;
  secretKey?: string;
  /** Do not sign at all. */
  unsigned?: boolean;
  date?: Date;
  /** Tamper with the request after signing. */
  tamper?: (r: {
    path: string;
    query: Array<[string, string]>;
    headers: Record<string, string>;
    body: Buffer;
  }) => void;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export function encodeQuery(query: Array<[string, string]>): string {
  return query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function call(emu: { port: number }, o: CallOptions): Promise<CallResult> {
  const method = o.method ?? "GET";
  const query = o.query ?? [];
  const body =
    o.rawBody !== undefined
      ? Buffer.from(o.rawBody)
      : o.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(JSON.stringify(o.body));
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${emu.port}`,
    "X-Sdk-Date": formatSdkDate(o.date ?? new Date()),
    ...(body.length > 0 ? { "Content-Type": "application/json;charset=UTF-8" } : {}),
    ...(o.headers ?? {}),
  };
  if (!o.unsigned) {
    const signed = signRequest(
      { method, path: o.path, query, headers, body },
      { accessKey: o.accessKey ?? DEMO_ACCESS_KEY, secretKey: o.secretKey ?? DEMO_SECRET_KEY },
    );
    headers.Authorization = signed.authorization;
  }
  const r = { path: o.path, query: [...query], headers, body };
  o.tamper?.(r);
  const qs = encodeQuery(r.query);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: emu.port,
        method,
        path: qs ? `${r.path}?${qs}` : r.path,
        headers: { ...r.headers, "Content-Length": String(r.body.length) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

export async function withEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, seed: 42, ...opts });
}

/** CopyCheckpoint of the default source vault to the default replication vault in the second region. */
export function replicateDefaultVault(emu: { port: number }): Promise<CallResult> {
  return call(emu, {
    method: "POST",
    path: `/v3/${P1}/checkpoints/replicate`,
    body: {
      replicate: {
        vault_id: DEFAULT_IDS.cbrSourceVaultId,
        destination_vault_id: DEFAULT_IDS.cbrDestinationVaultId,
        destination_region: REGIONS.secondary.name,
        destination_project_id: P2,
      },
    },
  });
}
