// Owns the hard limits on what a tenant may send or make Peregrine store: request bodies, JSON
// nesting, and the values kept in an execution's row (its Durable Object's SQLite and the D1
// index, where SQLite refuses a value over 2 MB). Each breach is a 413 or 422 naming the limit;
// large data belongs in a file (FILE input, task file), which goes to R2.
import { type DomainError, invalid, TooLarge } from "./errors";

/** Any request body except a multipart upload (those are bounded by the storage limit). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** JSON nesting anywhere Peregrine parses or stores a tenant's JSON. */
export const MAX_JSON_DEPTH = 64;
/** An execution's inputs and trigger variables, serialized, and one task run's outputs. */
export const MAX_STORED_VALUE_BYTES = 1024 * 1024;

export function sizeLabel(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

export function bodyTooLarge(limit: number): TooLarge {
  return new TooLarge(`Request body is larger than the limit of ${sizeLabel(limit)}`, {
    details: { field: "body", limit },
  });
}

/** Nesting depth of a JSON text, counted without parsing it (strings skipped); stops past `max`. */
export function jsonTextDepth(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

/** Nesting depth of a value (arrays and objects), iteratively; stops past `max`. */
export function valueDepth(value: unknown, max = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > max) return deepest;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return deepest;
}

export function tooDeep(field: string): DomainError {
  return invalid(`${field} is nested deeper than the limit of ${MAX_JSON_DEPTH} levels`, {
    field,
    limit: MAX_JSON_DEPTH,
  });
}

/** JSON.parse, after refusing text nested deeper than the limit (422 naming `field`). */
export function parseJsonWithin(text: string, field: string): unknown {
  if (jsonTextDepth(text) > MAX_JSON_DEPTH) throw tooDeep(field);
  return JSON.parse(text);
}

/**
 * Refuses a value to be stored in a row when it is too deep (422) or too large serialized (413);
 * `hint` says where such data belongs instead.
 */
export function checkStoredValue(value: unknown, field: string, hint: string): void {
  if (value === undefined) return;
  if (valueDepth(value) > MAX_JSON_DEPTH) throw tooDeep(field);
  const size = new TextEncoder().encode(JSON.stringify(value)).byteLength;
  if (size > MAX_STORED_VALUE_BYTES) {
    throw new TooLarge(
      `${field} take ${size} bytes once stored, over the limit of ${sizeLabel(MAX_STORED_VALUE_BYTES)}; ${hint}`,
      { details: { field, limit: MAX_STORED_VALUE_BYTES, size } },
    );
  }
}
