/**
 * SDK-HMAC-SHA256: Huawei Cloud's AK/SK request signing (API Gateway "APIG" signing).
 *
 * One implementation of the algorithm, used by the client to sign and by the emulator to verify.
 * Reference: Huawei's SDK signers (huaweicloud-sdk-go-v3 core/auth/signer/signer.go,
 * huaweicloud-sdk-nodejs-v3 core/auth/AKSKSigner.ts, huaweicloud-sdk-python-v3 signer.py) and their
 * test vectors, reproduced in test/client/sign.test.ts.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const ALGORITHM = "SDK-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** What the signature covers. `headers` names are matched case-insensitively. */
export interface SignableRequest {
  method: string;
  /** The path as sent, possibly percent-encoded; it is decoded and re-encoded per segment. */
  path: string;
  /** Query parameters; a repeated key has several values. */
  query: ReadonlyArray<readonly [string, string]>;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Exact body bytes sent (UTF-8 for strings). Ignored when `x-sdk-content-sha256` is set. */
  body?: string | Uint8Array;
}

/** Percent-encodes everything except `A-Z a-z 0-9 - _ . ~`, as Huawei's signers do (uppercase hex). */
export function uriEscape(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not valid percent-encoding: sign it as it is
  }
}

/** Canonical URI: each segment decoded, re-escaped, joined by `/`, always ending with `/`. */
export function canonicalUri(path: string): string {
  const encoded = path
    .split("/")
    .map((s) => uriEscape(safeDecode(s)))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/**
 * Canonical query: keys sorted, a repeated key emits one `k=v` per value with values sorted.
 * Keys and values are sorted BEFORE escaping, by UTF-8 byte order, as the Go SDK (`sort.Strings`
 * on the decoded query) and the Python SDK (`sorted`, code point order = UTF-8 byte order) do.
 * Sorting the escaped text differs for some characters: `a/` sorts after `a.` raw, but `a%2F`
 * sorts before it.
 */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of query) {
    const values = byKey.get(k) ?? [];
    values.push(v);
    byKey.set(k, values);
  }
  return [...byKey.keys()]
    .sort(utf8Order)
    .flatMap((k) => (byKey.get(k) ?? []).sort(utf8Order).map((v) => `${uriEscape(k)}=${uriEscape(v)}`))
    .join("&");
}

/** UTF-8 byte order, i.e. code point order (JS `<` compares UTF-16 units, which differs past U+FFFF). */
function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function headerValues(headers: SignableRequest["headers"], name: string): string[] | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name && v !== undefined) return typeof v === "string" ? [v] : [...v];
  }
  return undefined;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The payload hash: `x-sdk-content-sha256` when present (e.g. `UNSIGNED-PAYLOAD`), else SHA-256 of the body. */
export function payloadHash(req: SignableRequest): string {
  const declared = headerValues(req.headers, "x-sdk-content-sha256")?.[0];
  if (declared !== undefined) return declared;
  return req.body === undefined || req.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(req.body);
}

/**
 * The canonical request. `signedHeaders` are lowercase names in the order they are signed
 * (sorted by the signer); a header listed but absent makes the signature unverifiable, as on the gateway.
 */
export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const values = (headerValues(req.headers, name) ?? [""]).map((v) => v.trim()).sort(byteOrder);
      return values.map((v) => `${name}:${v}\n`).join("");
    })
    .join("");
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders,
    signedHeaders.join(";"),
    payloadHash(req),
  ].join("\n");
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signature(secretKey: string, toSign: string): string {
  return createHmac("sha256", Buffer.from(secretKey, "utf8")).update(toSign).digest("hex");
}

/** `20191115T033655Z`: the X-Sdk-Date format (UTC, no separators, no milliseconds). */
export function formatSdkDate(date: Date): string {
  return `${date.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
}

/** Parses an X-Sdk-Date; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface SigningKey {
  accessKey: string;
  secretKey: string;
}

export interface SignResult {
  /** The `Authorization` header value. */
  authorization: string;
  signedHeaders: string[];
  canonicalRequest: string;
}

/**
 * Signs a request whose headers already include `X-Sdk-Date` (and `Host`). Every header present is
 * signed except names containing `_` (which gateways drop) and `Authorization` itself, as the
 * Node and Python SDKs do.
 */
export function signRequest(req: SignableRequest, key: SigningKey): SignResult {
  const sdkDate = headerValues(req.headers, "x-sdk-date")?.[0];
  if (!sdkDate) throw new Error("signRequest: the X-Sdk-Date header must be set before signing");
  const signedHeaders = [
    ...new Set(
      Object.entries(req.headers)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k.toLowerCase())
        .filter((k) => k !== "authorization" && !k.includes("_")),
    ),
  ].sort(byteOrder);
  const canonical = canonicalRequest(req, signedHeaders);
  const sig = signature(key.secretKey, stringToSign(canonical, sdkDate));
  return {
    authorization: `${ALGORITHM} Access=${key.accessKey}, SignedHeaders=${signedHeaders.join(";")}, Signature=${sig}`,
    signedHeaders,
    canonicalRequest: canonical,
  };
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`; undefined when malformed. */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const m =
    /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(
      value,
    );
  if (!m) return undefined;
  return { accessKey: m[1]!, signedHeaders: m[2]!.toLowerCase().split(";"), signature: m[3]!.toLowerCase() };
}

/** Constant-time check of a parsed signature against the request (used by the emulator). */
export function verifySignature(
  req: SignableRequest,
  auth: ParsedAuthorization,
  secretKey: string,
  sdkDate: string,
): { ok: boolean; canonicalRequest: string } {
  const canonical = canonicalRequest(req, auth.signedHeaders);
  const expected = Buffer.from(signature(secretKey, stringToSign(canonical, sdkDate)), "hex");
  const got = Buffer.from(auth.signature, "hex");
  return {
    ok: got.length === expected.length && timingSafeEqual(got, expected),
    canonicalRequest: canonical,
  };
}
