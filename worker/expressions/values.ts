// Owns Pebble's value semantics on JSON-like data: text conversion, equality, ordering, truth.
import { RenderError } from "./errors";

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Compact JSON like Kestra's writer; undefined becomes null so nothing silently disappears. */
export function toJson(v: unknown): string {
  return (
    JSON.stringify(v ?? null, (_k, x: unknown) => {
      if (x === undefined) return null;
      if (typeof x === "bigint") return x.toString();
      return x;
    }) ?? "null"
  );
}

/** How a value is written into a rendered string. */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Object.is(v, -0) ? "0" : String(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  return toJson(v);
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "map";
  return typeof v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  throw new RenderError(`Cannot compare ${typeName(a)} with ${typeName(b)}`);
}

/** Boolean coercion used by `if`, `and`, `or`, `not` and the ternary (Pebble's compatible cast). */
export function toBool(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (v === null || v === undefined) return false;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.trim().toLowerCase() === "true";
  throw new RenderError(`Unsupported value type ${typeName(v)}: expected a boolean, string or number in a condition`);
}

export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string" || Array.isArray(v)) return v.length === 0;
  if (isDict(v)) return Object.keys(v).length === 0;
  return false;
}

export function toNumber(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new RenderError(`${what}: expected a number but got ${typeName(v)} \`${toText(v)}\``);
}

/** Elements visited by `for`, `join`, `length`…: lists as is, maps as entries, null as nothing. */
export function toList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  if (isDict(v)) return Object.entries(v).map(([key, value]) => ({ key, value }));
  throw new RenderError(`${what}: ${typeName(v)} \`${toText(v)}\` is not iterable`);
}

/** Kestra's truthiness of a rendered string: only `false`, `0`, `-0` and the empty string are false. */
export function isTruthy(rendered: string): boolean {
  const t = rendered.trim();
  return !(t === "" || t === "false" || t === "0" || t === "-0");
}
