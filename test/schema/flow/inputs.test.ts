import { describe, expect, it } from "vitest";
import { accept, violationAt } from "./helpers";

const withInputs = (body: string) =>
  `id: f\nnamespace: dev\ninputs:\n${body}tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

describe("inputs", () => {
  it("accepts every input type with its own fields", () => {
    const f = accept(
      withInputs(`  - { id: s, type: STRING, validator: "^[a-z]+$", defaults: abc, displayName: S, description: d }
  - { id: e, type: ENUM, values: [a, b] }
  - { id: sel, type: SELECT, values: [a], allowCustomValue: true }
  - { id: sel2, type: SELECT, expression: "{{ kv('x') }}" }
  - { id: ms, type: MULTISELECT, values: [a, b] }
  - { id: i, type: INT, min: 1, max: 10, required: false }
  - { id: fl, type: FLOAT, min: 0.5 }
  - { id: b, type: BOOLEAN, defaults: true }
  - { id: b2, type: BOOL }
  - { id: dt, type: DATETIME, after: "2024-01-01T00:00:00Z", before: "2025-01-01T00:00:00Z" }
  - { id: d, type: DATE }
  - { id: tm, type: TIME }
  - { id: du, type: DURATION, min: PT1S, max: PT1H }
  - { id: file, type: FILE, extension: .csv }
  - { id: j, type: JSON }
  - { id: y, type: YAML }
  - { id: u, type: URI }
  - { id: sec, type: SECRET }
  - { id: arr, type: ARRAY, itemType: INT }
  - { id: mail, type: EMAIL }
  - { id: nested.key, type: STRING, prefill: x }
`),
    );
    expect(f.inputs?.map((i) => i.type)).toHaveLength(21);
    expect(f.inputs?.[0]).toEqual({
      id: "s",
      type: "STRING",
      validator: "^[a-z]+$",
      defaults: "abc",
      displayName: "S",
      description: "d",
    });
  });

  it("folds the deprecated name into id", () => {
    const f = accept(withInputs("  - name: old\n    type: STRING\n"));
    expect(f.inputs?.[0]).toEqual({ id: "old", type: "STRING" });
  });

  it("requires an id (or name)", () => {
    expect(violationAt(withInputs("  - type: STRING\n"), "inputs[0].id").line).toBe(4);
  });

  it("refuses a field that belongs to another input type", () => {
    const v = violationAt(withInputs("  - id: s\n    type: STRING\n    min: 3\n"), "inputs[0].min");
    expect(v).toMatchObject({ message: "Unknown property 'min'", line: 6, column: 5 });
  });

  it("refuses an unknown input type", () => {
    expect(violationAt(withInputs("  - id: s\n    type: TEXT\n"), "inputs[0].type").line).toBe(5);
  });

  it("requires values for ENUM, values or expression for SELECT, itemType for ARRAY", () => {
    violationAt(withInputs("  - { id: e, type: ENUM }\n"), "inputs[0].values");
    violationAt(withInputs("  - { id: e, type: SELECT }\n"), "inputs[0].values");
    violationAt(withInputs("  - { id: e, type: ARRAY }\n"), "inputs[0].itemType");
  });

  it("refuses an invalid input id and a non-duration DURATION bound", () => {
    violationAt(withInputs("  - { id: _x, type: STRING }\n"), "inputs[0].id");
    violationAt(withInputs("  - { id: d, type: DURATION, min: 5s }\n"), "inputs[0].min");
  });

  it("requires an output value and a known output type", () => {
    const src = (o: string) => withInputs("  - { id: s, type: STRING }\n").replace("tasks:", `outputs:\n${o}tasks:`);
    violationAt(src("  - { id: o, type: STRING }\n"), "outputs[0].value");
    violationAt(src("  - { id: o, type: TEXT, value: x }\n"), "outputs[0].type");
  });
});
