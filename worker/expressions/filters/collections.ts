// Owns list/map filters: default, first/last, keys/values, length, join, chunk, flatten, merge,
// slice, sort/rsort, reverse, distinct, and the JSON/YAML conversions.
import { stringify as toYaml } from "yaml";
import type { FilterFn } from "../env";
import { arg } from "../env";
import { RenderError } from "../errors";
import { fromJson } from "../functions";
import { compare, deepEqual, isDict, isEmpty, toJson, toList, toNumber, toText, typeName } from "../values";

function sorted(input: unknown, sign: number): unknown[] {
  if (input === null || input === undefined) return [];
  if (!Array.isArray(input)) throw new RenderError(`sort: expected a list but got ${typeName(input)}`);
  return [...input].sort((a, b) => compare(a, b) * sign);
}

function slice(input: unknown, from: unknown, to: unknown): unknown {
  if (typeof input !== "string" && !Array.isArray(input)) {
    throw new RenderError(`slice: expected a list or a string but got ${typeName(input)}`);
  }
  const start = from === undefined || from === null ? 0 : toNumber(from, "slice");
  const end = to === undefined || to === null ? input.length : toNumber(to, "slice");
  if (start < 0 || end > input.length || start > end) {
    throw new RenderError(`slice: indexes ${start}..${end} are out of bounds for length ${input.length}`);
  }
  return input.slice(start, end);
}

function firstOrLast(input: unknown, last: boolean): unknown {
  if (input === null || input === undefined) return null;
  if (typeof input === "string") return (last ? input.slice(-1) : input.slice(0, 1)) || null;
  const items = isDict(input) ? Object.values(input) : toList(input, last ? "last" : "first");
  return (last ? items[items.length - 1] : items[0]) ?? null;
}

export const COLLECTION_FILTERS: Record<string, FilterFn> = {
  default: (input, a) => (isEmpty(input) ? (arg(a, 0, "default") ?? null) : input),
  first: (input) => firstOrLast(input, false),
  last: (input) => firstOrLast(input, true),
  keys: (input) => {
    if (input === null || input === undefined) return null;
    if (Array.isArray(input)) return input.map((_v, i) => i);
    if (isDict(input)) return Object.keys(input);
    throw new RenderError(`keys: expected a map or a list but got ${typeName(input)}`);
  },
  values: (input) => {
    if (input === null || input === undefined) return null;
    if (isDict(input)) return Object.values(input);
    if (Array.isArray(input)) return input;
    throw new RenderError(`values: expected a map but got ${typeName(input)}`);
  },
  length: (input) => {
    if (input === null || input === undefined) return 0;
    if (typeof input === "string" || Array.isArray(input)) return input.length;
    if (isDict(input)) return Object.keys(input).length;
    return toText(input).length;
  },
  join: (input, a) => {
    if (input === null || input === undefined) return null;
    return toList(input, "join")
      .map((x) => toText(x))
      .join(toText(arg(a, 0, "separator") ?? ""));
  },
  chunk: (input, a) => {
    const size = toNumber(arg(a, 0, "size"), "chunk");
    if (size < 1) throw new RenderError("chunk: size must be at least 1");
    const items = toList(input, "chunk");
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  },
  flatten: (input) => toList(input, "flatten").flatMap((x) => (Array.isArray(x) ? x : [x])),
  merge: (input, a) => {
    const other = arg(a, 0, "items");
    if (Array.isArray(input)) return [...input, ...(Array.isArray(other) ? other : [other])];
    if (isDict(input) && isDict(other)) return { ...input, ...other };
    throw new RenderError(`merge: cannot merge ${typeName(other)} into ${typeName(input)}`);
  },
  slice: (input, a) => slice(input, arg(a, 0, "fromIndex"), arg(a, 1, "toIndex")),
  sort: (input) => sorted(input, 1),
  rsort: (input) => sorted(input, -1),
  reverse: (input) => {
    if (typeof input === "string") return [...input].reverse().join("");
    return [...toList(input, "reverse")].reverse();
  },
  distinct: (input) => {
    const out: unknown[] = [];
    for (const x of toList(input, "distinct")) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  toJson: (input) => toJson(input),
  json: (input) => toJson(input),
  fromJson: (input) => fromJson(input),
  yaml: (input) => (input === null || input === undefined ? "null\n" : toYaml(input)),
};
COLLECTION_FILTERS.uniq = COLLECTION_FILTERS.distinct as FilterFn;
