import { describe, expect, it } from "vitest";
import { parseFlow } from "../../../schema/flow";
import { examples } from "../../fixtures/examples";

describe("example flows (schema/examples)", () => {
  it("ships the seven example flows, read from schema/examples", () => {
    expect(Object.keys(examples).sort()).toEqual([
      "each_switch",
      "hello-world",
      "loop",
      "loop_parent",
      "loop_parents",
      "myflow",
      "taskrun",
    ]);
  });

  for (const [name, source] of Object.entries(examples)) {
    it(`accepts ${name}.yaml unchanged`, () => {
      const result = parseFlow(source);
      expect(result.ok ? [] : result.violations).toEqual([]);
      expect(result.ok).toBe(true);
    });
  }

  it("stores hello-world's older type names in their canonical form", () => {
    const result = parseFlow(examples["hello-world"] ?? "");
    expect(result.ok && result.flow.tasks[0]?.type).toBe("io.kestra.plugin.core.log.Log");
    expect(result.ok && result.flow.triggers?.[0]).toEqual({
      id: "webhook",
      type: "io.kestra.plugin.core.trigger.Webhook",
      key: "test1234",
    });
    expect(result.ok && result.flow.inputs).toEqual([{ id: "greeting", type: "STRING", defaults: "hey" }]);
  });
});
