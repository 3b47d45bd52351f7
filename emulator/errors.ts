/**
 * Error bodies in each service's own shape (as huaweicloud-sdk-go-v3 core/sdkerr/errors.go reads them). Backends throw
 * ApiError; the HTTP layer renders it unchanged.
 */
export type ErrorShape = "dws" | "evs" | "cbr" | "iam" | "gateway";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly shape: ErrorShape,
    readonly code: string,
    message: string,
    /** DWS.7023-style bodies also carry `externalMessage` and `errCode`. */
    readonly extended = false,
  ) {
    super(message);
    this.name = "ApiError";
  }

  body(requestId: string): unknown {
    switch (this.shape) {
      case "evs":
        return { error: { code: this.code, message: this.message } };
      case "gateway":
        return { error_code: this.code, error_msg: this.message, request_id: requestId };
      case "dws":
        return this.extended
          ? {
              externalMessage: this.message,
              errCode: this.code,
              error_code: this.code,
              error_msg: this.message,
            }
          : { error_code: this.code, error_msg: this.message };
      default:
        return { error_code: this.code, error_msg: this.message };
    }
  }
}

export const dwsError = (status: number, code: string, msg: string, extended = false) =>
  new ApiError(status, "dws", code, msg, extended);
export const evsError = (status: number, code: string, msg: string) => new ApiError(status, "evs", code, msg);
export const cbrError = (status: number, code: string, msg: string) => new ApiError(status, "cbr", code, msg);
export const iamError = (status: number, code: string, msg: string) => new ApiError(status, "iam", code, msg);
export const gatewayError = (status: number, code: string, msg: string) =>
  new ApiError(status, "gateway", code, msg);

/** The generic "bad request" of each service, for malformed JSON and failed field validation. */
export function badRequest(shape: ErrorShape, msg: string): ApiError {
  switch (shape) {
    case "dws":
      return dwsError(400, "DWS.0001", `Illegal parameter: ${msg}`);
    case "evs":
      return evsError(400, "EVS.5400", `Invalid request: ${msg}`);
    case "cbr":
      return cbrError(400, "BackupService.9900", `Parameter verification failed: ${msg}`);
    case "iam":
      return iamError(400, "IAM.0011", `Request body is invalid: ${msg}`);
    default:
      return gatewayError(400, "APIGW.0201", `Request error: ${msg}`);
  }
}

/** Internal error of each service (used by the 5xx fault and by unexpected exceptions). */
export function internalError(shape: ErrorShape): ApiError {
  switch (shape) {
    case "dws":
      return dwsError(500, "DWS.9999", "Internal error.");
    case "evs":
      return evsError(500, "EVS.5500", "Internal server error.");
    case "cbr":
      return cbrError(500, "BackupService.9910", "Unknown error.");
    case "iam":
      return iamError(500, "IAM.0001", "Internal server error.");
    default:
      return gatewayError(500, "APIGW.0201", "Internal error.");
  }
}
