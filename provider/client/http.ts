/**
 * The one HTTP layer: every call to Huawei Cloud (or the emulator) goes through `createClient`.
 * It fills the project id, signs (SDK-HMAC-SHA256), sends through one keep-alive undici Agent,
 * waits its turn at the endpoint's process-wide limiter, retries where that is safe, validates the
 * answer with zod and turns every failure into a HuaweiCloudError.
 *
 * Retry rules (why each is safe):
 * - 429 / APIG(W).0308, any method: the gateway throttled the call before the service saw it.
 * - Connection refused / connect timeout, any method: nothing was sent.
 * - 5xx, reset, timeout: only idempotent requests (GET/PUT/DELETE unless `spec.idempotent` says
 *   otherwise). A POST that may have reached the service is never repeated; its error carries
 *   `outcomeUnknown: true` so the caller can look for what it may have created.
 *
 * Limits: a request with a `deadline` (the resource's timeout, see `withDeadline`) ends by then
 * whatever it is doing (waiting its turn, sending, reading, backing off, looking up the project id);
 * an answer body larger than MAX_BODY_BYTES is not read further.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Agent, request as undiciRequest } from "undici";
import { backoffDelayMs, sleep } from "./backoff";
import { endpointFor } from "./endpoints";
import { HuaweiCloudError, type HuaweiCloudErrorFields } from "./errors";
import { limiterFor } from "./limiter";
import { debugEnabled, debugLog, gatewayCanonicalForm, redact } from "./log";
import { lookUpProjectId, sharedLookup } from "./project";
import { excerpt, hintFor, isThrottle, parseErrorBody, requestIdFrom } from "./responses";
import { checkRegion } from "./settings";
import { canonicalQuery, canonicalUri, formatSdkDate, signRequest, UNSIGNED_PAYLOAD } from "./sign";
import type { ApiResponse, ClientStats, HuaweiClient, QueryValue, RequestSpec, Settings } from "./types";

// Process-wide transport state, created on first use. This module is only require()d at run time
// by the provider host, never captured into serialized provider text.
let sharedAgent: Agent | undefined;
const processWide: ClientStats = { requests: 0, retries: 0, throttled: 0, outcomeUnknown: 0 };

/** One keep-alive connection pool for the whole process. TLS is always verified (undici's default). */
function agent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 128 });
  return sharedAgent;
}

/** Totals of every client in this process (the benchmark prints these). */
export function processStats(): Readonly<ClientStats> {
  return { ...processWide };
}

export function resetProcessStats(): void {
  Object.assign(processWide, { requests: 0, retries: 0, throttled: 0, outcomeUnknown: 0 });
}

let cachedUserAgent: string | undefined;

/** `pulumi-huaweicloud-snapshots/<version>`, read from the package's own package.json. */
export function userAgent(): string {
  if (!cachedUserAgent) {
    let version = "unknown";
    for (let dir = __dirname, i = 0; i < 6; dir = dirname(dir), i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        if (pkg.name === "pulumi-huaweicloud-snapshots") {
          version = pkg.version;
          break;
        }
      } catch {
        // no package.json at this level
      }
    }
    cachedUserAgent = `pulumi-huaweicloud-snapshots/${version}`;
  }
  return cachedUserAgent;
}

export interface ClientOptions {
  /** Concurrency bound per endpoint (service + origin + region) for limiters this client creates first. */
  maxInFlight?: number;
  /** Delay in ms before retry number `attempt` (from 0); default `backoffDelayMs`. Tests shorten it. */
  backoff?: (attempt: number) => number;
}

/** Query pairs in a stable order; arrays give a repeated key, undefined values are left out. */
function queryPairs(query: Record<string, QueryValue> | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) pairs.push([k, String(item)]);
  }
  return pairs;
}

/** The path as sent: each segment encoded exactly as the signer canonicalises it. */
function encodePath(path: string): string {
  const canonical = canonicalUri(path);
  return path.endsWith("/") ? canonical : canonical.slice(0, -1);
}

function isIdempotent(spec: RequestSpec<unknown>): boolean {
  return spec.idempotent ?? spec.method !== "POST";
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = [v].flat().join(", ");
  return out;
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: any = err, i = 0; e && i < 5; e = e.cause, i++) {
    if (typeof e.code === "string") codes.push(e.code);
    if (typeof e.name === "string") codes.push(e.name);
  }
  return codes;
}

/** Failures where nothing reached the server, so any method may be retried. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * The largest answer read (16 MiB): far above any list page these APIs return (1,000 CBR backups with
 * their replication records are about 2 MB), far below what would strain the provider host.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Attempt =
  | { kind: "answer"; status: number; headers: Record<string, string>; text: string }
  | { kind: "failure"; error: unknown; timedOut: boolean; aborted: boolean }
  | { kind: "oversized"; status: number; headers: Record<string, string> };

/**
 * The same client with every request bounded by `deadline` (epoch ms): the resource's timeout becomes
 * a hard limit on each call it makes, retries, backoffs and the project id look-up included.
 */
export function withDeadline(client: HuaweiClient, deadline: number): HuaweiClient {
  return {
    settings: client.settings,
    get stats() {
      return client.stats;
    },
    projectId: (region) => client.projectId(region, deadline),
    request: (spec) => client.request({ ...spec, deadline: Math.min(spec.deadline ?? deadline, deadline) }),
  };
}

/** A signal that aborts at `deadline` (epoch ms), or undefined without one. */
function deadlineSignal(deadline: number | undefined): AbortSignal | undefined {
  return deadline === undefined ? undefined : AbortSignal.timeout(Math.max(0, deadline - Date.now()));
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

/** `promise`, or a rejection when `signal` aborts first. */
function unlessSignalled<V>(promise: Promise<V>, signal: AbortSignal | undefined): Promise<V> {
  if (!signal) return promise;
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

interface Prepared {
  url: string;
  origin: string;
  host: string;
  path: string;
  query: [string, string][];
  projectId?: string;
  body?: string | Uint8Array;
  contentType?: string;
  unsignedPayload: boolean;
}

export function createClient(settings: Settings, options: ClientOptions = {}): HuaweiClient {
  const stats: ClientStats = { requests: 0, retries: 0, throttled: 0, outcomeUnknown: 0 };
  const count = (key: keyof ClientStats) => {
    stats[key] += 1;
    processWide[key] += 1;
  };
  const creds = settings.credentials;

  const client: HuaweiClient = {
    settings,
    stats,

    async projectId(region: string, deadline?: number): Promise<string> {
      checkRegion(region, "The region of a call");
      const configured = settings.projectIds[region];
      if (configured) return configured;
      const key = [creds.accessKey, endpointFor(settings, "iam", region), region].join("\n");
      // The look-up is shared by every caller; one caller's deadline ends its own wait, not the look-up.
      const signal = deadlineSignal(deadline);
      try {
        return await unlessSignalled(
          sharedLookup(key, () => lookUpProjectId(client, region)),
          signal,
        );
      } catch (err) {
        if (!signal?.aborted) throw err;
        throw new HuaweiCloudError(
          `the operation's time ran out while looking up the project id of ${region}`,
          {
            kind: "timeout",
            service: "iam",
            operation: "KeystoneListProjects",
            hint: DEADLINE_HINT,
          },
        );
      }
    },

    async request<T>(spec: RequestSpec<T>): Promise<ApiResponse<T>> {
      const prepared = await prepare(spec);
      const idempotent = isIdempotent(spec);
      const deadline = deadlineSignal(spec.deadline);
      const signal = anySignal(spec.signal, deadline);
      // Whether an attempt may have reached the service (a POST is repeated only when none did).
      let maybeCarriedOut = false;
      const limiter = limiterFor(`${spec.service} ${prepared.origin} ${spec.region}`, options.maxInFlight);
      const base: HuaweiCloudErrorFields = {
        kind: "api",
        service: spec.service,
        operation: spec.operation,
        resource: spec.resource,
      };

      // Aborting (or the deadline) while waiting for the limiter or a backoff ends the call with our error type.
      const unlessAborted = <V>(wait: Promise<V>, during: string): Promise<V> =>
        wait.catch((cause: unknown) => {
          if (deadline?.aborted) throw deadlineError(base, idempotent, maybeCarriedOut, during);
          throw new HuaweiCloudError("the call was aborted", { ...base, kind: "network", cause });
        });

      for (let attempt = 0; ; attempt++) {
        const release = await unlessAborted(limiter.acquire(signal), "waiting for its turn at the endpoint");
        const started = performance.now();
        count("requests");
        let result: Attempt;
        let signed: ReturnType<typeof signRequest> | undefined;
        try {
          const headers = buildHeaders(prepared);
          signed = signRequest(
            { method: spec.method, path: prepared.path, query: prepared.query, headers, body: prepared.body },
            creds,
          );
          result = await send(spec, prepared, { ...headers, authorization: signed.authorization }, signal);
        } catch (error) {
          result = { kind: "failure", error, timedOut: false, aborted: signal?.aborted ?? false };
        }

        const parsed = result.kind === "answer" ? parseBody(result.text) : undefined;
        const cloud = parsed?.ok ? parseErrorBody(parsed.value) : {};
        const status = result.kind === "failure" ? undefined : result.status;
        const requestId = result.kind === "failure" ? undefined : requestIdFrom(result.headers, cloud);
        const throttled = status !== undefined && status >= 400 && isThrottle(status, cloud.code);
        release({ throttled });
        if (throttled) count("throttled");

        debugLog(`${spec.method} ${prepared.path}`, {
          op: `${spec.service}.${spec.operation}`,
          status: status ?? "no-answer",
          ms: Math.round(performance.now() - started),
          request_id: requestId,
          code: cloud.code,
          attempt: attempt + 1,
          error: result.kind === "failure" ? errorCodes(result.error)[0] : undefined,
        });
        if (signed && /^APIGW?\.030[13]$/.test(cloud.code ?? "") && debugEnabled()) {
          debugLog("signature rejected; canonical request as signed", {
            canonical: redact(gatewayCanonicalForm(signed.canonicalRequest), creds),
          });
        }

        if (result.kind === "oversized") throw oversizedError(base, result, requestId, idempotent);
        if (result.kind === "answer" && status! >= 200 && status! < 300) {
          return validate(spec, result, parsed!, requestId);
        }

        // Decide whether this may be tried again.
        let retryable: boolean;
        let reason: string;
        if (result.kind === "failure") {
          const notSent = errorCodes(result.error).some((c) => NOT_SENT_CODES.has(c));
          maybeCarriedOut ||= !notSent;
          if (deadline?.aborted)
            throw deadlineError(base, idempotent, maybeCarriedOut, "waiting for an answer");
          retryable = !result.aborted && (notSent || idempotent);
          reason = result.timedOut ? "timeout" : (errorCodes(result.error)[0] ?? "network error");
          if (!retryable || attempt >= settings.maxRetries) {
            throw networkError(spec, base, result, notSent, idempotent, attempt);
          }
        } else {
          maybeCarriedOut ||= !throttled && status! >= 500;
          retryable = throttled || (status! >= 500 && idempotent);
          reason = throttled ? `throttled (${cloud.code ?? status})` : `HTTP ${status}`;
          if (!retryable || attempt >= settings.maxRetries) {
            throw answerError(base, result, parsed!, cloud, requestId, throttled, idempotent, attempt);
          }
        }

        const delay = (options.backoff ?? backoffDelayMs)(attempt);
        count("retries");
        debugLog("retrying", {
          op: `${spec.service}.${spec.operation}`,
          reason,
          attempt: attempt + 1,
          delay_ms: delay,
        });
        await unlessAborted(sleep(delay, signal), `waiting to try again after ${reason}`);
      }
    },
  };

  async function prepare(spec: RequestSpec<unknown>): Promise<Prepared> {
    checkRegion(spec.region, `The region of ${spec.service.toUpperCase()} ${spec.operation}`);
    const baseUrl = new URL(endpointFor(settings, spec.service, spec.region));
    let path = spec.path;
    let projectId: string | undefined;
    if (path.includes("{project_id}")) {
      try {
        projectId = await client.projectId(spec.region, spec.deadline);
      } catch (err) {
        // Name what needed the project id, and for which call (the look-up knows neither).
        const fields = err instanceof HuaweiCloudError ? err.fields() : undefined;
        if (!fields || fields.resource) throw err;
        const summary = `${(err as HuaweiCloudError).summary} (needed for ${spec.service.toUpperCase()} ${spec.operation})`;
        throw new HuaweiCloudError(summary, { ...fields, resource: spec.resource });
      }
      path = path.replaceAll("{project_id}", projectId);
    }
    path = encodePath(`${baseUrl.pathname.replace(/\/+$/, "")}${path}`);
    const query = queryPairs(spec.query);
    // Sent in canonical order, so the query on the wire is exactly the one signed (as the Go SDK does).
    const qs = canonicalQuery(query);
    let body: string | Uint8Array | undefined;
    const json = !spec.contentType || /json/i.test(spec.contentType);
    if (spec.body !== undefined) {
      if (json) body = JSON.stringify(spec.body);
      else if (typeof spec.body === "string" || spec.body instanceof Uint8Array) body = spec.body;
      else throw new HuaweiCloudError("A non-JSON body must be a string or bytes.", { kind: "input" });
    }
    return {
      url: `${baseUrl.origin}${path}${qs ? `?${qs}` : ""}`,
      origin: baseUrl.origin,
      host: baseUrl.host,
      path,
      query,
      projectId,
      body,
      contentType:
        body === undefined ? undefined : json ? "application/json;charset=UTF-8" : spec.contentType,
      unsignedPayload: body !== undefined && !json,
    };
  }

  /** Headers to sign, fresh for every attempt (a new X-Sdk-Date). User-Agent is added unsigned. */
  function buildHeaders(p: Prepared): Record<string, string> {
    const h: Record<string, string> = { host: p.host, "x-sdk-date": formatSdkDate(new Date()) };
    if (p.contentType) h["content-type"] = p.contentType;
    if (p.projectId) h["x-project-id"] = p.projectId;
    if (creds.securityToken) h["x-security-token"] = creds.securityToken;
    if (p.unsignedPayload) h["x-sdk-content-sha256"] = UNSIGNED_PAYLOAD;
    return h;
  }

  async function send(
    spec: RequestSpec<unknown>,
    p: Prepared,
    headers: Record<string, string>,
    callSignal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const timeout = AbortSignal.timeout(settings.requestTimeoutMs);
    const signal = anySignal(timeout, callSignal)!;
    try {
      const res = await undiciRequest(p.url, {
        dispatcher: agent(),
        method: spec.method,
        headers: { ...headers, "user-agent": userAgent() },
        body: p.body,
        signal,
        headersTimeout: settings.requestTimeoutMs,
        bodyTimeout: settings.requestTimeoutMs,
      });
      const answer = { status: res.statusCode, headers: flattenHeaders(res.headers) };
      const text = await readCapped(res.body);
      return text === undefined ? { kind: "oversized", ...answer } : { kind: "answer", ...answer, text };
    } catch (error) {
      const codes = errorCodes(error);
      const timedOut =
        (timeout.aborted && !callSignal?.aborted) ||
        codes.includes("UND_ERR_HEADERS_TIMEOUT") ||
        codes.includes("UND_ERR_BODY_TIMEOUT");
      return { kind: "failure", error, timedOut, aborted: !timedOut && (callSignal?.aborted ?? false) };
    }
  }

  /**
   * The call's time ran out (the resource's timeout). A request that may have been carried out keeps
   * its warning, so the caller's error still says the thing may exist.
   */
  function deadlineError(
    base: HuaweiCloudErrorFields,
    idempotent: boolean,
    maybeCarriedOut: boolean,
    during: string,
  ): HuaweiCloudError {
    const unknownOutcome = !idempotent && maybeCarriedOut;
    if (unknownOutcome) count("outcomeUnknown");
    return new HuaweiCloudError(`the operation's time ran out ${during}`, {
      ...base,
      kind: "timeout",
      outcomeUnknown: unknownOutcome,
      hint: unknownOutcome ? `${OUTCOME_UNKNOWN_HINT} ${DEADLINE_HINT}` : DEADLINE_HINT,
    });
  }

  function oversizedError(
    base: HuaweiCloudErrorFields,
    answer: Extract<Attempt, { kind: "oversized" }>,
    requestId: string | undefined,
    idempotent: boolean,
  ): HuaweiCloudError {
    // The service answered, so a create may have been carried out; what it says cannot be read.
    const unknownOutcome = !idempotent && answer.status < 400;
    if (unknownOutcome) count("outcomeUnknown");
    return new HuaweiCloudError(
      `the answer is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; stopped reading it`,
      {
        ...base,
        kind: "response",
        status: answer.status,
        requestId,
        outcomeUnknown: unknownOutcome,
        hint: unknownOutcome
          ? OUTCOME_UNKNOWN_HINT
          : "Check that the endpoint is a Huawei Cloud API (not a proxy or a download).",
      },
    );
  }

  function validate<T>(
    spec: RequestSpec<T>,
    answer: Extract<Attempt, { kind: "answer" }>,
    parsed: ParsedBody,
    requestId: string | undefined,
  ): ApiResponse<T> {
    const fields: HuaweiCloudErrorFields = {
      kind: "response",
      service: spec.service,
      operation: spec.operation,
      resource: spec.resource,
      status: answer.status,
      requestId,
    };
    if (!parsed.ok) {
      throw new HuaweiCloudError(`the answer is not JSON: "${redact(excerpt(answer.text), creds)}"`, {
        ...fields,
        hint: "Check that the endpoint is a Huawei Cloud API (not a proxy or login page).",
      });
    }
    if (!spec.response) {
      return { status: answer.status, body: parsed.value as T, requestId, headers: answer.headers };
    }
    const result = spec.response().safeParse(parsed.value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const at = issue?.path.length ? issue.path.join(".") : "(root)";
      throw new HuaweiCloudError(`unexpected answer: at ${at}: ${issue?.message ?? "invalid"}`, {
        ...fields,
        hint: "The API answered in a shape this provider does not know; please report it with the request id.",
      });
    }
    return { status: answer.status, body: result.data, requestId, headers: answer.headers };
  }

  function answerError(
    base: HuaweiCloudErrorFields,
    answer: Extract<Attempt, { kind: "answer" }>,
    parsed: ParsedBody,
    cloud: ReturnType<typeof parseErrorBody>,
    requestId: string | undefined,
    throttled: boolean,
    idempotent: boolean,
    retries: number,
  ): HuaweiCloudError {
    const status = answer.status;
    const unknownOutcome = !idempotent && !throttled && status >= 500;
    if (unknownOutcome) count("outcomeUnknown");
    const jsonError = parsed.ok && (cloud.code !== undefined || cloud.message !== undefined);
    const after = afterRetries(retries);
    const summary = unknownOutcome
      ? `the request may or may not have been carried out (the service failed while handling it)`
      : throttled
        ? `throttled${after}`
        : status >= 500
          ? `the service failed${after}`
          : "the request was refused";
    return new HuaweiCloudError(summary, {
      ...base,
      kind: jsonError ? "api" : "response",
      status,
      code: cloud.code,
      cloudMessage: redact(jsonError ? (cloud.message ?? "") : excerpt(answer.text), creds) || undefined,
      requestId,
      outcomeUnknown: unknownOutcome,
      hint: unknownOutcome ? OUTCOME_UNKNOWN_HINT : hintFor(status, cloud.code),
    });
  }

  function networkError(
    spec: RequestSpec<unknown>,
    base: HuaweiCloudErrorFields,
    failure: Extract<Attempt, { kind: "failure" }>,
    notSent: boolean,
    idempotent: boolean,
    retries: number,
  ): HuaweiCloudError {
    const unknownOutcome = !idempotent && !notSent;
    if (unknownOutcome) count("outcomeUnknown");
    const origin = new URL(endpointFor(settings, spec.service, spec.region)).origin;
    const what = failure.timedOut
      ? `no answer within ${settings.requestTimeoutMs} ms`
      : failure.aborted
        ? "the call was aborted"
        : `could not talk to ${origin}: ${errorCodes(failure.error)[0] ?? "network error"}`;
    return new HuaweiCloudError(`${what}${afterRetries(retries)}`, {
      ...base,
      kind: "network",
      code: errorCodes(failure.error).find((c) => /^[A-Z_]+$/.test(c)),
      outcomeUnknown: unknownOutcome,
      hint: unknownOutcome
        ? OUTCOME_UNKNOWN_HINT
        : failure.timedOut
          ? "Raise huaweicloud:requestTimeout (HW_REQUEST_TIMEOUT) or check the network."
          : "Check the region, the endpoint (huaweicloud:endpoint and friends) and the network.",
      cause: failure.error,
    });
  }

  return client;
}

/** The body as text, or undefined when it grows past MAX_BODY_BYTES (then it is not read further). */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const DEADLINE_HINT =
  'If the operation needs longer, raise the resource\'s `timeouts` (e.g. timeouts: { create: "2h" }).';

const OUTCOME_UNKNOWN_HINT =
  "The request was not repeated because it may already have taken effect: look for what it may have " +
  "created before trying again.";

function afterRetries(retries: number): string {
  return retries > 0 ? ` after ${retries} ${retries === 1 ? "retry" : "retries"}` : "";
}

type ParsedBody = { ok: true; value: unknown } | { ok: false };

/** An empty body parses to undefined (204, or an empty 200). */
function parseBody(text: string): ParsedBody {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
