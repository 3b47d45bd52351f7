/**
 * The contract between the resources and the one HTTP layer. Resources describe a call
 * (service, operation, region, method, path, body, response schema); the client signs it, sends it,
 * retries it where that is safe, validates the answer and turns failures into HuaweiCloudError.
 */
import type { z } from "zod";

export type Service = "iam" | "dws" | "evs" | "cbr";
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface RequestSpec<T> {
  service: Service;
  /** The operation as Huawei's SDKs name it, e.g. "CreateSnapshot", "ListSnapshotDetails". */
  operation: string;
  /** Region the call goes to (its endpoint and project id). */
  region: string;
  method: HttpMethod;
  /**
   * Path starting with the version, e.g. "/v2/{project_id}/cloudsnapshots/abc". The client fills
   * `{project_id}` with the region's project id (resolved through IAM when not configured).
   */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body; serialized with JSON.stringify (unless `contentType` says otherwise). */
  body?: unknown;
  /**
   * For a non-JSON body: its content type. The body must then be a string or bytes, sent as is,
   * and signed with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` as Huawei's SDKs do.
   */
  contentType?: string;
  /**
   * Builds the zod schema that validates the response body. A factory, never a module-scope
   * schema, so nothing here is captured by Pulumi's closure serializer. Omit for empty answers.
   */
  response?: () => z.ZodType<T>;
  /** Names the thing in errors, e.g. `EVS snapshot "nightly"`. */
  resource?: string;
  /**
   * Whether sending the request twice is harmless. Defaults: GET, PUT and DELETE are, POST is not.
   * A POST whose outcome is unknown is never repeated: the client throws a HuaweiCloudError with
   * `outcomeUnknown: true` and the caller looks for what it may have created.
   */
  idempotent?: boolean;
  /** Abort the call (and its retries). */
  signal?: AbortSignal;
  /**
   * Epoch ms by which the call must end, retries, backoffs and the project id look-up included (the
   * resource operation's deadline, set by `withDeadline`). Past it the call fails with kind "timeout";
   * a POST that may have been carried out keeps `outcomeUnknown`.
   */
  deadline?: number;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  requestId?: string;
  headers: Record<string, string>;
}

export interface Credentials {
  accessKey: string;
  secretKey: string;
  /** For temporary credentials: sent as X-Security-Token. */
  securityToken?: string;
}

/**
 * Everything the client needs, resolved when a call is made (never captured into state).
 * See provider/client/settings.ts for where each value comes from and in what order.
 */
export interface Settings {
  credentials: Credentials;
  /** Default region of resources that do not name one. */
  region?: string;
  /** Project id per region, when configured; otherwise resolved through IAM and cached. */
  projectIds: Record<string, string>;
  /**
   * Endpoint overrides. `all` is one base URL for every service (the emulator); per service a URL
   * that may contain `{region}`. Plain http is allowed only here, never by default.
   */
  endpoints: Partial<Record<Service | "all", string>>;
  /**
   * Per service and region (`"dws:cn-north-4"`), from the Go SDK's
   * `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}` variables. More specific than `all`, less than
   * a per-service override.
   */
  regionEndpoints?: Record<string, string>;
  /** Per-request timeout in milliseconds. */
  requestTimeoutMs: number;
  /** How many times a request that is safe to repeat is retried. */
  maxRetries: number;
}

/** Counters of what a client (or the whole process) has seen; the benchmark prints them. */
export interface ClientStats {
  /** HTTP attempts sent (retries included). */
  requests: number;
  /** Attempts repeated after a throttle, a 5xx or a connection failure. */
  retries: number;
  /** Throttled answers seen (HTTP 429, APIG.0308/APIGW.0308). */
  throttled: number;
  /** Requests that failed with `outcomeUnknown` (a POST that may have been carried out). */
  outcomeUnknown: number;
}

export interface HuaweiClient {
  readonly settings: Settings;
  /** Counters of this client; `processStats()` has the totals of every client in the process. */
  readonly stats: Readonly<ClientStats>;
  request<T>(spec: RequestSpec<T>): Promise<ApiResponse<T>>;
  /**
   * The project id of a region (configured, or resolved through IAM `GET /v3/projects?name=`); with a
   * deadline (epoch ms) the wait for it ends by then.
   */
  projectId(region: string, deadline?: number): Promise<string>;
}
