// Owns string filters: case, trim, replace, split, slugify, substring*, indent, encodings, hashes,
// number parsing and formatting, escapeChar, className.
import type { Args, FilterFn } from "../env";
import { arg, argString } from "../env";
import { RenderError } from "../errors";
import { replaceAllMatches } from "../regex";
import { isDict, toNumber, toText } from "../values";

function str(fn: (s: string, args: Args) => unknown): FilterFn {
  return (input, args) => (input === null || input === undefined ? null : fn(toText(input), args));
}

function required(args: Args, index: number, name: string, filter: string): string {
  const v = argString(args, index, name);
  if (v === undefined) throw new RenderError(`Filter ${filter} needs the argument \`${name}\``);
  return v;
}

function indent(s: string, amount: number, prefix: string): string {
  const pad = prefix.repeat(Math.max(0, amount));
  return s.replace(/\r?\n/g, (nl) => nl + pad);
}

/** Java's URLEncoder: form encoding, spaces as `+`, only `.-*_` left unescaped among symbols. */
function urlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, "+")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw new RenderError(`Invalid URL-encoded text \`${s.slice(0, 100)}\``);
  }
}

function base64Encode(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function base64Decode(s: string): string {
  try {
    const bin = atob(s.trim());
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    throw new RenderError("Invalid base64 text given to base64decode");
  }
}

function hash(algorithm: string): FilterFn {
  return async (input) => {
    if (input === null || input === undefined) return null;
    const digest = await crypto.subtle.digest(algorithm, new TextEncoder().encode(toText(input)));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  };
}

function parseNumber(s: string, type: string | undefined): number {
  const t = s.trim();
  const kind = type?.toUpperCase();
  const integral = kind === "INT" || kind === "INTEGER" || kind === "LONG" || kind === "BIGINTEGER";
  if (integral ? !/^[+-]?\d+$/.test(t) : !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    throw new RenderError(`Unable to parse \`${s}\` as a number${type ? ` of type ${type}` : ""}`);
  }
  return Number(t);
}

/** A practical subset of Java's DecimalFormat: `0`/`#` digits, `,` grouping, `.` fraction, `%`. */
function numberFormat(n: number, pattern: string): string {
  const percent = pattern.includes("%");
  const value = percent ? n * 100 : n;
  const core = pattern.replace(/[^0#.,]/g, "");
  const [intPart = "", fracPart = ""] = core.split(".");
  const minFrac = (fracPart.match(/0/g) ?? []).length;
  const maxFrac = fracPart.length;
  const minInt = (intPart.match(/0/g) ?? []).length;
  const grouping = intPart.includes(",");
  let out = new Intl.NumberFormat("en-US", {
    minimumFractionDigits: minFrac,
    maximumFractionDigits: maxFrac,
    minimumIntegerDigits: Math.max(1, minInt),
    useGrouping: grouping,
    roundingMode: "halfEven",
  } as Intl.NumberFormatOptions).format(value);
  if (minInt === 0 && /^-?0\./.test(out)) out = out.replace("0.", ".");
  const prefix = pattern.slice(0, Math.max(0, pattern.search(/[0#.,]/)));
  const suffixStart =
    pattern.length -
    [...pattern]
      .reverse()
      .join("")
      .search(/[0#.,]/);
  return prefix.replace("%", "") + out + pattern.slice(suffixStart);
}

function slugify(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function className(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return "java.lang.String";
  if (typeof v === "boolean") return "java.lang.Boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "java.lang.Integer" : "java.lang.Double";
  if (Array.isArray(v)) return "java.util.ArrayList";
  return "java.util.LinkedHashMap";
}

function replace(s: string, args: Args): string {
  const pairs = arg(args, 0, "replace_pairs");
  if (!isDict(pairs)) throw new RenderError("Filter replace needs a map of replacements");
  const regexp = arg(args, 1, "regexp") === true;
  let out = s;
  for (const [from, to] of Object.entries(pairs)) {
    if (regexp) {
      try {
        out = replaceAllMatches(from, out, toText(to));
      } catch (e) {
        throw new RenderError(`Filter replace: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else {
      out = out.split(from).join(toText(to));
    }
  }
  return out;
}

function split(s: string, args: Args): string[] {
  const delimiter = required(args, 0, "delimiter", "split");
  const limit = Number(arg(args, 1, "limit") ?? 0);
  let parts = delimiter === "" ? [...s] : s.split(delimiter);
  if (limit > 0 && parts.length > limit) {
    parts = [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(delimiter)];
  }
  if (limit === 0) while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

const ESCAPES: Record<string, [RegExp, string]> = {
  single: [/'/g, "\\'"],
  double: [/"/g, '\\"'],
  shell: [/'/g, "'\\''"],
};

export const TEXT_FILTERS: Record<string, FilterFn> = {
  upper: str((s) => s.toUpperCase()),
  lower: str((s) => s.toLowerCase()),
  capitalize: str((s) => s.charAt(0).toUpperCase() + s.slice(1)),
  title: str((s) => s.toLowerCase().replace(/(^|\s)(\S)/g, (_m, sp: string, c: string) => sp + c.toUpperCase())),
  trim: str((s) => s.trim()),
  replace: str(replace),
  split: str(split),
  slugify: str(slugify),
  substringBefore: str((s, a) => {
    const sep = required(a, 0, "separator", "substringBefore");
    const i = s.indexOf(sep);
    return i < 0 ? s : s.slice(0, i);
  }),
  substringAfter: str((s, a) => {
    const sep = required(a, 0, "separator", "substringAfter");
    const i = s.indexOf(sep);
    return i < 0 ? "" : s.slice(i + sep.length);
  }),
  substringBeforeLast: str((s, a) => {
    const sep = required(a, 0, "separator", "substringBeforeLast");
    const i = s.lastIndexOf(sep);
    return i < 0 || sep === "" ? s : s.slice(0, i);
  }),
  substringAfterLast: str((s, a) => {
    const sep = required(a, 0, "separator", "substringAfterLast");
    const i = s.lastIndexOf(sep);
    return i < 0 || sep === "" || i + sep.length === s.length ? "" : s.slice(i + sep.length);
  }),
  startsWith: str((s, a) => s.startsWith(required(a, 0, "value", "startsWith"))),
  endsWith: str((s, a) => s.endsWith(required(a, 0, "value", "endsWith"))),
  abbreviate: str((s, a) => {
    const max = toNumber(arg(a, 0, "length"), "abbreviate");
    if (s.length <= max) return s;
    return max < 3 ? s.slice(0, max) : `${s.slice(0, max - 3)}...`;
  }),
  indent: str((s, a) => indent(s, toNumber(arg(a, 0, "amount"), "indent"), argString(a, 1, "prefix") ?? " ")),
  nindent: str((s, a) => {
    const amount = toNumber(arg(a, 0, "amount"), "nindent");
    const prefix = argString(a, 1, "prefix") ?? " ";
    return `\n${prefix.repeat(Math.max(0, amount))}${indent(s, amount, prefix)}`;
  }),
  escapeChar: str((s, a) => {
    const type = argString(a, 0, "type") ?? "single";
    const rule = ESCAPES[type];
    if (!rule) throw new RenderError(`escapeChar: unknown type \`${type}\` (single, double or shell)`);
    return s.replace(rule[0], rule[1]);
  }),
  urlencode: str(urlEncode),
  urldecode: str(urlDecode),
  base64encode: str(base64Encode),
  base64decode: str(base64Decode),
  sha1: hash("SHA-1"),
  sha256: hash("SHA-256"),
  sha512: hash("SHA-512"),
  md5: hash("MD5"),
  number: (input, a) => {
    if (typeof input === "number" || input === null || input === undefined) return input ?? null;
    return parseNumber(toText(input), argString(a, 0, "type"));
  },
  numberFormat: (input, a) => numberFormat(toNumber(input, "numberFormat"), required(a, 0, "format", "numberFormat")),
  abs: (input) => Math.abs(toNumber(input, "abs")),
  className: (input) => className(input),
  string: (input) => toText(input),
};
TEXT_FILTERS.numberformat = TEXT_FILTERS.numberFormat as FilterFn;
