import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RenderError, render } from "../../worker/expressions";
import { compilePattern, findsIn, matchesWhole, PatternError, replaceAllMatches } from "../../worker/expressions/regex";

// `(a+)+$` against 28 `a` and a `!` already takes 13 s on a backtracking engine (V8's irregexp) and
// each further `a` doubles it: with 40 these tests never end unless the pattern runs in linear time.
const EVIL = "(a+)+$";
const VICTIM = `${"a".repeat(40)}!`;

describe("user-supplied regular expressions run on RE2", () => {
  it("replace(…, regexp=true) with a catastrophic pattern answers at once", async () => {
    const out = await render(`{{ s | replace({'${EVIL}': 'x'}, regexp=true) }}`, { s: VICTIM });
    expect(out).toBe(VICTIM);
  });

  it("jq's test() with a catastrophic pattern answers at once", async () => {
    const out = await render(`{{ s | jq('test("${EVIL}")') | first }}`, { s: VICTIM });
    expect(out).toBe("false");
  });

  it("a whole-value match (input validator, REGEX condition) with a catastrophic pattern answers at once", () => {
    expect(matchesWhole("(a|aa)+", VICTIM)).toBe(false);
    expect(matchesWhole("(a|aa)+", "a".repeat(26))).toBe(true);
  });

  it("a date parsed with many unbounded text fields in a row does not backtrack", async () => {
    // `EzEzEzEz` compiles to eight adjacent `([A-Za-z]+)`-like groups: polynomial backtracking.
    const err = await render("{{ s | date('yyyy', existingFormat='EzEzEzEz') }}", { s: `${"a".repeat(3000)}1` }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RenderError);
    expect((err as Error).message).toContain("could not be parsed");
  });

  it("a pattern RE2 cannot run (lookaround, backreference) is a render error that says why", async () => {
    for (const pattern of ["a(?=b)", "(a)\\\\1"]) {
      const err = await render(`{{ 'ab' | replace({'${pattern}': 'x'}, regexp=true) }}`, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenderError);
      expect((err as Error).message).toContain("RE2");
    }
    const jq = await render(`{{ 'ab' | jq('test("a(?!b)")') }}`, {}).catch((e: unknown) => e);
    expect(jq).toBeInstanceOf(RenderError);
    expect((jq as Error).message).toContain("cannot be used");
  });

  it("refuses a pattern longer than the limit", () => {
    expect(() => compilePattern("a".repeat(5000))).toThrow(PatternError);
  });

  it("reads Java's \\uXXXX escape", () => {
    expect(findsIn("caf\\u00e9", "un café")).toBe(true);
    expect(findsIn("\\\\u00e9", "\\u00e9")).toBe(true);
  });

  it("replacement groups work as with JavaScript's replace", () => {
    expect(replaceAllMatches("(\\w+)@(\\w+)", "joe@host", "$2 at $1 [$&] $$")).toBe("host at joe [joe@host] $");
  });

  it("agrees with JavaScript's RegExp on patterns both can run (property)", () => {
    const atom = fc.constantFrom("a", "b", ".", "[ab]", "\\d", "(a|b)", "(?:ab)", "[^a]", "\\w", "x");
    const quant = fc.constantFrom("", "*", "+", "?", "{1,2}", "*?", "+?");
    const pattern = fc
      .array(fc.tuple(atom, quant), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.map(([a, q]) => a + q).join(""));
    const text = fc.stringMatching(/^[abx1 ]{0,12}$/);
    fc.assert(
      fc.property(pattern, text, (p, s) => {
        expect(findsIn(p, s)).toBe(new RegExp(p).test(s));
        expect(matchesWhole(p, s)).toBe(new RegExp(`^(?:${p})$`).test(s));
        expect(replaceAllMatches(p, s, "<$&>")).toBe(s.replace(new RegExp(p, "g"), "<$&>"));
      }),
      { numRuns: 500 },
    );
  });
});
