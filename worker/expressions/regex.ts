// Owns every regular expression a tenant supplies: Pebble's `replace(…, true)`, jq's `test`,
// input `validator`s, Flow trigger REGEX conditions and date-parsing patterns. They all compile
// here with RE2 (re2js), whose matching time is linear in the input, because a backtracking engine
// lets 32 characters of input against `(a+)+$` occupy the isolate, and every tenant in it, for
// seconds. RE2 has no lookaround and no backreferences; such a pattern is refused with a clear
// message instead of being run.
import type { RE2JS } from "re2js";
import { compileRe2 } from "../../schema/flow/patterns";

/** A pattern RE2 cannot run, or that is too long to compile. */
export class PatternError extends Error {
  override name = "PatternError";
}

const CACHE_SIZE = 256;
const cache = new Map<string, RE2JS>();

/** The compiled pattern (cached per source); throws PatternError naming what RE2 refused. */
export function compilePattern(source: string): RE2JS {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  let compiled: RE2JS;
  try {
    compiled = compileRe2(source);
  } catch (e) {
    throw new PatternError((e as Error).message);
  }
  cache.set(source, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** Whether the pattern matches anywhere in the text (JavaScript's `RegExp.test`, jq's `test`). */
export function findsIn(source: string, text: string): boolean {
  return compilePattern(source).test(text);
}

/** Whether the pattern matches the whole text (Java's `String.matches`). */
export function matchesWhole(source: string, text: string): boolean {
  return compilePattern(source).testExact(text);
}

/** Every match replaced; `$1`, `$<name>`, `$&` and `$$` in the replacement as in JavaScript. */
export function replaceAllMatches(source: string, text: string, replacement: string): string {
  return compilePattern(source).matcher(text).replaceAll(replacement);
}

/** The groups of the first match (index 0 = the whole match), or null. */
export function firstMatch(source: string, text: string): (string | null)[] | null {
  const m = compilePattern(source).matcher(text);
  if (!m.find()) return null;
  const groups: (string | null)[] = [];
  for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i));
  return groups;
}
