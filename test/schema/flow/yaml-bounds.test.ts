import { describe, expect, it } from "vitest";
import { parseFlow, parseFlowMany } from "../../../schema/flow";
import { examples } from "../../fixtures/examples";
import { reject } from "./helpers";

const header = "id: f\nnamespace: dev\n";

describe("bounded YAML parsing", () => {
  it("answers 413 for a source over 1 MiB, before parsing it", () => {
    const source = `${header}description: "${"x".repeat(1024 * 1024)}"\ntasks: [`;
    const result = parseFlow(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(413);
  });

  it("counts bytes, not characters, against the 1 MiB limit", () => {
    // 400k three-byte characters: 1.2 MB of UTF-8 in 400k UTF-16 units.
    const source = `${header}description: "${"€".repeat(400_000)}"\ntasks: []`;
    const result = parseFlow(source);
    expect(!result.ok && result.status).toBe(413);
  });

  it("refuses an alias bomb (billion laughs) with 422", () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const source = `${header}variables:\n${lines.map((l) => `  ${l}`).join("\n")}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    const violations = reject(source);
    expect(violations[0]?.message).toMatch(/alias/i);
  });

  it("still accepts a few ordinary anchors and aliases", () => {
    const source = `${header}variables:\n  base: &b {x: 1}\n  copy: *b\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    const result = parseFlow(source);
    expect(result.ok && result.flow.variables).toEqual({ base: { x: 1 }, copy: { x: 1 } });
  });

  it("refuses flow-style nesting deeper than 64 levels", () => {
    const source = `${header}variables:\n  deep: ${"[".repeat(5000)}${"]".repeat(5000)}\ntasks: []\n`;
    const violations = reject(source);
    expect(violations[0]?.message).toMatch(/deeper than 64/);
  });

  it("refuses block-style nesting deeper than 64 levels", () => {
    let block = "";
    for (let i = 0; i < 70; i++) block += `${"  ".repeat(i + 1)}k${i}:\n`;
    const source = `${header}variables:\n${block}${"  ".repeat(71)}v: 1\ntasks: []\n`;
    expect(reject(source)[0]?.message).toMatch(/deeper than 64/);
  });

  it("accepts nesting of 30 levels", () => {
    const deep = `${"[".repeat(30)}1${"]".repeat(30)}`;
    const source = `${header}variables:\n  deep: ${deep}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    expect(parseFlow(source).ok).toBe(true);
  });

  it("refuses a duplicated key, naming it with its line and column", () => {
    const source = `${header}tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: a\n    message: b\n`;
    const [v] = reject(source);
    expect(v).toMatchObject({ path: "tasks[0].message", line: 7, column: 5 });
    expect(v?.message).toMatch(/Duplicate key 'message'/);
  });

  it("reports YAML syntax errors with a position", () => {
    const [v] = reject(`${header}tasks: [\n  - id: x\n`);
    expect(v?.line).toBeGreaterThan(0);
  });

  it("refuses a source that is not a mapping", () => {
    expect(reject("- a\n- b\n")[0]?.message).toMatch(/mapping/);
  });

  it("refuses an empty source", () => {
    expect(reject("# nothing\n")[0]?.message).toMatch(/empty/);
  });

  it("refuses several documents in a single-flow source", () => {
    const violations = reject(`${examples.loop}\n---\n${examples.taskrun}`);
    expect(violations[0]).toMatchObject({ path: "", line: 21 });
  });
});

describe("parseFlowMany", () => {
  it("returns one result per non-empty document, with the document index", () => {
    const bad = `id: bad\nnamespace: dev\ntasks:\n  - id: t\n    type: nope.Nope\n`;
    const results = parseFlowMany(`${examples.loop}---\n${bad}---\n${examples.taskrun}---\n`);
    expect(results.map((r) => [r.index, r.result.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
    const second = results[1]?.result;
    // Lines count from the start of the whole source.
    expect(!second?.ok && second?.violations[0]).toMatchObject({ path: "tasks[0].type", line: 24, column: 5 });
    expect(results[2]?.result.ok && results[2].result.flow.id).toBe("taskrun");
  });

  it("refuses only the document that nests too deeply", () => {
    const deep = `id: deep\nnamespace: dev\nvariables: {v: ${"[".repeat(100)}${"]".repeat(100)}}\ntasks: []\n`;
    const results = parseFlowMany(`${examples.taskrun}---\n${deep}---\n${examples.loop}`);
    expect(results.map((r) => [r.index, r.result.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
  });

  it("answers a single 413 for an oversized bulk source", () => {
    const results = parseFlowMany(`a: "${"x".repeat(1024 * 1024 + 1)}"`);
    expect(results).toHaveLength(1);
    const only = results[0]?.result;
    expect(only && !only.ok && only.status).toBe(413);
  });
});
