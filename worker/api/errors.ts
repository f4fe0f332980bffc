// The app's single error mapping: every failure leaves as `{message, code, details?}` with the
// status Kestra would use. A DomainError (worker/errors.ts), thrown from any layer, carries its
// code; here alone a code becomes a status. Hono's HTTPException, zod errors and malformed JSON are
// translated; anything else is a 500 whose detail stays in the logs.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { Violation } from "../../schema/flow";
import {
  DomainError,
  type DomainErrorOptions,
  type ErrorCode,
  invalid,
  notFound,
  RateLimited,
  TooLarge,
} from "../errors";
import type { AppEnv } from "./context";

export interface ErrorBody {
  message: string;
  code: ErrorCode;
  details?: unknown;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500;

const STATUS: Record<ErrorCode, ErrorStatus> = {
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

const CODE_OF_STATUS: Partial<Record<number, ErrorCode>> = Object.fromEntries(
  Object.entries(STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

/** A failure only the HTTP edge knows (a bad key, a body over the limit); never thrown below api/. */
export class ApiError extends DomainError {
  override readonly name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: DomainErrorOptions,
  ) {
    super(message, options);
  }
}

export function errorResponse(c: Context, error: DomainError): Response {
  const body: ErrorBody = { message: error.message, code: error.code };
  if (error.details !== undefined) body.details = error.details;
  const status = STATUS[error.code];
  const headers: Record<string, string> = {};
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="peregrine"';
  if (error instanceof RateLimited) headers["Retry-After"] = String(error.retryAfterSeconds);
  return c.json(body, status, headers);
}

/** `tasks[0].type: Unknown task type 'x' (line 5, column 11)`: a violation as one readable line. */
export function describeViolation(v: Violation): string {
  const where = v.line !== undefined ? ` (line ${v.line}${v.column !== undefined ? `, column ${v.column}` : ""})` : "";
  return `${v.path ? `${v.path}: ` : ""}${v.message}${where}`;
}

/** The error for a rejected flow source: the first violation in the message, all of them in details. */
export function violationsError(status: 413 | 422, violations: Violation[]): DomainError {
  const first = violations[0];
  const message = first ? describeViolation(first) : "Invalid flow";
  return status === 413 ? new TooLarge(message, { details: violations }) : invalid(message, violations);
}

function fromZod(error: ZodError): DomainError {
  const details = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const first = details[0];
  return invalid(first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "Invalid request", details);
}

/** A webhook URL's last segment is its key, a credential: never written to a log. */
export function redactedPath(path: string): string {
  return path.replace(/(\/executions\/webhook\/[^/]+\/[^/]+\/)[^/]+/, "$1****");
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof DomainError) return errorResponse(c, err);
  if (err instanceof ZodError) return errorResponse(c, fromZod(err));
  if (err instanceof HTTPException) {
    const code = CODE_OF_STATUS[err.status];
    if (code && code !== "internal") return errorResponse(c, new ApiError(code, err.message || "Request failed"));
  }
  console.error("unhandled error", c.req.method, redactedPath(c.req.path), err);
  return errorResponse(c, new ApiError("internal", "Internal error"));
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, notFound());
