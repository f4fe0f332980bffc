// jq's regex functions (expressions/filters/jq-regex.ts): test, match, capture, sub and gsub with
// jq's flags, on RE2: linear in the input, and a pattern RE2 cannot run is a clear render error.
import { describe, expect, it } from "vitest";
import { RenderError, render } from "../../worker/expressions";

const jq = (input: string, program: string) =>
  render(`{{ inputs.v | jq(inputs.p) | toJson }}`, { inputs: { v: input, p: program } });

describe("jq regex functions", () => {
  it("match: the first match, or every one with g, as jq's match objects", async () => {
    expect(JSON.parse(await jq("foo bar foo", 'match("foo")'))).toEqual([
      { offset: 0, length: 3, string: "foo", captures: [] },
    ]);
    expect(JSON.parse(await jq("foo bar foo", '[match("foo"; "g") | .offset]'))).toEqual([[0, 8]]);
    expect(JSON.parse(await jq("xyz-14", 'match("(?<w>[a-z]+)-(\\\\d+)(x)?") | .captures'))).toEqual([
      [
        { offset: 0, length: 3, string: "xyz", name: "w" },
        { offset: 4, length: 2, string: "14", name: null },
        { offset: -1, length: 0, string: null, name: null },
      ],
    ]);
    // Empty matches advance: four positions in three characters.
    expect(JSON.parse(await jq("abc", '[match(""; "g")] | length'))).toEqual([4]);
  });

  it("capture: the named groups as an object", async () => {
    expect(JSON.parse(await jq("xyzzy-14", 'capture("(?<a>[a-z]+)-(?<n>[0-9]+)")'))).toEqual([{ a: "xyzzy", n: "14" }]);
  });

  it("test with flags, sub and gsub (the replacement is a jq expression on the captures)", async () => {
    expect(JSON.parse(await jq("ABC", 'test("b"; "i")'))).toEqual([true]);
    expect(JSON.parse(await jq("ABC", 'test("b")'))).toEqual([false]);
    expect(JSON.parse(await jq("abcabc", 'sub("b"; "X")'))).toEqual(["aXcabc"]);
    expect(JSON.parse(await jq("abcabc", 'gsub("b"; "X")'))).toEqual(["aXcaXc"]);
    expect(JSON.parse(await jq("abcABC", 'gsub("(?<l>b)"; .l + .l; "i")'))).toEqual(["abbcABBC"]);
  });

  it("runs a catastrophic pattern on a long input in linear time and refuses lookaround clearly", async () => {
    const long = `${"a".repeat(20_000)}!`;
    expect(JSON.parse(await jq(long, 'test("(a+)+$")'))).toEqual([false]);
    expect(JSON.parse(await jq(long, 'gsub("(a+)+"; "x")'))).toEqual(["x!"]);
    const refused = jq("ab", 'match("a(?=b)")');
    await expect(refused).rejects.toBeInstanceOf(RenderError);
    await expect(jq("ab", 'match("a(?=b)")')).rejects.toThrow("no lookaround");
    await expect(jq("ab", 'match("a"; "q")')).rejects.toThrow("not a valid modifier");
  });
});
