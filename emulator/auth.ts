/**
 * The gateway's authentication: SDK-HMAC-SHA256 verified with the one signer
 * (provider/client/sign.ts) over the client's own SignedHeaders, or an IAM token (X-Auth-Token).
 */
import {
  parseAuthorization,
  parseSdkDate,
  type SignableRequest,
  verifySignature,
} from "../provider/client/sign";
import { gatewayError } from "./errors";
import type { IamModel } from "./iam";

export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

export interface ReceivedRequest {
  method: string;
  /** Path as received (percent-encoding kept). */
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string[]>;
  /** Exact body bytes received. */
  body: Buffer;
}

const IAM_MSG = "Incorrect IAM authentication information";

function first(headers: Record<string, string[]>, name: string): string | undefined {
  return headers[name]?.[0];
}

/**
 * Throws a 401 gateway error unless the request is signed with a known access key or carries a
 * valid token. `debug` receives the canonical request (newlines as `|`) when a signature fails.
 */
export function authenticate(
  req: ReceivedRequest,
  iam: IamModel,
  now: number,
  debug?: (line: string) => void,
): { accessKey?: string; token?: boolean } {
  const token = first(req.headers, "x-auth-token");
  if (token !== undefined) {
    const state = iam.checkToken(token);
    if (state === "ok") return { token: true };
    throw gatewayError(
      401,
      "APIGW.0301",
      `${IAM_MSG}: ${state === "expired" ? "token expired" : "decrypt token fail"}`,
    );
  }
  const header = first(req.headers, "authorization");
  if (header === undefined) throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: x-auth-token not found`);
  const auth = parseAuthorization(header);
  if (!auth) throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: verify aksk signature fail`);
  const sdkDate = first(req.headers, "x-sdk-date");
  if (sdkDate === undefined || !auth.signedHeaders.includes("x-sdk-date")) {
    throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: x-sdk-date must be present and signed`);
  }
  const date = parseSdkDate(sdkDate);
  if (!date) throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: invalid x-sdk-date ${sdkDate}`);
  if (Math.abs(date.getTime() - now) > MAX_CLOCK_SKEW_MS) {
    const server = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    throw gatewayError(
      401,
      "APIGW.0303",
      `Incorrect app authentication information: signature expired, signature time:${sdkDate},server time:${server}`,
    );
  }
  const key = iam.accessKeys.get(auth.accessKey);
  if (!key) {
    throw gatewayError(
      401,
      "APIGW.0301",
      `${IAM_MSG}: Get secretKey failed,ak:${auth.accessKey},err:ak not exist`,
    );
  }
  if (key.securityToken !== undefined) {
    if (first(req.headers, "x-security-token") !== key.securityToken) {
      throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: decrypt token fail`);
    }
    if (key.expiresAt !== undefined && key.expiresAt <= now) {
      throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: the security token has expired`);
    }
  }
  const signable: SignableRequest = {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    body: req.body,
  };
  const result = verifySignature(signable, auth, key.secretKey, sdkDate);
  if (!result.ok) {
    debug?.(
      `signature mismatch for ${auth.accessKey}; canonical request: ${result.canonicalRequest.replace(/\n/g, "|")}`,
    );
    throw gatewayError(401, "APIGW.0301", `${IAM_MSG}: verify aksk signature fail`);
  }
  return { accessKey: auth.accessKey };
}
