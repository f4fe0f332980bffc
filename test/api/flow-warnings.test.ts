// Save-time warnings (beyond Kestra): saving and validating a flow that names an undeclared input,
// the outputs of a task it does not have, or an unknown variable root answers warnings with the
// line and column of the value; the flow still saves, and running it still fails at that task.
import { describe, expect, it } from "vitest";
import { parseFlow } from "../../schema/flow";
import { flowWarnings } from "../../worker/expressions/flow-lint";
import { examples } from "../fixtures/examples";
import { runFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const yaml = (body: string): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/x-yaml" },
  body,
});

const MISTAKES = `id: oops
namespace: warn
inputs:
  - id: name
    type: STRING
    defaults: x
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.nmae }} {{ inputs.name }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.helo.value }} {{ outputs.hello ?? 'none' }}"
  - id: root
    type: io.kestra.plugin.core.debug.Return
    format: "{% for n in [1, 2] %}{{ n }}{% endfor %} {{ varz.a }} {{ inputs.missing is defined }}"
`;

const CLEAN = `id: clean
namespace: warn
inputs:
  - id: n
    type: INT
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: [a]
    tasks:
      - id: each
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }} {{ parent.taskrun.value ?? '' }} {{ outputs.loop ?? '' }} {{ inputs.n }} {{ flow.id }} {{ execution.id }} {{ vars ?? '' }} {{ envs.region }} {{ globals.string }} {{ now() }}"
  - id: split
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.each['a'].value }}"
    filterCondition: "{{ some_field == 1 }}"
`;

describe("save-time warnings", () => {
  it("names each mistake with its line and column on save and validate; the flow saves and fails when run", async () => {
    const t = await createTenant();
    const saved = await t.fetch("flows", yaml(MISTAKES));
    expect(saved.status).toBe(200);
    const body = (await saved.json()) as {
      warningDetails: { path: string; message: string; line: number; column: number }[];
    };
    expect(body.warningDetails).toEqual([
      { path: "tasks[0].message", message: "Input 'nmae' is not declared by the flow", line: 10, column: 14 },
      {
        path: "tasks[1].format",
        message: "No task 'helo' in the flow: outputs.helo cannot exist",
        line: 13,
        column: 13,
      },
      { path: "tasks[2].format", message: "Unknown variable 'varz'", line: 16, column: 13 },
    ]);
    const validated = await t.fetch("flows/validate", yaml(MISTAKES));
    const [report] = (await validated.json()) as { warnings: string[]; constraints?: string }[];
    expect(report?.constraints).toBeUndefined();
    expect(report?.warnings).toHaveLength(3);
    expect(report?.warnings[0]).toBe("tasks[0].message (line 10, column 14): Input 'nmae' is not declared by the flow");
    const ex = await runFlow(t, "warn", "oops");
    expect(ex.state.current).toBe("FAILED");
  });

  it("says nothing of a flow whose expressions all resolve (loop variables, ?? and item-scoped properties included)", async () => {
    const t = await createTenant();
    const saved = (await (await t.fetch("flows", yaml(CLEAN))).json()) as Record<string, unknown>;
    expect(saved.warnings).toBeUndefined();
    const [report] = (await (await t.fetch("flows/validate", yaml(CLEAN))).json()) as Record<string, unknown>[];
    expect(report).toEqual({ index: 0, flow: "clean", namespace: "warn" });
  });
});

describe("save-time warnings on the shipped examples", () => {
  it("finds nothing to say about any example flow", () => {
    for (const [name, source] of Object.entries(examples)) {
      const parsed = parseFlow(source);
      if (!parsed.ok) throw new Error(`${name} does not parse`);
      expect(flowWarnings(source, parsed.flow), name).toEqual([]);
    }
  });
});
