// Render failures end to end (spec §3.4, §10.8, issue 4's budget rule): an unknown variable fails
// exactly the task (or flowable) that renders it, with a message naming it; a hostile template
// fails its task on the render budget while another execution runs on unaffected.
import { describe, expect, it } from "vitest";
import { getExecution, logsOf, runFlow, saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";
import { flowSource, ran, runSource, states } from "./run";

const LOG = "io.kestra.plugin.core.log.Log";

describe("unknown variables", () => {
  it("fail exactly the task that renders one; a parallel sibling still succeeds", async () => {
    const r = await runSource(
      "render_error",
      `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: bad
        type: ${LOG}
        message: "value: {{ outputs.nowhere.value }}"
      - id: good
        type: ${LOG}
        message: fine
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "bad")).toEqual(["FAILED"]);
    expect(states(r, "good")).toEqual(["SUCCESS"]);
    const message = (await r.logs("bad")).join("\n");
    expect(message).toContain("nowhere");
    expect(message).toContain("{{ outputs.nowhere.value }}");
    expect(await r.logs("good")).toEqual(["fine"]);
  });

  it("fail a Switch whose value names one, before any case runs", async () => {
    const r = await runSource(
      "switch_render_error",
      `
tasks:
  - id: sw
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.missing }}"
    cases:
      a:
        - id: a
          type: ${LOG}
          message: a
    defaults:
      - id: d
        type: ${LOG}
        message: d
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.state.current}`)).toEqual(["sw:FAILED"]);
    expect((await r.logs("sw")).join("\n")).toContain("inputs");
  });

  it("fail a ForEach whose values name one, and the flow's errors still run", async () => {
    const r = await runSource(
      "foreach_render_error",
      `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ vars.nope }}"
    tasks:
      - id: x
        type: ${LOG}
        message: x
errors:
  - id: handler
    type: ${LOG}
    message: "{{ task.id }}"
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "each")).toEqual(["FAILED"]);
    expect(r.runs("x")).toHaveLength(0);
    expect((await r.logs("each")).join("\n")).toContain("nope");
    expect(await r.logs("handler")).toEqual(["handler"]);
  });

  it("fail an If whose condition names one", async () => {
    const r = await runSource(
      "if_render_error",
      `
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ unknown_flag }}"
    then:
      - id: t
        type: ${LOG}
        message: t
`,
    );
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.state.current}`)).toEqual(["check:FAILED"]);
    expect((await r.logs("check")).join("\n")).toContain("unknown_flag");
  });
});

describe("hostile templates", () => {
  const hostile = [
    ["a huge range loop", "{% for i in range(0, 100000000) %}x{% endfor %}"],
    ["nested loops", "{% for i in range(0, 5000) %}{% for j in range(0, 5000) %}x{% endfor %}{% endfor %}"],
  ] as const;
  for (const [what, template] of hostile) {
    it(`${what} fails that task with a budget message while another execution runs unaffected`, async () => {
      const tenant = await createTenant();
      await saveFlow(
        tenant,
        flowSource(
          "hostile",
          `
tasks:
  - id: bomb
    type: ${LOG}
    message: "${template}"
  - id: never
    type: ${LOG}
    message: never
`,
        ),
      );
      await saveFlow(
        tenant,
        flowSource(
          "bystander",
          `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2, 3]
    tasks:
      - id: log
        type: ${LOG}
        message: "{{ taskrun.value }}"
`,
        ),
      );
      const started = Date.now();
      const [bad, good] = await Promise.all([
        runFlow(tenant, "flowables.test", "hostile"),
        runFlow(tenant, "flowables.test", "bystander"),
      ]);
      const r = await ran(tenant, bad);
      expect(bad.state.current).toBe("FAILED");
      expect(states(r, "bomb")).toEqual(["FAILED"]);
      expect(r.runs("never")).toHaveLength(0);
      expect((await r.logs("bomb")).join("\n")).toMatch(/Render budget exceeded/);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(good.state.current).toBe("SUCCESS");
      expect((await logsOf(tenant, good.id)).map((l) => l.message)).toEqual(["1", "2", "3"]);
      // The failed execution's Durable Object still answers.
      expect((await getExecution(tenant, bad.id)).state.current).toBe("FAILED");
    });
  }
});
