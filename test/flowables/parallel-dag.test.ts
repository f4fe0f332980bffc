// Parallel and Dag end to end (spec §3.3, §5, §10.13): early failure with and without an errors
// branch, `concurrent` ordering, Dag dependency order, and Dag cycles / unknown ids refused at save.
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenant";
import { flowSource, type RunJson, runSource, states } from "./run";

const LOG = "io.kestra.plugin.core.log.Log";
const SLEEP = "io.kestra.plugin.core.flow.Sleep";
const FAIL = "io.kestra.plugin.core.execution.Fail";
const PARALLEL = "io.kestra.plugin.core.flow.Parallel";
const DAG = "io.kestra.plugin.core.flow.Dag";

const created = (r: RunJson) => r.state.histories[0]!.date;
const ended = (r: RunJson) => r.state.histories[r.state.histories.length - 1]!.date;

describe("Parallel", () => {
  it("fails as soon as one child fails, without waiting for a sibling still running", async () => {
    const r = await runSource(
      "parallel_early",
      `
tasks:
  - id: par
    type: ${PARALLEL}
    tasks:
      - id: slow
        type: ${SLEEP}
        duration: PT2S
      - id: boom
        type: ${FAIL}
        errorMessage: boom
  - id: never
    type: ${LOG}
    message: never
errors:
  - id: flow_handler
    type: ${LOG}
    message: "handled"
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "par")).toEqual(["FAILED"]);
    expect(states(r, "boom")).toEqual(["FAILED"]);
    expect(r.runs("never")).toHaveLength(0);
    const par = r.run("par");
    const slow = r.run("slow");
    // The Parallel ended while `slow` still had most of its two seconds to go.
    expect(Date.parse(ended(par)) - Date.parse(created(slow))).toBeLessThan(1500);
    // Dates are whole milliseconds, and one busy turn can stamp both with the same one.
    expect(created(r.run("flow_handler")) <= ended(slow)).toBe(true);
    expect(await r.logs("flow_handler")).toEqual(["handled"]);
  });

  it("with an errors branch: the branch starts as soon as a child fails and the Parallel ends FAILED", async () => {
    const r = await runSource(
      "parallel_errors",
      `
tasks:
  - id: par
    type: ${PARALLEL}
    tasks:
      - id: slow
        type: ${SLEEP}
        duration: PT2S
      - id: boom
        type: ${FAIL}
    errors:
      - id: first
        type: ${LOG}
        message: "first {{ task.id }}"
      - id: second
        type: ${LOG}
        message: "second"
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "par")).toEqual(["FAILED"]);
    const first = r.run("first");
    const second = r.run("second");
    expect(first.parentTaskRunId).toBe(r.run("par").id);
    // errors run sequentially even inside a Parallel
    expect(created(second) >= ended(first)).toBe(true);
    // No later than the killed sibling ends: dates are whole milliseconds and one turn can stamp both alike.
    expect(created(first) <= ended(r.run("slow"))).toBe(true);
    expect(Date.parse(ended(r.run("par"))) - Date.parse(created(r.run("slow")))).toBeLessThan(1500);
    expect(await r.logs("first")).toEqual(["first first"]);
  });

  it("concurrent: 1 runs the children one by one in declaration order", async () => {
    const r = await runSource(
      "parallel_one",
      `
tasks:
  - id: par
    type: ${PARALLEL}
    concurrent: 1
    tasks:
      - id: a
        type: ${SLEEP}
        duration: PT0.1S
      - id: b
        type: ${SLEEP}
        duration: PT0.1S
      - id: c
        type: ${LOG}
        message: c
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["par", "a", "b", "c"]);
    expect(created(r.run("b")) >= ended(r.run("a"))).toBe(true);
    expect(created(r.run("c")) >= ended(r.run("b"))).toBe(true);
    expect(r.ex.taskRunList.slice(1).every((x) => x.parentTaskRunId === r.run("par").id)).toBe(true);
  });

  it("without concurrent, every child starts at once", async () => {
    const r = await runSource(
      "parallel_all",
      `
tasks:
  - id: par
    type: ${PARALLEL}
    tasks:
      - id: a
        type: ${SLEEP}
        duration: PT0.2S
      - id: b
        type: ${SLEEP}
        duration: PT0.2S
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(created(r.run("a"))).toBe(created(r.run("b")));
    expect(created(r.run("b")) < ended(r.run("a"))).toBe(true);
  });
});

// ENGINE BUG (reported to the lead): the schema accepts a `{{ }}` template for Parallel/Dag
// `concurrent` (templInt), but worker/engine/nexts.ts `count` never renders it: Number("{{ 1 }}")
// is NaN, so the limit silently becomes 0 (unlimited). Unskip once it is rendered or refused.
describe("Parallel concurrent as a template", () => {
  it("'{{ 1 }}' is rendered and runs the children one by one", async () => {
    const r = await runSource(
      "parallel_template",
      `
tasks:
  - id: par
    type: ${PARALLEL}
    concurrent: "{{ 1 }}"
    tasks:
      - id: a
        type: ${SLEEP}
        duration: PT0.2S
      - id: b
        type: ${SLEEP}
        duration: PT0.2S
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(created(r.run("b")) >= ended(r.run("a"))).toBe(true);
  });
});

describe("Dag", () => {
  it("starts a task once all it depends on ended; independent ones together", async () => {
    const r = await runSource(
      "dag_order",
      `
tasks:
  - id: dag
    type: ${DAG}
    tasks:
      - task:
          id: last
          type: ${LOG}
          message: "{{ outputs.left.value }}+{{ outputs.right.value }}"
        dependsOn: [left, right]
      - task:
          id: left
          type: io.kestra.plugin.core.debug.Return
          format: L
        dependsOn: [root]
      - task:
          id: right
          type: io.kestra.plugin.core.debug.Return
          format: R
        dependsOn: [root]
      - task:
          id: root
          type: ${SLEEP}
          duration: PT0.1S
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["dag", "root", "left", "right", "last"]);
    expect(created(r.run("left"))).toBe(created(r.run("right")));
    expect(created(r.run("left")) >= ended(r.run("root"))).toBe(true);
    expect(await r.logs("last")).toEqual(["L+R"]);
  });

  it("concurrent: 1 runs ready tasks one at a time", async () => {
    const r = await runSource(
      "dag_one",
      `
tasks:
  - id: dag
    type: ${DAG}
    concurrent: 1
    tasks:
      - task:
          id: a
          type: ${SLEEP}
          duration: PT0.1S
      - task:
          id: b
          type: ${SLEEP}
          duration: PT0.1S
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(created(r.run("b")) >= ended(r.run("a"))).toBe(true);
  });

  it("a cycle is refused at save time with 422 and the path of the offending dependsOn", async () => {
    const tenant = await createTenant();
    const res = await tenant.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: flowSource(
        "dag_cycle",
        `
tasks:
  - id: dag
    type: ${DAG}
    tasks:
      - task:
          id: a
          type: ${LOG}
          message: a
        dependsOn: [b]
      - task:
          id: b
          type: ${LOG}
          message: b
        dependsOn: [a]
`,
      ),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; details: { path: string; message: string }[] };
    expect(body.details[0]?.path).toBe("tasks[0].tasks[0].dependsOn");
    expect(body.details[0]?.message).toMatch(/Cyclic dependency.*a -> b -> a/);
    expect((await tenant.fetch("flows/flowables.test/dag_cycle")).status).toBe(404);
  });

  it("an unknown id in dependsOn is refused at save time with 422 and its path", async () => {
    const tenant = await createTenant();
    const res = await tenant.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: flowSource(
        "dag_unknown",
        `
tasks:
  - id: dag
    type: ${DAG}
    tasks:
      - task:
          id: a
          type: ${LOG}
          message: a
      - task:
          id: b
          type: ${LOG}
          message: b
        dependsOn: [a, ghost]
`,
      ),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; details: { path: string; message: string }[] };
    expect(body.details[0]?.path).toBe("tasks[0].tasks[1].dependsOn[1]");
    expect(body.details[0]?.message).toContain("ghost");
  });
});
