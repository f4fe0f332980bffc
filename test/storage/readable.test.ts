// Which internal-storage files an execution may read: one rule for read(), ForEachItem and the
// files API.
import { describe, expect, it } from "vitest";
import { mayRead } from "../../worker/storage/files";

const child = {
  id: "child1",
  namespace: "qa.sub",
  flowId: "kid",
  trigger: {
    type: "io.kestra.plugin.core.flow.Subflow",
    variables: { executionId: "parent1", namespace: "qa", flowId: "dad" },
  },
};

describe("mayRead", () => {
  it("allows the execution's own files and its Subflow parent's", () => {
    expect(mayRead(child, "kestra:///qa/sub/kid/executions/child1/tasks/t/r/out.txt")).toBe(true);
    expect(mayRead(child, "kestra:///qa/dad/executions/parent1/inputs/file/data.csv")).toBe(true);
  });

  it("refuses another execution's files, even with the id elsewhere in the path", () => {
    expect(mayRead(child, "kestra:///qa/sub/kid/executions/other/tasks/t/r/out.txt")).toBe(false);
    expect(mayRead(child, "kestra:///qa/sub/kid/executions/other/executions/child1/x")).toBe(false);
  });

  it("does not open the upstream's files to an execution started by a Flow trigger", () => {
    const triggered = { ...child, trigger: { ...child.trigger, type: "io.kestra.plugin.core.trigger.Flow" } };
    expect(mayRead(triggered, "kestra:///qa/dad/executions/parent1/inputs/file/data.csv")).toBe(false);
  });
});
