// Owns jq's regular-expression functions: test, match, capture, sub and gsub (with or without
// jq's flags argument), on RE2 through expressions/regex.ts, so their time is linear in the input
// like every other tenant-supplied pattern. Offsets and lengths count UTF-16 code units.
import { RenderError } from "../errors";
import { compilePattern } from "../regex";

export interface JqCapture {
  offset: number;
  length: number;
  string: string | null;
  name: string | null;
}

export interface JqMatch {
  offset: number;
  length: number;
  string: string;
  captures: JqCapture[];
}

interface Flags {
  prefix: string;
  global: boolean;
  skipEmpty: boolean;
}

/** jq's flags: g (every match), i (ignore case), s (dot matches newline), n (skip empty matches). */
function flagsOf(flags: unknown): Flags {
  const text = flags === null || flags === undefined ? "" : String(flags);
  const out: Flags = { prefix: "", global: false, skipEmpty: false };
  for (const f of text) {
    if (f === "g") out.global = true;
    else if (f === "n") out.skipEmpty = true;
    else if (f === "i" || f === "s") out.prefix += f;
    else throw new RenderError(`jq: ${text} is not a valid modifier string (g, i, s and n are supported)`);
  }
  return out;
}

/** Every match (or the first, without the g flag), as jq's match objects; `step` charges each. */
export function jqMatches(pattern: unknown, flags: unknown, text: unknown, step: () => void): JqMatch[] {
  if (typeof text !== "string")
    throw new RenderError(`jq: ${JSON.stringify(text)} cannot be matched, as it is not a string`);
  const f = flagsOf(flags);
  const re = compilePattern(f.prefix ? `(?${f.prefix})${String(pattern)}` : String(pattern));
  const names: (string | null)[] = [];
  for (const [name, index] of Object.entries(re.namedGroups())) names[index] = name;
  const m = re.matcher(text);
  const out: JqMatch[] = [];
  for (let from = 0; from <= text.length && m.find(from); ) {
    step();
    const start = m.start();
    const end = m.end();
    if (!(f.skipEmpty && start === end)) {
      const captures: JqCapture[] = [];
      for (let g = 1; g <= m.groupCount(); g++) {
        const s = m.group(g);
        captures.push(
          s === null
            ? { offset: -1, length: 0, string: null, name: names[g] ?? null }
            : { offset: m.start(g), length: s.length, string: s, name: names[g] ?? null },
        );
      }
      out.push({ offset: start, length: end - start, string: text.slice(start, end), captures });
    }
    if (!f.global) break;
    from = end > start ? end : end + 1;
  }
  return out;
}

/** jq's capture: the named groups of a match as an object. */
export function captureObject(match: JqMatch): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of match.captures) if (c.name !== null) out[c.name] = c.string;
  return out;
}

/**
 * jq's sub/gsub: each match replaced by `replacement(captures)` (the replacement is a jq
 * expression run on the capture object, so "\(.name)" works where interpolation does).
 */
export function substitute(text: string, matches: JqMatch[], replacement: (match: JqMatch) => string): string {
  let out = "";
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.offset) + replacement(m);
    at = m.offset + m.length;
  }
  return out + text.slice(at);
}
