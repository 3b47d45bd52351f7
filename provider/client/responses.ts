/**
 * Reading what the cloud answered: the error body shapes of the services and the gateway, the
 * request id, and what to tell the user for well-known codes (huaweicloud-sdk-go-v3
 * core/sdkerr/errors.go for the body shapes; the API Gateway error codes of Huawei Cloud's "Error
 * Codes" appendix, e.g. APIGW.0301 signature, APIGW.0308 throttled).
 */

export interface CloudErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
}

function str(v: unknown): string | undefined {
  if (typeof v === "string" && v.trim()) return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

/**
 * Finds code and message in any of the shapes, as the Go SDK does: `{error_code,error_msg}`
 * (DWS, CBR, IAM, the gateway; DWS also `errCode`/`externalMessage`), then `{code,message}`,
 * then any nested object: `{error:{code,message}}` (EVS), `{itemNotFound:{…}}`, `{badRequest:{…}}`.
 */
export function parseErrorBody(body: unknown, depth = 0): CloudErrorBody {
  if (typeof body !== "object" || body === null || Array.isArray(body) || depth > 3) return {};
  const o = body as Record<string, unknown>;
  const requestId = str(o.request_id) ?? str(o.requestId);
  const code = str(o.error_code) ?? str(o.errCode) ?? str(o.code);
  const message = str(o.error_msg) ?? str(o.externalMessage) ?? str(o.message) ?? str(o.error_description);
  if (code !== undefined || message !== undefined) return { code, message, requestId };
  for (const nested of Object.values(o)) {
    const found = parseErrorBody(nested, depth + 1);
    if (found.code !== undefined || found.message !== undefined) return { ...found, requestId };
  }
  return { requestId };
}

/** The request id headers, in the order they are trusted. */
const REQUEST_ID_HEADERS = [
  "x-request-id",
  "x-openstack-request-id",
  "x-iam-trace-id",
  "x-compute-request-id",
];

export function requestIdFrom(headers: Record<string, string>, body?: CloudErrorBody): string | undefined {
  for (const h of REQUEST_ID_HEADERS) if (headers[h]) return headers[h];
  return body?.requestId;
}

/** A short, single-line excerpt of a non-JSON body (an HTML gateway page, a proxy error). */
export function excerpt(text: string, max = 160): string {
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

export const THROTTLE_CODES: ReadonlySet<string> = new Set(["APIG.0308", "APIGW.0308"]);

export function isThrottle(status: number, code: string | undefined): boolean {
  return status === 429 || (code !== undefined && THROTTLE_CODES.has(code));
}

/** What the user can do, for the answers we know. */
export function hintFor(status: number | undefined, code: string | undefined): string | undefined {
  const c = code?.replace(/^APIG\./, "APIGW.");
  if (c === "APIGW.0301" || c === "APIGW.0303" || (status === 401 && !code)) {
    return (
      "Check the access key and secret key (and the security token for temporary credentials), and that " +
      "this machine's clock is right: the gateway rejects signatures more than 15 minutes off. " +
      "Set HUAWEICLOUD_SNAPSHOTS_DEBUG=1 to print the canonical request that was signed."
    );
  }
  if (c === "APIGW.0302" || status === 403) {
    return "The credentials are valid but not allowed to call this API: grant the IAM user a policy for this service.";
  }
  if (c === "APIGW.0310")
    return "The project is unavailable in this region: check the region and project id.";
  if (c === "APIGW.0101") {
    return "No such API at this endpoint: check the region and any endpoint override (huaweicloud:endpoint …).";
  }
  if (status === 429 || (c !== undefined && THROTTLE_CODES.has(code ?? ""))) {
    return (
      "Still throttled after every retry: lower the parallelism (pulumi up --parallel N) or raise " +
      "huaweicloud:maxRetries."
    );
  }
  if (status !== undefined && status >= 500) return "The service failed; try again later.";
  return undefined;
}
