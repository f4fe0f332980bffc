// KV value typing: the seven Kestra KV types, how a declared `kvType` checks and converts a value,
// how a type is inferred when none is declared (kv.Set without kvType, the API's PUT body), and
// which keys are valid. Pure functions, shared by the kv tasks, the kv() function and the API.
import { DomainError, type ErrorCode } from "../errors";
import { parseDurationMs } from "../tasks/duration";
import { readInstant, readLocalDate } from "../tasks/temporal";

export const KV_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON"] as const;
export type KvType = (typeof KV_TYPES)[number];

/** A stored value: D1 rows hold it as JSON, so the whole JSON text is bounded by this. */
export const MAX_KV_VALUE_BYTES = 1024 * 1024;

const KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

export class KvValueError extends DomainError {
  override readonly name: string = "KvValueError";
  readonly code: ErrorCode = "invalid";
}

export function isKvType(value: string): value is KvType {
  return (KV_TYPES as readonly string[]).includes(value);
}

export function checkKey(key: string): string {
  if (key.length > MAX_KEY_LENGTH || !KEY.test(key)) {
    throw new KvValueError(
      `Invalid KV key '${key}': it must match ${KEY.source} and be at most ${MAX_KEY_LENGTH} characters`,
    );
  }
  return key;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const DURATION = /^[-+]?P(?=\d|T\d)/i;

function isDuration(text: string): boolean {
  if (!DURATION.test(text)) return false;
  try {
    parseDurationMs(text);
    return true;
  } catch {
    return false;
  }
}

function isInstant(text: string): boolean {
  if (!DATE_TIME.test(text)) return false;
  try {
    readInstant(text);
    return true;
  } catch {
    return false;
  }
}

function isLocalDate(text: string): boolean {
  if (!DATE_ONLY.test(text)) return false;
  try {
    readLocalDate(text);
    return true;
  } catch {
    return false;
  }
}

/** The type Kestra would give an untyped value: strings that look temporal are stored as such. */
export function inferType(value: unknown): KvType {
  if (typeof value === "number") return "NUMBER";
  if (typeof value === "boolean") return "BOOLEAN";
  if (typeof value === "string") {
    if (isInstant(value)) return "DATETIME";
    if (isLocalDate(value)) return "DATE";
    if (isDuration(value)) return "DURATION";
    return "STRING";
  }
  return "JSON";
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Checks and converts `value` to `type`; throws a KvValueError naming both when it cannot. */
export function coerce(value: unknown, type: KvType): unknown {
  const bad = (): never => {
    throw new KvValueError(`Value '${describe(value)}' is not a valid ${type}`);
  };
  switch (type) {
    case "STRING":
      return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    case "NUMBER": {
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() ? Number(value) : NaN;
      return Number.isFinite(n) ? n : bad();
    }
    case "BOOLEAN":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
        return value.trim().toLowerCase() === "true";
      }
      return bad();
    case "DATETIME":
      if (typeof value !== "string") return bad();
      try {
        return readInstant(value.trim()).iso;
      } catch {
        return bad();
      }
    case "DATE":
      return typeof value === "string" && isLocalDate(value.trim()) ? value.trim() : bad();
    case "DURATION":
      return typeof value === "string" && isDuration(value.trim()) ? value.trim().toUpperCase() : bad();
    case "JSON":
      if (typeof value !== "string") return value ?? null;
      try {
        return JSON.parse(value);
      } catch {
        return bad();
      }
  }
}

/** A value and its type: the declared type wins (after conversion), else the inferred one. */
export function typedValue(value: unknown, declared?: KvType): { value: unknown; type: KvType } {
  if (declared) return { value: coerce(value, declared), type: declared };
  return { value, type: inferType(value) };
}

/**
 * The API's PUT body: JSON when it parses (so `42`, `true`, `{"a":1}` and `"text"` keep their
 * types), the raw text otherwise.
 */
export function valueOfBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** The stored JSON, refused when over MAX_KV_VALUE_BYTES. */
export function serialize(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  const bytes = new TextEncoder().encode(json).byteLength;
  if (bytes > MAX_KV_VALUE_BYTES) {
    throw new KvValueTooLarge(`KV value is ${bytes} bytes, over the ${MAX_KV_VALUE_BYTES}-byte limit`);
  }
  return json;
}

export class KvValueTooLarge extends KvValueError {
  override readonly name = "KvValueTooLarge";
  override readonly code = "payload_too_large";
}
