// The app's single error mapping: every failure leaves as `{message, code, details?}` with the
// status Kestra would use. Thrown ApiErrors pass through; Hono's HTTPException, zod errors and
// malformed JSON are translated; anything else is a 500 whose detail stays in the logs.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { Violation } from "../../schema/flow";
import { ApiError, type ErrorCode, invalid, notFound } from "../errors";
import { SecretsUnavailable } from "../secrets/crypto";
import type { AppEnv } from "./context";

export interface ErrorBody {
  message: string;
  code: ErrorCode;
  details?: unknown;
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  422: "invalid",
  429: "rate_limited",
};

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = { message: error.message, code: error.code };
  if (error.details !== undefined) body.details = error.details;
  const headers: Record<string, string> = {};
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="peregrine"';
  return c.json(body, error.status, headers);
}

/** `tasks[0].type: Unknown task type 'x' (line 5, column 11)`: a violation as one readable line. */
export function describeViolation(v: Violation): string {
  const where = v.line !== undefined ? ` (line ${v.line}${v.column !== undefined ? `, column ${v.column}` : ""})` : "";
  return `${v.path ? `${v.path}: ` : ""}${v.message}${where}`;
}

/** The error for a rejected flow source: the first violation in the message, all of them in details. */
export function violationsError(status: 413 | 422, violations: Violation[]): ApiError {
  const first = violations[0];
  const message = first ? describeViolation(first) : "Invalid flow";
  return new ApiError(status === 413 ? "payload_too_large" : "invalid", message, violations);
}

function fromZod(error: ZodError): ApiError {
  const details = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const first = details[0];
  return invalid(first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "Invalid request", details);
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof ZodError) return errorResponse(c, fromZod(err));
  // A SECRET input or secret needs SECRETS_KEY: say so rather than a bare "Internal error".
  if (err instanceof SecretsUnavailable) return errorResponse(c, new ApiError("internal", err.message));
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = CODE_OF_STATUS[status];
    if (code) return errorResponse(c, new ApiError(code, err.message || "Request failed"));
  }
  console.error("unhandled error", c.req.method, c.req.path, err);
  return errorResponse(c, new ApiError("internal", "Internal error"));
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, notFound());
