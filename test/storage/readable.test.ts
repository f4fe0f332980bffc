// Which internal-storage files an execution may read: one rule for read(), fileSize(), ForEachItem
// and the files API, with namespace files (plain paths, fileURI() URIs) next to execution files.
import { describe, expect, it } from "vitest";
import { mayRead } from "../../worker/storage/files";
import { NotReadable, readableKey } from "../../worker/storage/readable";

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

describe("readableKey", () => {
  it("maps a plain path and the flow namespace's fileURI() form to its namespace file, under the tenant", () => {
    expect(readableKey("t1", child, "a/b.txt")).toBe("t1/_files/qa.sub/a/b.txt");
    expect(readableKey("t1", child, "kestra:///qa/sub/_files/a/b.txt")).toBe("t1/_files/qa.sub/a/b.txt");
    expect(readableKey("t1", child, "kestra:///qa/sub/kid/executions/child1/x.txt")).toBe(
      "t1/qa/sub/kid/executions/child1/x.txt",
    );
  });

  it("reads a parent's file as an execution file even when its URI also reads as a namespace file", () => {
    const underFiles = {
      id: "c",
      namespace: "a",
      flowId: "kid",
      trigger: {
        type: "io.kestra.plugin.core.flow.Subflow",
        variables: { executionId: "p", namespace: "a._files", flowId: "dad" },
      },
    };
    expect(readableKey("t1", underFiles, "kestra:///a/_files/dad/executions/p/in.csv")).toBe(
      "t1/a/_files/dad/executions/p/in.csv",
    );
  });

  it("refuses other namespaces' files and other executions' files", () => {
    expect(() => readableKey("t1", child, "kestra:///qa/_files/a.txt")).toThrow(NotReadable);
    expect(() => readableKey("t1", child, "kestra:///qa/sub/kid/executions/other/x")).toThrow(NotReadable);
  });
});
