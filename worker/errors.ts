// Typed errors: every failure the API reports is one of these, mapped to one JSON shape
// `{message, code, details?}` by the app's single onError.

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "invalid"
  | "rate_limited"
  | "internal";

const STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  invalid: 422,
  rate_limited: 429,
  internal: 500,
};

export class ApiError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const notFound = (message = "Not found") => new ApiError("not_found", message);
export const conflict = (message: string, details?: unknown) => new ApiError("conflict", message, details);
export const invalid = (message: string, details?: unknown) => new ApiError("invalid", message, details);
export const badRequest = (message: string, details?: unknown) => new ApiError("bad_request", message, details);
