/**
 * The HTTP layer: reads a request, applies the gateway's behaviour (faults, throttling,
 * authentication), dispatches to a route and renders the answer. No service logic lives here.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";
import { authenticate, type ReceivedRequest } from "./auth";
import type { Backend, SeedInput } from "./backend";
import { hexId } from "./clock";
import {
  type Faults,
  mergeFaults,
  mergePageSizes,
  mergeTimings,
  type PageSizes,
  type Timings,
} from "./config";
import { ApiError, badRequest, gatewayError, internalError } from "./errors";
import {
  buildRoutes,
  type HandlerContext,
  type Reply,
  type Route,
  type ServiceName,
  SHAPE,
  unknownProject,
} from "./routes";

export const ADMIN_PREFIX = "/__emulator/";
export const MAX_BODY_BYTES = 1024 * 1024;

export type FaultsPatch = Partial<Omit<Faults, "fail">> & { fail?: Partial<Faults["fail"]> };

/** Connection limits: a client that is slow to send its headers or body is cut off. */
export interface ServerLimits {
  /** Time to receive the request line and headers (answered 408, then closed). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included. */
  requestTimeoutMs: number;
  /** Idle time allowed between requests on a keep-alive connection. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; further ones are closed at once. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

export interface ServerOptions {
  backend: Backend;
  /** Receives diagnostic lines (signature mismatches with the canonical request). */
  debug?: (line: string) => void;
  maxBodyBytes?: number;
  /** Makes the changes of a request durable; called before a successful answer is sent. */
  commit?: () => void;
  limits?: Partial<ServerLimits>;
  /** When set, every admin request needs `Authorization: Bearer <token>`. */
  adminToken?: string;
  /** Host names (no port) the admin API accepts besides the loopback ones. */
  adminHosts?: string[];
}

export class EmulatorServer {
  readonly server: Server;
  private readonly routes: Route[] = buildRoutes();
  private counts = new Map<string, number>();
  private windows = new Map<string, { second: number; count: number }>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: ServerOptions) {
    const limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
    this.server = createServer(
      // Timeouts are checked at this interval; the default (30 s) would let a slow client linger.
      { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))) },
      (req, res) => {
        this.handle(req, res).catch((err) => {
          // Never reached in normal operation: handle() renders every error itself.
          opts.debug?.(`unexpected error: ${String(err)}`);
          if (!res.headersSent) this.send(res, hexId(), internalError("gateway"));
        });
      },
    );
    this.server.headersTimeout = limits.headersTimeoutMs;
    this.server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
    this.server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    this.server.maxConnections = limits.maxConnections;
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return void socket.destroy();
      // A client too slow with its headers or body gets 408; an unparseable request 400.
      const timeout = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
      const [status, msg] = timeout
        ? ["408 Request Timeout", "Request timeout"]
        : ["400 Bad Request", "Bad request"];
      const body = JSON.stringify({ error_code: "APIGW.0201", error_msg: msg, request_id: hexId() });
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }

  get backend(): Backend {
    return this.opts.backend;
  }

  count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  countsObject(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  resetCounts(): void {
    this.counts = new Map();
  }

  setTimings(t: Partial<Timings>): void {
    Object.assign(this.backend.config.timings, mergeTimings(this.backend.config.timings, t));
  }

  setPageSizes(p: Partial<PageSizes>): void {
    Object.assign(this.backend.config.pageSizes, mergePageSizes(this.backend.config.pageSizes, p));
  }

  setFaults(f: FaultsPatch): void {
    const merged = mergeFaults(this.backend.config.faults, f);
    Object.assign(this.backend.config.faults, merged);
    if (merged.rateLimitPerSecond === undefined) delete this.backend.config.faults.rateLimitPerSecond;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  private send(res: ServerResponse, requestId: string, reply: Reply | ApiError): void {
    if (res.destroyed || res.headersSent) return;
    const r: Reply =
      reply instanceof ApiError ? { status: reply.status, body: reply.body(requestId) } : reply;
    const headers: Record<string, string> = { "X-Request-Id": requestId, ...(r.headers ?? {}) };
    if (r.body === undefined) {
      res.writeHead(r.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(r.body);
    headers["Content-Type"] = "application/json;charset=UTF-8";
    headers["Content-Length"] = String(Buffer.byteLength(text));
    res.writeHead(r.status, headers);
    res.end(text);
  }

  /** Reads the body up to the limit; undefined when it is too large (the caller answers 413). */
  private readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const limit = this.opts.maxBodyBytes ?? MAX_BODY_BYTES;
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      req.resume();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on("data", (c: Buffer) => {
        if (done) return;
        size += c.length;
        if (size > limit) {
          done = true;
          resolve(undefined);
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => {
        if (!done) resolve(Buffer.concat(chunks));
        done = true;
      });
      req.on("error", () => {
        if (!done) resolve(Buffer.alloc(0));
        done = true;
      });
      req.on("close", () => {
        if (!done) resolve(Buffer.concat(chunks));
        done = true;
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = hexId();
    const rawUrl = req.url ?? "/";
    const qIndex = rawUrl.indexOf("?");
    const rawPath = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    const rawQuery = qIndex < 0 ? "" : rawUrl.slice(qIndex + 1);
    const method = (req.method ?? "GET").toUpperCase();

    const body = await this.readBody(req);
    if (body === undefined) {
      res.setHeader("Connection", "close");
      this.send(res, requestId, gatewayError(413, "APIGW.0201", "Request entity too large"));
      return;
    }

    const path = normalisePath(rawPath);
    if (path === undefined) {
      this.send(res, requestId, gatewayError(400, "APIGW.0201", "Malformed request URI"));
      return;
    }
    const query = parseQuery(rawQuery);
    if (query === undefined) {
      this.send(res, requestId, gatewayError(400, "APIGW.0201", "Malformed query string: invalid UTF-8"));
      return;
    }

    if (path.startsWith(ADMIN_PREFIX) || `${path}/` === ADMIN_PREFIX) {
      const sub = path.slice(ADMIN_PREFIX.length);
      const reply = this.adminRefusal(req, method, requestId) ?? this.admin(method, sub, body, requestId);
      this.send(res, requestId, this.committed(reply, requestId, "admin"));
      return;
    }

    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of this.routes) {
      if (r.method !== method) continue;
      match = r.pattern.exec(path);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) {
      this.count("unknown");
      this.send(
        res,
        requestId,
        gatewayError(
          404,
          "APIGW.0101",
          "The API does not exist or has not been published in the environment",
        ),
      );
      return;
    }
    this.count(`${route.service}.${route.operation}`);
    const backend = this.backend;
    const faults = backend.config.faults;
    const rnd = backend.random;

    if (rnd.chance(faults.resetRate)) {
      this.count("faults.reset");
      req.socket.destroy();
      return;
    }
    if (faults.latencyMs > 0) {
      const ms = rnd.jitter(faults.latencyMs, faults.latencyJitter);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      if (res.destroyed) return;
    }

    const projectId = route.projectScoped ? match[1]! : "";
    const region = route.projectScoped ? (backend.regionOfProject(projectId)?.name ?? "?") : "global";
    if (faults.rateLimitPerSecond !== undefined && faults.rateLimitPerSecond > 0) {
      const key = `${route.service}:${region}`;
      const second = Math.floor(Date.now() / 1000);
      const w = this.windows.get(key);
      if (!w || w.second !== second) this.windows.set(key, { second, count: 1 });
      else if (++w.count > faults.rateLimitPerSecond) {
        this.count("throttled");
        this.send(
          res,
          requestId,
          gatewayError(
            429,
            "APIGW.0308",
            `The throttling threshold has been reached: policy user over ratelimit,limit:${faults.rateLimitPerSecond},time:1 second`,
          ),
        );
        return;
      }
    }
    if (rnd.chance(faults.serverErrorRate)) {
      this.count("faults.serverError");
      const pick = rnd.next();
      const err =
        pick < 0.4
          ? internalError(SHAPE[route.service])
          : pick < 0.7
            ? gatewayError(502, "APIGW.0201", "Bad gateway: the backend service is unavailable")
            : gatewayError(503, "APIGW.0201", "Service unavailable, please try again later");
      this.send(res, requestId, err);
      return;
    }

    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headersDistinct)) if (v) headers[k] = v;
    const received: ReceivedRequest = { method, path: rawPath, query, headers, body };
    let reply: Reply;
    try {
      if (route.authenticated) authenticate(received, backend.iam, backend.clock.now(), this.opts.debug);
      if (route.projectScoped && !backend.regionOfProject(projectId))
        throw unknownProject(route.service, projectId);
      backend.sweep();
      const host = headers.host?.[0] ?? "127.0.0.1";
      const ctx: HandlerContext = {
        backend,
        params: match.slice(2),
        projectId,
        query,
        path: rawPath,
        baseUrl: `http://${host}`,
        json: () => {
          if (body.length === 0) throw badRequest(SHAPE[route.service], "the request body is empty");
          const text = utf8(body);
          if (text === undefined)
            throw badRequest(SHAPE[route.service], "the request body is not valid UTF-8");
          try {
            return JSON.parse(text);
          } catch {
            throw badRequest(SHAPE[route.service], "the request body is not valid JSON");
          }
        },
      };
      reply = route.handle(ctx);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 401) this.count("auth.failed");
        this.send(res, requestId, err);
      } else {
        this.opts.debug?.(`internal error in ${route.service}.${route.operation}: ${String(err)}`);
        this.send(res, requestId, internalError(SHAPE[route.service]));
      }
      return;
    }
    reply = this.committed(reply, requestId, route.service);
    if (reply.status < 400 && method === "POST" && rnd.chance(faults.dropResponseAfterCommitRate)) {
      this.count("faults.dropAfterCommit");
      req.socket.destroy();
      return;
    }
    this.send(res, requestId, reply);
  }

  /**
   * Makes the request's changes durable before a successful answer goes out; when that fails the
   * answer is a 500 (nothing is acknowledged that is not on disk).
   */
  private committed(reply: Reply, requestId: string, shape: ServiceName | "admin"): Reply {
    if (reply.status >= 400 || !this.opts.commit) return reply;
    try {
      this.opts.commit();
      return reply;
    } catch (err) {
      this.opts.debug?.(`state file write failed: ${String(err)}`);
      if (shape === "admin")
        return {
          status: 500,
          body: { error: `state file write failed: ${String(err)}`, request_id: requestId },
        };
      return { status: 500, body: internalError(SHAPE[shape]).body(requestId) };
    }
  }

  /**
   * The admin API's guards, in order: Host (loopback names or `adminHosts`: a DNS-rebinding page
   * sends its own name), Origin and Sec-Fetch-Site (a page on another origin), the token when one is
   * set, and a JSON content type on POST/PUT (a cross-origin form or text/plain POST cannot send one
   * without a CORS preflight, which this server never grants).
   */
  private adminRefusal(req: IncomingMessage, method: string, requestId: string): Reply | undefined {
    const refuse = (status: number, error: string): Reply => ({
      status,
      body: { error, request_id: requestId },
    });
    const host = req.headers.host ?? "";
    const hostname = hostnameOf(host);
    if (
      hostname === undefined ||
      !(isLoopbackHost(hostname) || (this.opts.adminHosts ?? []).includes(hostname))
    ) {
      return refuse(
        403,
        `admin API: Host ${JSON.stringify(host)} is not allowed (only loopback names, or those given with --admin-host)`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
      return refuse(403, `admin API: cross-origin request from ${JSON.stringify(origin)} refused`);
    }
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      return refuse(403, `admin API: cross-site request (Sec-Fetch-Site: ${site}) refused`);
    }
    if (
      this.opts.adminToken !== undefined &&
      !sameSecret(req.headers.authorization, `Bearer ${this.opts.adminToken}`)
    ) {
      return refuse(401, "admin API: missing or wrong admin token (send Authorization: Bearer <token>)");
    }
    if (method === "POST" || method === "PUT") {
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") {
        return refuse(
          415,
          `admin API: ${method} needs Content-Type: application/json (got ${JSON.stringify(type)})`,
        );
      }
    }
    return undefined;
  }

  private admin(method: string, sub: string, body: Buffer, requestId: string): Reply {
    const backend = this.backend;
    const json = (): unknown => {
      if (body.length === 0) return {};
      const text = utf8(body);
      if (text === undefined) throw new Error("the request body is not valid UTF-8");
      return JSON.parse(text);
    };
    try {
      const key = `${method} ${sub}`;
      switch (key) {
        case "GET world":
          return { status: 200, body: backend.world() };
        case "GET health":
          return { status: 200, body: { ok: true } };
        case "POST seed":
          return { status: 200, body: backend.seed(adminSeedSchema().parse(json()) as SeedInput) };
        case "GET timings":
          return { status: 200, body: backend.config.timings };
        case "PUT timings":
          this.setTimings(adminTimingsSchema().parse(json()));
          return { status: 200, body: backend.config.timings };
        case "GET faults":
          return { status: 200, body: backend.config.faults };
        case "PUT faults":
          this.setFaults(adminFaultsSchema().parse(json()) as FaultsPatch);
          return { status: 200, body: backend.config.faults };
        case "GET paging":
          return { status: 200, body: backend.config.pageSizes };
        case "PUT paging":
          this.setPageSizes(adminPagingSchema().parse(json()));
          return { status: 200, body: backend.config.pageSizes };
        case "GET counts":
          return { status: 200, body: this.countsObject() };
        case "POST counts/reset":
          this.resetCounts();
          return { status: 204 };
        case "POST reset": {
          const world = (json() as { world?: string }).world === "empty" ? "empty" : "default";
          backend.reset(world);
          return { status: 200, body: backend.world() };
        }
        default:
          return {
            status: 404,
            body: { error: `unknown admin route ${method} ${ADMIN_PREFIX}${sub}`, request_id: requestId },
          };
      }
    } catch (err) {
      const msg =
        err instanceof z.ZodError
          ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
          : String(err);
      return { status: 400, body: { error: msg, request_id: requestId } };
    }
  }
}

/**
 * The path routing sees: percent-decoded, empty and `.` segments dropped, `..` resolved, no trailing
 * slash. `/%5F%5Femulator/x`, `//__emulator/x` and `/v3/../__emulator/x` all route as
 * `/__emulator/x` and meet the admin API's guards. Undefined when the encoding is broken.
 */
export function normalisePath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const seg of decoded.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/** Loopback names and addresses: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The name in a Host header (`[::1]:8787` -> `::1`), or undefined when it is not one. */
function hostnameOf(host: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.exec(host);
  return m ? m[1]!.replace(/^\[|\]$/g, "") : undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const h = (s: string) => createHash("sha256").update(s).digest();
  return given !== undefined && timingSafeEqual(h(given), h(expected));
}

/** The body as text, or undefined when it is not valid UTF-8 (never replaced by U+FFFD). */
function utf8(body: Buffer): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}

/** The query's pairs, decoded; undefined when an escape decodes to invalid UTF-8 (e.g. `name=%FF`). */
function parseQuery(raw: string): Array<[string, string]> | undefined {
  if (raw === "") return [];
  const out: Array<[string, string]> = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const k = decodeLoose(eq < 0 ? part : part.slice(0, eq));
    const v = decodeLoose(eq < 0 ? "" : part.slice(eq + 1));
    if (k === undefined || v === undefined) return undefined;
    out.push([k, v]);
  }
  return out;
}

/** Percent-decodes; a malformed escape (`%zz`) is kept as written, invalid UTF-8 is undefined. */
function decodeLoose(s: string): string | undefined {
  const spaced = s.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return /%(?![0-9a-fA-F]{2})/.test(spaced) ? spaced : undefined;
  }
}

const num = () => z.number().finite().nonnegative();

function adminTimingsSchema() {
  return z
    .object({
      dwsSnapshotCreate: num(),
      dwsSnapshotCopy: num(),
      dwsSnapshotDelete: num(),
      evsSnapshotCreate: num(),
      evsSnapshotDelete: num(),
      cbrReplication: num(),
      cbrBackupDelete: num(),
      jitter: num(),
    })
    .partial()
    .strict();
}

function adminPagingSchema() {
  const size = () => z.number().int().min(1);
  return z
    .object({
      cbrBackups: size(),
      cbrOpLogs: size(),
      evsSnapshots: size(),
      evsVolumes: size(),
      dwsClusterSnapshots: size(),
    })
    .partial()
    .strict();
}

function adminFaultsSchema() {
  return z
    .object({
      rateLimitPerSecond: z.number().nonnegative().nullable(),
      serverErrorRate: num(),
      resetRate: num(),
      latencyMs: num(),
      latencyJitter: num(),
      dropResponseAfterCommitRate: num(),
      fail: z.object({ dwsSnapshot: num(), evsSnapshot: num(), cbrReplication: num() }).partial().strict(),
    })
    .partial()
    .strict()
    .transform((f) => ({
      ...f,
      rateLimitPerSecond: f.rateLimitPerSecond === null ? 0 : f.rateLimitPerSecond,
    }));
}

function adminSeedSchema() {
  const s = z.string();
  return z
    .object({
      dwsClusters: z.array(
        z.object({
          id: s.optional(),
          name: s.optional(),
          region: s.optional(),
          usedGb: num().optional(),
          status: s.optional(),
        }),
      ),
      dwsSnapshots: z.array(
        z.object({
          id: s.optional(),
          clusterId: s,
          name: s.optional(),
          type: z.enum(["MANUAL", "AUTOMATED"]).optional(),
          description: s.optional(),
        }),
      ),
      evsVolumes: z.array(
        z.object({
          id: s.optional(),
          name: s.optional(),
          region: s.optional(),
          sizeGb: num().optional(),
          status: s.optional(),
          availabilityZone: s.optional(),
        }),
      ),
      evsSnapshots: z.array(
        z.object({ id: s.optional(), volumeId: s, name: s.optional(), status: s.optional() }),
      ),
      evsSnapshotQuotaPerVolume: num().nullable(),
      cbrVaults: z.array(
        z.object({
          id: s.optional(),
          name: s.optional(),
          region: s.optional(),
          objectType: s.optional(),
          protectType: z.enum(["backup", "replication", "hybrid"]).optional(),
        }),
      ),
      cbrBackups: z.array(
        z.object({
          id: s.optional(),
          vaultId: s,
          name: s.optional(),
          status: s.optional(),
          resourceId: s.optional(),
          resourceName: s.optional(),
        }),
      ),
    })
    .partial()
    .strict();
}
