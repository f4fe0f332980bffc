// The SDK's one error type: every failed call throws a PeregrineError carrying the API's status,
// its stable code and its details (e.g. the violations of an invalid flow, with line and column).
import type { ErrorCode } from "./api-types.ts";

/**
 * The API's codes, plus the SDK's own: the server was unreachable or answered something
 * unexpected, a wait ran out, a task run's result is not known yet, a task id matched several loop children.
 */
export type PeregrineErrorCode =
  | ErrorCode
  | "network_error"
  | "unexpected_response"
  | "timeout"
  | "not_final"
  | "ambiguous";

export class PeregrineError extends Error {
  override readonly name = "PeregrineError";
  /** The HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly code: PeregrineErrorCode;
  readonly details: unknown;
  /** `GET /api/v1/t/executions/x`: which call failed. */
  readonly request: string;

  constructor(init: {
    status: number;
    code: PeregrineErrorCode;
    message: string;
    details?: unknown;
    request: string;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.request = init.request;
  }

  /** Builds the error from a failed response's `{message, code, details}` body (or whatever came instead). */
  static async fromResponse(response: Response, request: string): Promise<PeregrineError> {
    const text = await response.text().catch(() => "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") {
      const { message, code, details } = body as { message: string; code?: unknown; details?: unknown };
      return new PeregrineError({
        status: response.status,
        code: typeof code === "string" ? (code as ErrorCode) : codeOfStatus(response.status),
        message,
        details,
        request,
      });
    }
    return new PeregrineError({
      status: response.status,
      code: codeOfStatus(response.status),
      message: text.trim().slice(0, 500) || `HTTP ${response.status}`,
      request,
    });
  }
}

function codeOfStatus(status: number): PeregrineErrorCode {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 422:
      return "invalid";
    case 429:
      return "rate_limited";
    default:
      return status >= 500 ? "internal" : "unexpected_response";
  }
}

/** True when `error` is a PeregrineError, optionally with one of `codes`. */
export function isPeregrineError(error: unknown, ...codes: PeregrineErrorCode[]): error is PeregrineError {
  return error instanceof PeregrineError && (codes.length === 0 || codes.includes(error.code));
}
