// Owns how a tenant's regular expression is read: RE2 syntax (re2js, linear-time matching), with
// Java's `\uXXXX` escape that Kestra flows use, and at most MAX_PATTERN_LENGTH characters. The flow
// validator checks the patterns a flow states outright (input validators, REGEX filters) when the
// flow is saved; worker/expressions/regex.ts compiles every pattern, rendered ones too, the same way.
import { RE2JS } from "re2js";

/** Longest pattern accepted; compiling is linear in it too, but a pattern is code, not data. */
export const MAX_PATTERN_LENGTH = 4096;

/** Java's `\uXXXX` escape (common in Kestra flows) as RE2's `\x{XXXX}`; other escapes unchanged. */
export function re2Source(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const hex = /^u([0-9a-fA-F]{4})/.exec(source.slice(i + 1, i + 6));
    if (hex) {
      out += `\\x{${hex[1]}}`;
      i += 5;
    } else {
      out += source.slice(i, i + 2);
      i++;
    }
  }
  return out;
}

/** Compiles the pattern, or throws an Error whose message says why RE2 cannot run it. */
export function compileRe2(source: string): RE2JS {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new Error(`Regular expression is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  try {
    return RE2JS.compile(re2Source(source));
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^error parsing regexp: /, "") : String(e);
    throw new Error(
      `Regular expression \`${source}\` cannot be used: ${why} (patterns run on RE2: no lookaround or backreferences)`,
    );
  }
}

/** Why the pattern cannot be used, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  try {
    compileRe2(source);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
