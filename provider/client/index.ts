/** The public API of the one Huawei Cloud client. */
export { backoffDelayMs } from "./backoff";
export { defaultEndpoint, endpointFor } from "./endpoints";
export { type ErrorKind, HuaweiCloudError, type HuaweiCloudErrorFields, isNotFound } from "./errors";
export { type ClientOptions, createClient, processStats, resetProcessStats, withDeadline } from "./http";
export { redact } from "./log";
export { resetProjectIdCache } from "./project";
export { isProjectId, isRegionName, parseDuration } from "./rules";
export { type ConfigReader, checkEndpoint, resolveSettings, type SettingsSource } from "./settings";
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
