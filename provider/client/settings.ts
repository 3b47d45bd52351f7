/**
 * Where the client's settings come from: the stack config (passed in by the dynamic provider's
 * `configure`), else the environment. Everything is read when `resolveSettings` is called and
 * returned as a fresh object: nothing here is kept at module scope, so nothing is captured into
 * `__provider` state. The precedence is documented in docs/client.md.
 */
import { HuaweiCloudError } from "./errors";
import {
  DURATION_RULE,
  isProjectId,
  isRegionName,
  PROJECT_ID_RULE,
  parseDuration,
  REGION_RULE,
} from "./rules";
import type { Credentials, Service, Settings } from "./types";

/** Where `huaweicloud:*` stack config is read from (the host's Config, handed over by `configure`). */
export interface ConfigReader {
  /** Full key, e.g. `huaweicloud:region`; undefined when not set. */
  get(key: string): string | undefined;
}

export interface SettingsSource {
  config?: ConfigReader;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 8;
const SERVICES: readonly Service[] = ["dws", "evs", "cbr", "iam"];

/** A value and the place it was found, so errors can say where a bad value came from. */
interface Found {
  value: string;
  place: string;
}

/** Reads named places in order; the first non-blank value wins. */
class Places {
  constructor(private readonly source: SettingsSource & { env: NodeJS.ProcessEnv }) {}

  config(key: string): Found | undefined {
    return this.found(`stack config ${key}`, this.source.config?.get(key));
  }

  env(name: string): Found | undefined {
    return this.found(`environment ${name}`, this.source.env[name]);
  }

  /** First of several places, e.g. `first(config("huaweicloud:region"), env("HW_REGION_NAME"))`. */
  first(...found: (Found | undefined)[]): Found | undefined {
    return found.find((f) => f !== undefined);
  }

  private found(place: string, raw: string | undefined): Found | undefined {
    const value = raw?.trim();
    return value ? { value, place } : undefined;
  }
}

function inputError(summary: string, hint?: string): HuaweiCloudError {
  return new HuaweiCloudError(summary, { kind: "input", hint });
}

/**
 * Resolves the settings. `source.env` defaults to `process.env`, read now (never cached).
 * Throws HuaweiCloudError (kind "input") naming the place of any invalid value.
 */
export function resolveSettings(source: SettingsSource = {}): Settings {
  const places = new Places({ config: source.config, env: source.env ?? process.env });
  const region = resolveRegion(places);
  return {
    credentials: resolveCredentials(places),
    region,
    projectIds: resolveProjectIds(places, region),
    endpoints: resolveEndpoints(places),
    regionEndpoints: resolveRegionEndpoints(source.env ?? process.env),
    requestTimeoutMs: resolveTimeout(places),
    maxRetries: resolveMaxRetries(places),
  };
}

/** One source of a credential pair: where the access key, secret key and token are read. */
interface CredentialSource {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
  read: (places: Places, name: string) => Found | undefined;
}

const CREDENTIAL_SOURCES: readonly CredentialSource[] = [
  {
    accessKey: "huaweicloud:accessKey",
    secretKey: "huaweicloud:secretKey",
    securityToken: "huaweicloud:securityToken",
    read: (p, n) => p.config(n),
  },
  {
    accessKey: "HW_ACCESS_KEY",
    secretKey: "HW_SECRET_KEY",
    securityToken: "HW_SECURITY_TOKEN",
    read: envRead,
  },
  {
    accessKey: "HUAWEICLOUD_SDK_AK",
    secretKey: "HUAWEICLOUD_SDK_SK",
    securityToken: "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    read: envRead,
  },
  { accessKey: "CLOUD_SDK_AK", secretKey: "CLOUD_SDK_SK", read: envRead },
];

function envRead(p: Places, name: string): Found | undefined {
  return p.env(name);
}

function describeSource(s: CredentialSource): string {
  const where = s.accessKey.startsWith("huaweicloud:") ? "stack config" : "environment";
  const token = s.securityToken ? ` (+ ${s.securityToken})` : "";
  return `${where} ${s.accessKey} + ${s.secretKey}${token}`;
}

/**
 * Credentials are taken as a pair (plus its token) from ONE source: mixing an access key from the
 * environment with a secret key from the stack is never what the user meant, and a half-set pair
 * is reported rather than silently skipped, because falling through would sign with other
 * credentials than the user configured.
 */
function resolveCredentials(places: Places): Credentials {
  const lookedAt = CREDENTIAL_SOURCES.map((s, i) => `  ${i + 1}. ${describeSource(s)}`).join("\n");
  for (const source of CREDENTIAL_SOURCES) {
    const ak = source.read(places, source.accessKey);
    const sk = source.read(places, source.secretKey);
    if (!ak && !sk) continue;
    if (!ak || !sk) {
      const [set, unset] = ak ? [source.accessKey, source.secretKey] : [source.secretKey, source.accessKey];
      throw inputError(
        `Huawei Cloud credentials are half set: ${set} is set but ${unset} is not.`,
        `Set both keys of one pair. Places looked, in order (the first pair found is used):\n${lookedAt}`,
      );
    }
    const token = source.securityToken ? source.read(places, source.securityToken) : undefined;
    return { accessKey: ak.value, secretKey: sk.value, ...(token ? { securityToken: token.value } : {}) };
  }
  throw inputError(
    "No Huawei Cloud credentials found.",
    `Set an access key / secret key pair in one of these places, looked at in order:\n${lookedAt}`,
  );
}

/** The region rule of rules.ts, for a value read from `place`. */
export function checkRegion(region: string, place: string): string {
  if (!isRegionName(region)) {
    throw inputError(`${place} is not a Huawei Cloud region name: "${region}".`, `Use ${REGION_RULE}.`);
  }
  return region;
}

function resolveRegion(places: Places): string | undefined {
  const f = places.first(
    places.config("huaweicloud:region"),
    places.env("HW_REGION_NAME"),
    places.env("HUAWEICLOUD_SDK_REGION"),
  );
  return f ? checkRegion(f.value, f.place) : undefined;
}

/** The project id rule of rules.ts, for a value read from `place`. */
function checkProjectId(id: string, place: string): string {
  if (!isProjectId(id)) throw inputError(`${place} is not a project id: "${id}".`, `Use ${PROJECT_ID_RULE}.`);
  return id;
}

/** The map (`huaweicloud:projectIds`) first, then the default region's id, which wins for that region. */
function resolveProjectIds(places: Places, region: string | undefined): Record<string, string> {
  const ids: Record<string, string> = {};
  const map = places.config("huaweicloud:projectIds");
  if (map) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(map.value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw inputError(
        `${map.place} must be a JSON object mapping region to project id.`,
        'Example: {"cn-north-4":"0a1b…","cn-east-3":"9f8e…"}',
      );
    }
    for (const [r, id] of Object.entries(parsed)) {
      checkRegion(r, `A region in ${map.place}`);
      if (typeof id !== "string") throw inputError(`${map.place}: the project id of ${r} must be a string.`);
      ids[r] = checkProjectId(id, `${map.place} (${r})`);
    }
  }
  const single = places.first(
    places.config("huaweicloud:projectId"),
    places.env("HW_PROJECT_ID"),
    places.env("HUAWEICLOUD_SDK_PROJECT_ID"),
  );
  if (single) {
    if (!region) {
      throw inputError(
        `${single.place} is set but no region is: a project id belongs to one region.`,
        "Set huaweicloud:region (or HW_REGION_NAME), or use huaweicloud:projectIds to map regions to ids.",
      );
    }
    ids[region] = checkProjectId(single.value, single.place);
  }
  return ids;
}

/**
 * Checks an endpoint override and returns it without a trailing slash. A missing scheme means
 * https (as the Go SDK does for HUAWEICLOUD_SDK_IAM_ENDPOINT); plain http is accepted here because
 * an explicit override is the only way to ask for it (the emulator, a private gateway).
 */
export function checkEndpoint(value: string, place: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme.replaceAll("{region}", "region"));
  } catch {
    throw inputError(
      `${place} is not a URL: "${value}".`,
      "Example: https://dws.cn-north-4.myhuaweicloud.com",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw inputError(`${place} must be an http or https URL, not ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw inputError(`${place} must be a base URL without query, fragment or user info.`);
  }
  return withScheme.replace(/\/+$/, "");
}

function resolveEndpoints(places: Places): Settings["endpoints"] {
  const endpoints: Settings["endpoints"] = {};
  const all = places.first(places.config("huaweicloud:endpoint"), places.env("HW_ENDPOINT"));
  if (all) endpoints.all = checkEndpoint(all.value, all.place);
  for (const service of SERVICES) {
    const f = places.first(
      places.config(`huaweicloud:${service}Endpoint`),
      places.env(`HW_${service.toUpperCase()}_ENDPOINT`),
      service === "iam" ? places.env("HUAWEICLOUD_SDK_IAM_ENDPOINT") : undefined,
    );
    if (f) endpoints[service] = checkEndpoint(f.value, f.place);
  }
  return endpoints;
}

/**
 * The Go SDK's per-region variables, `HUAWEICLOUD_SDK_REGION_DWS_CN_NORTH_4=https://a,https://b`:
 * the first URL of the list, keyed `service:region`. Regions are not known in advance (a copy
 * may target any region), so every such variable is read.
 */
function resolveRegionEndpoints(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(env)) {
    const m = /^HUAWEICLOUD_SDK_REGION_(DWS|EVS|CBR|IAM)_([A-Z0-9_]+)$/.exec(name);
    const first = raw?.split(",")[0]?.trim();
    if (!m || !first) continue;
    const region = m[2]!.toLowerCase().replaceAll("_", "-");
    out[`${m[1]!.toLowerCase()}:${region}`] = checkEndpoint(first, `environment ${name}`);
  }
  return out;
}

function resolveMaxRetries(places: Places): number {
  const f = places.first(places.config("huaweicloud:maxRetries"), places.env("HW_MAX_RETRIES"));
  if (!f) return DEFAULT_MAX_RETRIES;
  if (!/^\d+$/.test(f.value) || Number(f.value) > 100) {
    throw inputError(`${f.place} must be a whole number from 0 to 100, not "${f.value}".`);
  }
  return Number(f.value);
}

function resolveTimeout(places: Places): number {
  const f = places.first(places.config("huaweicloud:requestTimeout"), places.env("HW_REQUEST_TIMEOUT"));
  if (!f) return DEFAULT_REQUEST_TIMEOUT_MS;
  const ms = parseDuration(f.value);
  if (ms === undefined || ms > 3_600_000) {
    throw inputError(`${f.place} must be ${DURATION_RULE}, at most 1h, not "${f.value}".`);
  }
  return ms;
}
