// Domain errors. A failure a caller may need to tell apart is a DomainError: a name (its class),
// a stable code (the kind of failure, the same word the API answers with) and, when it wraps
// another error, its cause. Nothing here knows HTTP: api/errors.ts's onError alone turns a code
// into a status, so every layer may throw these and no route translates them.

/** The kinds of failure; stable, and the `code` of the API's error body. */
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

export interface DomainErrorOptions {
  /** Machine-readable detail for the API's error body (e.g. the violations). */
  details?: unknown;
  cause?: unknown;
}

export abstract class DomainError extends Error {
  abstract override readonly name: string;
  abstract readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.details !== undefined) this.details = options.details;
  }
}

/** A resource that does not exist (or belongs to someone else, which must look the same). */
export class NotFound extends DomainError {
  override readonly name = "NotFound";
  readonly code = "not_found";
}

/** The resource already exists, or a concurrent write won. */
export class Conflict extends DomainError {
  override readonly name = "Conflict";
  readonly code = "conflict";
}

/** What was asked for fails validation. */
export class Invalid extends DomainError {
  override readonly name = "Invalid";
  readonly code = "invalid";
}

/** The request itself is malformed (unparseable body, missing parameter). */
export class BadRequest extends DomainError {
  override readonly name = "BadRequest";
  readonly code = "bad_request";
}

/** Something is over a size limit; the message names the limit. */
export class TooLarge extends DomainError {
  override readonly name = "TooLarge";
  readonly code = "payload_too_large";
}

/** Over a rate or quota; `retryAfterSeconds` says when to try again (the API's Retry-After). */
export class RateLimited extends DomainError {
  override readonly name = "RateLimited";
  readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** A missing, malformed, unknown or revoked credential. */
export class Unauthorized extends DomainError {
  override readonly name = "Unauthorized";
  readonly code = "unauthorized";
}

/** The credential is valid but may not do this (e.g. a session request without its CSRF header). */
export class Forbidden extends DomainError {
  override readonly name = "Forbidden";
  readonly code = "forbidden";
}

export const notFound = (message = "Not found") => new NotFound(message);
export const conflict = (message: string, details?: unknown) => new Conflict(message, { details });
export const invalid = (message: string, details?: unknown) => new Invalid(message, { details });
export const badRequest = (message: string, details?: unknown) => new BadRequest(message, { details });

/** Exhaustiveness: a switch over a union calls this in its default, so a new member fails tsc. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
