// Replay from a task run answers as Kestra's does: a new execution carrying the original's state
// history then RESTARTED, the task runs the graph puts before the chosen one, the chosen one
// RESTARTED (a flowable: RUNNING) and its ancestors RUNNING; then it runs to the end. The flows and
// the counts are those of Kestra's documented replay behaviour (sequential, nested ForEach,
// nested Parallel).
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { runFlow, saveFlow, settled } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const states = (s: { histories: { state: string }[] }) => s.histories.map((h) => h.state);

async function replay(t: TestTenant, ex: ExecutionJson, taskRunId: string): Promise<ExecutionJson> {
  const res = await t.fetch(`executions/${ex.id}/replay?taskRunId=${taskRunId}`, { method: "POST" });
  expect(res.status).toBe(200);
  return (await res.json()) as ExecutionJson;
}

const find = (ex: ExecutionJson, taskId: string, value?: string) =>
  ex.taskRunList.find((r) => r.taskId === taskId && (value === undefined || r.value === value))!;

const SEQUENTIAL = `
id: logs
namespace: replay
tasks:
${[1, 2, 3, 4, 5].map((i) => `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }}"`).join("\n")}
`;

const FOREACH_NESTED = `
id: foreach-nested
namespace: replay
tasks:
  - id: each0
    type: io.kestra.plugin.core.flow.ForEach
    values: ["l1", "l2"]
    tasks:
      - id: each1
        type: io.kestra.plugin.core.flow.ForEach
        concurrencyLimit: 0
        values: ["d1", "d2", "d3"]
        tasks:
          - id: p1
            type: io.kestra.plugin.core.debug.Return
            format: "{{ parent.taskrun.value }}-{{ taskrun.value }}"
          - id: p2
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.p1[parent.taskrun.value][taskrun.value].value }}"
  - id: test
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.p1 | length }}"
`;

const ret = (id: string) => `    type: io.kestra.plugin.core.debug.Return\n    format: "${id}"`;
const PARALLEL_NESTED = `
id: parallel-nested
namespace: replay
tasks:
  - id: 1_par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: 1-1
    ${ret("1-1").replaceAll("\n", "\n    ")}
      - id: 1-2
    ${ret("1-2").replaceAll("\n", "\n    ")}
      - id: 1-3_par
        type: io.kestra.plugin.core.flow.Parallel
        tasks:
          - id: 1-3-1
        ${ret("1-3-1").replaceAll("\n", "\n        ")}
          - id: 1-3-2_par
            type: io.kestra.plugin.core.flow.Sequential
            tasks:
              - id: 1-3-2-1
            ${ret("1-3-2-1").replaceAll("\n", "\n            ")}
              - id: 1-3-2-2_end
            ${ret("1-3-2-2").replaceAll("\n", "\n            ")}
          - id: 1-3-3_end
        ${ret("1-3-3").replaceAll("\n", "\n        ")}
      - id: 1-4_end
    ${ret("1-4").replaceAll("\n", "\n    ")}
  - id: 2_end
${ret("2")}
`;

describe("replay from a task run", () => {
  it("carries the original's history then RESTARTED, keeps the runs before the chosen one, and marks it RESTARTED", async () => {
    const t = await createTenant();
    await saveFlow(t, SEQUENTIAL);
    const ex = await runFlow(t, "replay", "logs");
    expect(ex.taskRunList).toHaveLength(5);
    const answer = await replay(t, ex, ex.taskRunList[1]!.id);
    expect(answer.id).not.toBe(ex.id);
    expect(answer.parentId).toBe(ex.id);
    expect(answer.originalId).toBe(ex.originalId);
    expect(states(answer.state)).toEqual(["CREATED", "RUNNING", "SUCCESS", "RESTARTED"]);
    expect(answer.taskRunList).toHaveLength(2);
    expect(answer.taskRunList[1]!.state.current).toBe("RESTARTED");
    expect(states(answer.taskRunList[1]!.state)).toEqual(["CREATED", "RUNNING", "SUCCESS", "RESTARTED"]);
    expect(answer.taskRunList[1]!.id).not.toBe(ex.taskRunList[1]!.id);
    expect(answer.taskRunList[0]!.state).toEqual(ex.taskRunList[0]!.state);

    const done = await settled(t, answer.id, (e) => e.state.current === "SUCCESS");
    expect(done.taskRunList.map((r) => r.taskId)).toEqual(["t1", "t2", "t3", "t4", "t5"]);
    expect(states(done.state)).toEqual(["CREATED", "RUNNING", "SUCCESS", "RESTARTED", "RUNNING", "SUCCESS"]);
    // The chosen task run ran again: a second attempt.
    expect(find(done, "t2").attempts).toHaveLength(2);
  }, 30_000);

  it("replays one iteration of a nested ForEach as Kestra does (2 and 3 task runs kept of 16), then runs all 16", async () => {
    const t = await createTenant();
    await saveFlow(t, FOREACH_NESTED);
    const ex = await runFlow(t, "replay", "foreach-nested");
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList).toHaveLength(16);

    const fromLoop = await replay(t, ex, find(ex, "each1", "l1").id);
    expect(fromLoop.state.current).toBe("RESTARTED");
    expect(fromLoop.state.histories).toHaveLength(4);
    expect(fromLoop.taskRunList.map((r) => r.taskId)).toEqual(["each0", "each1"]);
    expect(find(fromLoop, "each1", "l1").state.current).toBe("RUNNING");
    expect(find(fromLoop, "each1", "l1").state.histories).toHaveLength(4);

    const p1 = ex.taskRunList.find(
      (r) => r.taskId === "p1" && r.value === "d1" && find(ex, "each1", "l1").id === r.parentTaskRunId,
    )!;
    const fromTask = await replay(t, ex, p1.id);
    expect(fromTask.taskRunList).toHaveLength(3);
    expect(find(fromTask, "each1", "l1").state.current).toBe("RUNNING");
    expect(find(fromTask, "each1", "l1").state.histories).toHaveLength(4);
    expect(find(fromTask, "p1").state.current).toBe("RESTARTED");

    for (const answer of [fromLoop, fromTask]) {
      const done = await settled(t, answer.id, (e) => e.state.current === "SUCCESS", 600);
      expect(done.taskRunList).toHaveLength(16);
      expect(find(done, "test").outputs).toEqual({ value: "2" });
    }
  }, 60_000);

  it("keeps a Parallel's other branches: 8 of 11 task runs for a nested Sequential, which is RUNNING again", async () => {
    const t = await createTenant();
    await saveFlow(t, PARALLEL_NESTED);
    const ex = await runFlow(t, "replay", "parallel-nested");
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList).toHaveLength(11);
    const answer = await replay(t, ex, find(ex, "1-3-2_par").id);
    expect(answer.state.histories).toHaveLength(4);
    expect(answer.taskRunList).toHaveLength(8);
    expect(answer.taskRunList.map((r) => r.taskId).sort()).toEqual(
      ["1_par", "1-1", "1-2", "1-3_par", "1-4_end", "1-3-1", "1-3-2_par", "1-3-3_end"].sort(),
    );
    expect(find(answer, "1-3-2_par").state.current).toBe("RUNNING");
    expect(find(answer, "1-3-2_par").state.histories).toHaveLength(4);
    const done = await settled(t, answer.id, (e) => e.state.current === "SUCCESS");
    expect(done.taskRunList).toHaveLength(11);
  }, 30_000);
});

describe("restart on another revision", () => {
  it("starts a new execution of that revision with the failed task run RESTARTED, the rest kept; 422 when nothing failed", async () => {
    const t = await createTenant();
    const v1 = `
id: fixme
namespace: replay
tasks:
  - id: ok
    type: io.kestra.plugin.core.debug.Return
    format: fine
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: broken
        type: io.kestra.plugin.core.execution.Fail
errors:
  - id: handler
    type: io.kestra.plugin.core.log.Log
    message: handled
`;
    await saveFlow(t, v1);
    const failed = await runFlow(t, "replay", "fixme");
    expect(failed.state.current).toBe("FAILED");
    const fixed = await t.fetch("flows/replay/fixme", {
      method: "PUT",
      headers: { "Content-Type": "application/x-yaml" },
      body: v1.replace(
        "type: io.kestra.plugin.core.execution.Fail",
        "type: io.kestra.plugin.core.debug.Return\n        format: fixed",
      ),
    });
    expect(fixed.status).toBe(200);

    const res = await t.fetch(`executions/${failed.id}/restart?revision=2`, { method: "POST" });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as ExecutionJson;
    expect(answer.id).not.toBe(failed.id);
    expect(answer.parentId).toBe(failed.id);
    expect(answer.flowRevision).toBe(2);
    expect(states(answer.state)).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED"]);
    expect(answer.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([
      ["ok", "SUCCESS"],
      ["seq", "RUNNING"],
      ["broken", "RESTARTED"],
    ]);
    const done = await settled(t, answer.id, (e) => e.state.current === "SUCCESS");
    expect(find(done, "broken").outputs).toEqual({ value: "fixed" });
    expect(done.taskRunList.some((r) => r.taskId === "handler")).toBe(false);
    expect(find(done, "ok").attempts).toHaveLength(1);

    const nothing = await t.fetch(`executions/${done.id}/restart?revision=2`, { method: "POST" });
    expect(nothing.status).toBe(422);
    expect(await nothing.json()).toMatchObject({ message: "No task found to restart execution from!" });
    expect((await t.fetch(`executions/${failed.id}/restart?revision=9`, { method: "POST" })).status).toBe(404);
  }, 30_000);
});
