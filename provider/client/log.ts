/**
 * Debug logging, switched on with HUAWEICLOUD_SNAPSHOTS_DEBUG=1 (read on every call, so a user can
 * set it for one `pulumi up`). Lines go to stderr, which the Pulumi provider host forwards to the
 * engine log. Nothing secret is ever written: callers pass values through `redact`.
 */
import type { Credentials } from "./types";

export const DEBUG_ENV = "HUAWEICLOUD_SNAPSHOTS_DEBUG";

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[DEBUG_ENV]?.trim().toLowerCase();
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/** Writes one line `[huaweicloud] message key=value …` to stderr when debugging is on. */
export function debugLog(
  message: string,
  fields: Record<string, string | number | boolean | undefined> = {},
) {
  if (!debugEnabled()) return;
  const tail = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  process.stderr.write(`[huaweicloud] ${message}${tail ? ` ${tail}` : ""}\n`);
}

const MASK = "***";

/**
 * Replaces every credential value (access key, secret key, security token) found in `text`.
 * Cloud messages can echo the access key ("ak not exist, ak:…"), and a canonical request contains
 * the security token, so everything user-visible goes through here.
 */
export function redact(text: string, credentials?: Partial<Credentials>): string {
  if (!credentials) return text;
  let out = text;
  // Longest first, so a token that contains the access key is masked whole.
  const secrets = [credentials.securityToken, credentials.secretKey, credentials.accessKey]
    .filter((s): s is string => typeof s === "string" && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const s of secrets) out = out.split(s).join(MASK);
  return out;
}

/** The gateway's way of printing a canonical request: `|` for each newline. */
export function gatewayCanonicalForm(canonicalRequest: string): string {
  return canonicalRequest.replaceAll("\n", "|");
}
