/**
 * The one error type of the package. Every failure that reaches a user — a cloud error, a network
 * failure, a malformed response, a timeout, a bad input — is a HuaweiCloudError whose message names
 * the resource, the operation, the HTTP status, the cloud error code and the request id, and says
 * what the user can do. It never carries a credential.
 */

export type ErrorKind =
  /** The cloud answered with an error status. */
  | "api"
  /** No answer: connection refused/reset, DNS, TLS, request timeout. */
  | "network"
  /** The answer could not be understood (bad JSON, wrong shape). */
  | "response"
  /** A wait ran past its timeout. */
  | "timeout"
  /** A resource reached a terminal failure state (UNAVAILABLE, error, fail). */
  | "failed"
  /** Invalid input or configuration, found before any API call. */
  | "input";

export interface HuaweiCloudErrorFields {
  kind: ErrorKind;
  /** Service short name: "dws", "evs", "cbr", "iam". */
  service?: string;
  /** The API operation, named as in Huawei's SDKs: "CreateSnapshot", "ShowBackup" … */
  operation?: string;
  /** What the error is about, e.g. `EVS snapshot "nightly" (2a4d…)`. */
  resource?: string;
  status?: number;
  /** Cloud error code: "DWS.5149", "EVS.1047", "APIGW.0308" … */
  code?: string;
  /** The cloud's own message. */
  cloudMessage?: string;
  requestId?: string;
  /**
   * True when a non-idempotent request (a create POST) may have reached the server and its outcome
   * is unknown. Callers must look for what it may have created before trying again.
   */
  outcomeUnknown?: boolean;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class HuaweiCloudError extends Error {
  readonly kind: ErrorKind;
  readonly service?: string;
  readonly operation?: string;
  readonly resource?: string;
  readonly status?: number;
  readonly code?: string;
  readonly cloudMessage?: string;
  readonly requestId?: string;
  readonly outcomeUnknown: boolean;
  readonly hint?: string;
  /** What happened, without the resource, facts and hint the message adds around it. */
  readonly summary: string;

  constructor(summary: string, fields: HuaweiCloudErrorFields) {
    super(composeMessage(summary, fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = "HuaweiCloudError";
    this.summary = summary;
    this.kind = fields.kind;
    this.service = fields.service;
    this.operation = fields.operation;
    this.resource = fields.resource;
    this.status = fields.status;
    this.code = fields.code;
    this.cloudMessage = fields.cloudMessage;
    this.requestId = fields.requestId;
    this.outcomeUnknown = fields.outcomeUnknown ?? false;
    this.hint = fields.hint;
  }

  /** A copy naming the resource, for errors raised below the resource layer. */
  withResource(resource: string): HuaweiCloudError {
    if (this.resource) return this;
    return new HuaweiCloudError(this.summary, { ...this.fields(), resource });
  }

  fields(): HuaweiCloudErrorFields {
    return {
      kind: this.kind,
      service: this.service,
      operation: this.operation,
      resource: this.resource,
      status: this.status,
      code: this.code,
      cloudMessage: this.cloudMessage,
      requestId: this.requestId,
      outcomeUnknown: this.outcomeUnknown,
      hint: this.hint,
      cause: this.cause,
    };
  }
}

function composeMessage(summary: string, f: HuaweiCloudErrorFields): string {
  const where = [
    f.resource,
    f.operation ? `${f.service ? `${f.service.toUpperCase()} ` : ""}${f.operation}` : f.service,
  ]
    .filter(Boolean)
    .join(", ");
  const facts = [
    f.status !== undefined ? `HTTP ${f.status}` : undefined,
    f.code ? `code ${f.code}` : undefined,
    f.requestId ? `request id ${f.requestId}` : undefined,
  ].filter(Boolean);
  let msg = where ? `${where}: ${summary}` : summary;
  if (f.cloudMessage && !summary.includes(f.cloudMessage)) msg += ` — ${f.cloudMessage}`;
  if (facts.length) msg += ` (${facts.join(", ")})`;
  if (f.hint) msg += `\n${f.hint}`;
  return msg;
}

/**
 * Cloud error codes that mean "this thing does not exist": DWS snapshot and cluster codes as the
 * Terraform provider reads them (huaweicloud/terraform-provider-huaweicloud huaweicloud/services/dws),
 * EVS.5404 (Huawei Cloud EVS API reference, error codes), the CBR codes of its error-code appendix
 * (opentelekomcloud-docs/cloud-backup-recovery api-ref appendix/error_codes.rst).
 */
const NOT_FOUND_CODES = new Set([
  "DWS.5149",
  "DWS.0047",
  "DWS.0015",
  "DWS.3027",
  "EVS.5404",
  "BackupService.6200",
  "BackupService.6105",
  "BackupService.6217",
  "BackupService.6500",
  "BackupService.6501",
]);

/** The one not-found notion: HTTP 404, or a service code that means "no such resource". */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof HuaweiCloudError) || err.kind !== "api") return false;
  if (err.status === 404) return true;
  return err.code !== undefined && NOT_FOUND_CODES.has(err.code);
}
