// Owns the `jq` filter: a self-contained interpreter for a practical jq subset (paths, iteration,
// pipes, comma, select/map and friends, comparisons, arithmetic, literals, object construction,
// and the regex functions of jq-regex.ts).
// Like Kestra's, it always returns the list of all results.
import type { Env, FilterFn } from "../env";
import { argString } from "../env";
import { RenderError } from "../errors";
import { findsIn } from "../regex";
import { compare, deepEqual, isDict, toJson, typeName } from "../values";
import { type J, JqParser, lex } from "./jq-parse";
import { captureObject, type JqMatch, jqMatches, substitute } from "./jq-regex";

class Jq {
  constructor(readonly env: Env) {}

  private one(e: J, input: unknown): unknown {
    const out = this.run(e, input);
    return out[0] ?? null;
  }

  run(e: J, input: unknown): unknown[] {
    this.env.budget.step();
    switch (e.t) {
      case "id":
        return [input];
      case "lit":
        return [e.v];
      case "recurse": {
        const out: unknown[] = [];
        const walk = (v: unknown): void => {
          this.env.budget.step();
          out.push(v);
          if (Array.isArray(v)) v.forEach(walk);
          else if (isDict(v)) Object.values(v).forEach(walk);
        };
        walk(input);
        return out;
      }
      case "field":
        return this.run(e.of, input).flatMap((obj) =>
          this.run(e.name, input).flatMap((key) => {
            if (obj === null || obj === undefined) return [null];
            if (Array.isArray(obj) && typeof key === "number") return [obj[key < 0 ? obj.length + key : key] ?? null];
            if (isDict(obj) && typeof key === "string") return [obj[key] ?? null];
            if (e.opt) return [];
            throw new RenderError(`jq: cannot index ${typeName(obj)} with ${typeName(key)}`);
          }),
        );
      case "slice":
        return this.run(e.of, input).map((v) => {
          if (v === null) return null;
          if (typeof v !== "string" && !Array.isArray(v)) throw new RenderError(`jq: cannot slice ${typeName(v)}`);
          const from = e.from ? Number(this.one(e.from, input)) : 0;
          const to = e.to ? Number(this.one(e.to, input)) : v.length;
          return v.slice(from, to);
        });
      case "iter":
        return this.run(e.of, input).flatMap((v) => {
          if (Array.isArray(v)) return v;
          if (isDict(v)) return Object.values(v);
          if (e.opt) return [];
          throw new RenderError(`jq: cannot iterate over ${typeName(v)}`);
        });
      case "pipe":
        return this.run(e.l, input).flatMap((v) => this.run(e.r, v));
      case "comma":
        return [...this.run(e.l, input), ...this.run(e.r, input)];
      case "neg":
        return this.run(e.e, input).map((v) => -Number(v));
      case "array": {
        const items = e.e ? this.run(e.e, input) : [];
        this.env.budget.size(items.length);
        return [items];
      }
      case "object": {
        let acc: Record<string, unknown>[] = [{}];
        for (const [k, v] of e.entries) {
          const next: Record<string, unknown>[] = [];
          for (const base of acc)
            for (const key of this.run(k, input))
              for (const val of this.run(v, input)) next.push({ ...base, [String(key)]: val });
          acc = next;
        }
        return acc;
      }
      case "bin":
        return this.binary(e, input);
      case "call":
        return this.call(e.name, e.args, input);
    }
  }

  private binary(e: Extract<J, { t: "bin" }>, input: unknown): unknown[] {
    if (e.op === "//") {
      const l = this.run(e.l, input).filter((v) => v !== null && v !== false);
      return l.length ? l : this.run(e.r, input);
    }
    if (e.op === "and" || e.op === "or") {
      return this.run(e.l, input).flatMap((l) => {
        const lt = l !== null && l !== false;
        if (e.op === "and" && !lt) return [false];
        if (e.op === "or" && lt) return [true];
        return this.run(e.r, input).map((r) => r !== null && r !== false);
      });
    }
    const out: unknown[] = [];
    for (const r of this.run(e.r, input)) for (const l of this.run(e.l, input)) out.push(this.apply(e.op, l, r));
    return out;
  }

  private apply(op: string, l: unknown, r: unknown): unknown {
    switch (op) {
      case "==":
        return deepEqual(l, r);
      case "!=":
        return !deepEqual(l, r);
      case "<":
        return jqCompare(l, r) < 0;
      case "<=":
        return jqCompare(l, r) <= 0;
      case ">":
        return jqCompare(l, r) > 0;
      case ">=":
        return jqCompare(l, r) >= 0;
      case "+":
        if (l === null) return r;
        if (r === null) return l;
        if (typeof l === "number" && typeof r === "number") return l + r;
        if (typeof l === "string" && typeof r === "string") return l + r;
        if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
        if (isDict(l) && isDict(r)) return { ...l, ...r };
        break;
      default:
        if (typeof l === "number" && typeof r === "number") {
          if (op === "-") return l - r;
          if (op === "*") return l * r;
          if (op === "/") return l / r;
          return l % r;
        }
        if (op === "-" && Array.isArray(l) && Array.isArray(r)) return l.filter((x) => !r.some((y) => deepEqual(x, y)));
        if (op === "/" && typeof l === "string" && typeof r === "string") return l.split(r);
    }
    throw new RenderError(`jq: ${typeName(l)} and ${typeName(r)} cannot be combined with ${op}`);
  }

  private call(name: string, args: J[], input: unknown): unknown[] {
    const f = JQ_FUNCTIONS[`${name}/${args.length}`];
    if (!f) throw new RenderError(`jq: unknown function ${name}/${args.length}`);
    return f(this, input, args);
  }

  add(l: unknown, r: unknown): unknown {
    return this.apply("+", l, r);
  }

  each(e: J, input: unknown): unknown[] {
    return this.run(e, input);
  }
}

const ORDER = ["null", "boolean", "number", "string", "list", "map"];
function jqCompare(a: unknown, b: unknown): number {
  const ta = ORDER.indexOf(typeName(a));
  const tb = ORDER.indexOf(typeName(b));
  if (ta !== tb) return ta - tb;
  if (ta >= 4) return toJson(a) < toJson(b) ? -1 : toJson(a) > toJson(b) ? 1 : 0;
  return a === null ? 0 : compare(a, b);
}

function lengthOf(v: unknown): number {
  if (v === null) return 0;
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  if (typeof v === "number") return Math.abs(v);
  throw new RenderError(`jq: ${typeName(v)} has no length`);
}

function list(v: unknown, fn: string): unknown[] {
  if (!Array.isArray(v)) throw new RenderError(`jq: ${fn} needs an array, got ${typeName(v)}`);
  return v;
}

type JqFn = (jq: Jq, input: unknown, args: J[]) => unknown[];
const truthy = (v: unknown): boolean => v !== null && v !== false;
const JQ_FUNCTIONS: Record<string, JqFn> = {
  "length/0": (_q, v) => [lengthOf(v)],
  "keys/0": (_q, v) => [Array.isArray(v) ? v.map((_x, i) => i) : Object.keys(v as object).sort()],
  "keys_unsorted/0": (_q, v) => [Object.keys(v as object)],
  "values/0": (_q, v) => (v === null ? [] : [v]),
  "has/1": (q, v, [k]) =>
    q
      .each(k as J, v)
      .map((key) => (Array.isArray(v) ? Number(key) < v.length : Object.hasOwn(v as object, String(key)))),
  "map/1": (q, v, [f]) => [Object.values(v as object).flatMap((x) => q.each(f as J, x))],
  "map_values/1": (q, v, [f]) => [
    Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, q.each(f as J, x)[0] ?? null])),
  ],
  "select/1": (q, v, [f]) => (q.each(f as J, v).some(truthy) ? [v] : []),
  "empty/0": () => [],
  "not/0": (_q, v) => [!truthy(v)],
  "add/0": (q, v) => [Object.values(v as object).reduce((a: unknown, b) => (a === null ? b : q.add(a, b)), null)],
  "tostring/0": (_q, v) => [typeof v === "string" ? v : toJson(v)],
  "tonumber/0": (_q, v) => [Number(v)],
  "tojson/0": (_q, v) => [toJson(v)],
  "fromjson/0": (_q, v) => [JSON.parse(String(v))],
  "type/0": (_q, v) => [
    ({ list: "array", map: "object", null: "null" } as Record<string, string>)[typeName(v)] ?? typeName(v),
  ],
  "sort/0": (_q, v) => [[...list(v, "sort")].sort(jqCompare)],
  "sort_by/1": (q, v, [f]) => [[...list(v, "sort_by")].sort((a, b) => jqCompare(q.each(f as J, a), q.each(f as J, b)))],
  "unique/0": (_q, v) => [
    [...list(v, "unique")].sort(jqCompare).filter((x, i, a) => i === 0 || !deepEqual(x, a[i - 1])),
  ],
  "reverse/0": (_q, v) => [typeof v === "string" ? [...v].reverse().join("") : [...list(v, "reverse")].reverse()],
  "first/0": (_q, v) => [list(v, "first")[0] ?? null],
  "last/0": (_q, v) => [list(v, "last").at(-1) ?? null],
  "first/1": (q, v, [f]) => q.each(f as J, v).slice(0, 1),
  "min/0": (_q, v) => [[...list(v, "min")].sort(jqCompare)[0] ?? null],
  "max/0": (_q, v) => [[...list(v, "max")].sort(jqCompare).at(-1) ?? null],
  "join/1": (q, v, [s]) =>
    q.each(s as J, v).map((sep) =>
      list(v, "join")
        .map((x) => (x === null ? "" : typeof x === "string" ? x : toJson(x)))
        .join(String(sep)),
    ),
  "split/1": (q, v, [s]) => q.each(s as J, v).map((sep) => String(v).split(String(sep))),
  "ascii_downcase/0": (_q, v) => [String(v).toLowerCase()],
  "ascii_upcase/0": (_q, v) => [String(v).toUpperCase()],
  "startswith/1": (q, v, [s]) => q.each(s as J, v).map((p) => String(v).startsWith(String(p))),
  "endswith/1": (q, v, [s]) => q.each(s as J, v).map((p) => String(v).endsWith(String(p))),
  "contains/1": (q, v, [s]) =>
    q
      .each(s as J, v)
      .map((p) =>
        typeof v === "string" ? v.includes(String(p)) : toJson(v).includes(toJson(p).replace(/^[[{]|[\]}]$/g, "")),
      ),
  "test/1": (q, v, [s]) => q.each(s as J, v).map((re) => findsIn(String(re), String(v))),
  "test/2": (q, v, [s, f]) => regexCall(q, v, s, f, (ms) => [ms.length > 0]),
  "match/1": (q, v, [s]) => regexCall(q, v, s, undefined, (ms) => ms),
  "match/2": (q, v, [s, f]) => regexCall(q, v, s, f, (ms) => ms),
  "capture/1": (q, v, [s]) => regexCall(q, v, s, undefined, (ms) => ms.map(captureObject)),
  "capture/2": (q, v, [s, f]) => regexCall(q, v, s, f, (ms) => ms.map(captureObject)),
  "sub/2": (q, v, [s, r]) => substituteCall(q, v, s, r, ""),
  "sub/3": (q, v, [s, r, f]) => substituteCall(q, v, s, r, f as J),
  "gsub/2": (q, v, [s, r]) => substituteCall(q, v, s, r, "g"),
  "gsub/3": (q, v, [s, r, f]) => substituteCall(q, v, s, r, f as J, "g"),
  "to_entries/0": (_q, v) => [Object.entries(v as object).map(([key, value]) => ({ key, value }))],
  "from_entries/0": (_q, v) => [
    Object.fromEntries(
      list(v, "from_entries").map((e) => [
        String((e as { key?: unknown; name?: unknown }).key ?? (e as { name?: unknown }).name),
        (e as { value?: unknown }).value ?? null,
      ]),
    ),
  ],
  "with_entries/1": (q, v, [f]) => [
    Object.fromEntries(
      Object.entries(v as object).flatMap(([key, value]) =>
        q
          .each(f as J, { key, value })
          .map((e) => [String((e as { key: unknown }).key), (e as { value: unknown }).value]),
      ),
    ),
  ],
  "any/0": (_q, v) => [list(v, "any").some(truthy)],
  "all/0": (_q, v) => [list(v, "all").every(truthy)],
  "flatten/0": (_q, v) => [list(v, "flatten").flat(Number.POSITIVE_INFINITY)],
  "range/1": (q, v, [n]) =>
    q.each(n as J, v).flatMap((x) => {
      const length = Math.max(0, Number(x) || 0);
      q.env.budget.size(length);
      return Array.from({ length }, (_y, i) => i);
    }),
  "floor/0": (_q, v) => [Math.floor(Number(v))],
  "ceil/0": (_q, v) => [Math.ceil(Number(v))],
  "round/0": (_q, v) => [Math.round(Number(v))],
  "abs/0": (_q, v) => [Math.abs(Number(v))],
  "not_null/0": (_q, v) => (v === null ? [] : [v]),
};

/** The pattern and flags (jq expressions on the input) to every match, then `shape` for jq's output. */
function regexCall(
  q: Jq,
  v: unknown,
  pattern: J | undefined,
  flags: J | string | undefined,
  shape: (matches: JqMatch[]) => unknown[],
): unknown[] {
  const flagValues = flags === undefined || typeof flags === "string" ? [flags ?? null] : q.each(flags, v);
  return q
    .each(pattern as J, v)
    .flatMap((re) => flagValues.flatMap((f) => shape(jqMatches(re, f, v, () => q.env.budget.step()))));
}

function substituteCall(q: Jq, v: unknown, pattern: J | undefined, repl: J | undefined, flags: J | string, extra = "") {
  const text = typeof v === "string" ? v : String(v);
  const flagValues = typeof flags === "string" ? [flags] : q.each(flags, v).map((f) => `${String(f ?? "")}${extra}`);
  return q.each(pattern as J, v).flatMap((re) =>
    flagValues.map((f) => {
      const matches = jqMatches(re, f, text, () => q.env.budget.step());
      const out = substitute(text, matches, (m) => {
        const r = q.each(repl as J, captureObject(m))[0];
        return typeof r === "string" ? r : toJson(r);
      });
      q.env.budget.built(out.length);
      return out;
    }),
  );
}

const parsed = new Map<string, J>();

function compile(src: string): J {
  let e = parsed.get(src);
  if (!e) {
    const p = new JqParser(lex(src), src);
    e = p.pipe();
    if (!p.done()) throw new RenderError(`jq: unexpected trailing input in \`${src}\``);
    if (parsed.size > 500) parsed.clear();
    parsed.set(src, e);
  }
  return e;
}

export const jqFilter: FilterFn = (input, args, env) => {
  const expr = argString(args, 0, "expression");
  if (expr === undefined) throw new RenderError("jq needs an expression");
  let data: unknown = input ?? null;
  if (typeof data === "string") {
    try {
      data = JSON.parse(data);
    } catch {
      // a plain string is a valid jq input of its own
    }
  }
  try {
    return new Jq(env).run(compile(expr), data);
  } catch (e) {
    if (e instanceof RenderError) throw e;
    throw new RenderError(`jq: ${e instanceof Error ? e.message : String(e)}`);
  }
};
