/** The public API of the one Huawei Cloud client. */
export { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffDelayMs } from "./backoff";
export { defaultEndpoint, endpointFor, GLOBAL_IAM_ENDPOINT } from "./endpoints";
export {
  type ErrorKind,
  HuaweiCloudError,
  type HuaweiCloudErrorFields,
  isHuaweiCloudError,
  isNotFound,
} from "./errors";
export { type ClientOptions, createClient, processStats, resetProcessStats, userAgent } from "./http";
export { DEBUG_ENV, debugEnabled, redact } from "./log";
export { resetProjectIdCache } from "./project";
export {
  type ConfigReader,
  checkEndpoint,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  isRegionName,
  parseDurationMs,
  resolveSettings,
  type SettingsSource,
} from "./settings";
export type {
  ApiResponse,
  ClientStats,
  Credentials,
  HttpMethod,
  HuaweiClient,
  QueryValue,
  RequestSpec,
  Service,
  Settings,
} from "./types";
