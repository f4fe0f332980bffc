import { describe, expect, it } from "vitest";
import { parseFlow } from "../../../schema/flow";
import { accept, reject, violationAt } from "./helpers";

const wrap = (tasks: string, extra = "") => `id: f\nnamespace: dev\n${extra}tasks:\n${tasks}`;
const leaf = (id: string, indent = "  ") =>
  `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.log.Log\n${indent}  message: hi\n`;

describe("duplicate ids", () => {
  it("refuses a task id repeated at the top level, pointing at the second one", () => {
    const v = violationAt(wrap(leaf("a") + leaf("a")), "tasks[1].id");
    expect(v).toMatchObject({ line: 7, column: 5 });
    expect(v.message).toBe("Duplicate task id 'a' (first declared at tasks[0].id)");
  });

  it("refuses a task id repeated between a nested task and errors", () => {
    const src = wrap(
      `  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n${leaf("x", "      ")}`,
      `errors:\n${leaf("x")}`,
    );
    const v = violationAt(src, "errors[0].id");
    expect(v.message).toMatch(/'x'.*tasks\[0\]\.tasks\[0\]\.id/);
  });

  it("refuses ids repeated across finally, afterExecution, Switch cases/defaults, If then/else and Dag entries", () => {
    const cases: Array<[string, string]> = [
      [wrap(leaf("a"), `finally:\n${leaf("a")}`), "finally[0].id"],
      [wrap(leaf("a"), `afterExecution:\n${leaf("a")}`), "afterExecution[0].id"],
      [
        wrap(
          `  - id: sw\n    type: io.kestra.plugin.core.flow.Switch\n    value: v\n    cases:\n      v:\n${leaf("a", "        ")}    defaults:\n${leaf("a", "      ")}`,
        ),
        "tasks[0].defaults[0].id",
      ],
      [
        wrap(
          `  - id: i\n    type: io.kestra.plugin.core.flow.If\n    condition: x\n    then:\n${leaf("a", "      ")}    else:\n${leaf("a", "      ")}`,
        ),
        "tasks[0].else[0].id",
      ],
      [
        wrap(
          `${leaf("a")}  - id: d\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n      - task: { id: a, type: io.kestra.plugin.core.log.Log, message: x }\n`,
        ),
        "tasks[1].tasks[0].task.id",
      ],
      [wrap(leaf("sw") + leaf("b") + leaf("sw")), "tasks[2].id"],
    ];
    for (const [src, path] of cases) violationAt(src, path);
  });

  it("refuses duplicate trigger, input and output ids", () => {
    const triggers = `triggers:\n  - { id: t, type: io.kestra.plugin.core.trigger.Webhook, key: aaaaaaaa }\n  - { id: t, type: io.kestra.plugin.core.trigger.Webhook, key: bbbbbbbb }\n`;
    expect(violationAt(wrap(leaf("a"), triggers), "triggers[1].id").line).toBe(5);
    const inputs = "inputs:\n  - { id: x, type: STRING }\n  - { name: x, type: INT }\n";
    expect(violationAt(wrap(leaf("a"), inputs), "inputs[1].id").line).toBe(5);
    const outputs = "outputs:\n  - { id: o, type: STRING, value: a }\n  - { id: o, type: STRING, value: b }\n";
    violationAt(wrap(leaf("a"), outputs), "outputs[1].id");
  });

  it("allows the same id for a task and a trigger", () => {
    accept(wrap(leaf("a"), "triggers:\n  - { id: a, type: io.kestra.plugin.core.trigger.Webhook, key: kkkkkkkk }\n"));
  });
});

describe("Dag dependencies", () => {
  const dag = (entries: string) =>
    wrap(`  - id: dag\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n${entries}`);
  const entry = (id: string, deps?: string) =>
    `      - task: { id: ${id}, type: io.kestra.plugin.core.log.Log, message: x }\n${deps ? `        dependsOn: [${deps}]\n` : ""}`;

  it("accepts a diamond", () => {
    accept(dag(entry("a") + entry("b", "a") + entry("c", "a") + entry("d", "b, c")));
  });

  it("refuses a dependency on an unknown id, at that entry", () => {
    const v = violationAt(dag(entry("a") + entry("b", "a, zz")), "tasks[0].tasks[1].dependsOn[1]");
    expect(v).toMatchObject({ message: "Dag task 'b' depends on unknown task 'zz'", line: 9 });
  });

  it("refuses a cycle, naming it", () => {
    const violations = reject(dag(entry("a", "c") + entry("b", "a") + entry("c", "b")));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toBe("Cyclic dependency in Dag: a -> c -> b -> a");
    expect(violations[0]?.path).toBe("tasks[0].tasks[0].dependsOn");
  });

  it("refuses a task depending on itself", () => {
    expect(reject(dag(entry("a", "a")))[0]?.message).toMatch(/Cyclic dependency in Dag: a -> a/);
  });
});

describe("input dependsOn", () => {
  const inputs = (body: string) => wrap(leaf("t"), `inputs:\n${body}`);

  it("accepts dependencies on declared inputs", () => {
    accept(
      inputs(
        "  - { id: a, type: STRING }\n  - { id: b, type: STRING, dependsOn: { inputs: [a], condition: '{{ inputs.a == \"x\" }}' } }\n",
      ),
    );
  });

  it("refuses a dependency on an unknown input", () => {
    const v = violationAt(
      inputs("  - { id: a, type: STRING, dependsOn: { inputs: [nope] } }\n"),
      "inputs[0].dependsOn.inputs[0]",
    );
    expect(v).toMatchObject({ message: "Input 'a' depends on unknown input 'nope'", line: 4 });
  });

  it("refuses a dependency cycle", () => {
    const v = reject(
      inputs(
        "  - { id: a, type: STRING, dependsOn: { inputs: [b] } }\n  - { id: b, type: STRING, dependsOn: { inputs: [a] } }\n",
      ),
    );
    expect(v[0]).toMatchObject({
      path: "inputs[0].dependsOn",
      message: "Cyclic dependency between inputs: a -> b -> a",
    });
  });
});

describe("recursive subflow", () => {
  it("refuses a Subflow starting its own flow", () => {
    const src = wrap(
      "  - id: again\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: dev\n    flowId: f\n",
    );
    const v = violationAt(src, "tasks[0].flowId");
    expect(v).toMatchObject({ line: 7, column: 5 });
    expect(v.message).toMatch(/starts its own flow dev\.f/);
  });

  it("refuses it nested and with the old type name", () => {
    const src = wrap(
      "  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n      - { id: again, type: io.kestra.core.tasks.flows.Flow, namespace: dev, flowId: f }\n",
    );
    violationAt(src, "tasks[0].tasks[0].flowId");
  });

  it("accepts a Subflow to another flow of the same namespace", () => {
    accept(wrap("  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: dev\n    flowId: other\n"));
  });
});

describe("ids a ForEachItem reserves", () => {
  it("refuses a task id that clashes with a ForEachItem's generated _split/_items/_merge", () => {
    const result = parseFlow(`id: clash
namespace: qa
tasks:
  - id: each_items
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    namespace: qa
    flowId: child
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations[0]!.message).toContain("Duplicate task id 'each_items'");
    expect(result.violations[0]!.line).toBe(7);
  });
});
