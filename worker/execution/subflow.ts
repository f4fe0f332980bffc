// The Subflow task (spec §5): plans and starts its one child through launch/children.ts (shared
// with ForEachItem, which starts many) and turns the outcome into the engine's event. The child
// tells this execution's Durable Object when it ends (see durable-object.ts, notices).
import { applyPluginDefaults } from "../../schema/flow/defaults";
import type { EngineEvent } from "../engine/types";
import { derivedId } from "../ids";
import { childInputs, planChildren, startChild } from "../launch/children";
import type { RunnerHost } from "./host";
import { renderScope } from "./runner";

const SUBFLOW = "io.kestra.plugin.core.flow.Subflow";

export async function startSubflow(host: RunnerHost, taskRunId: string): Promise<EngineEvent> {
  const { machine, env } = host;
  const run = machine.taskRun(taskRunId)!;
  const task = applyPluginDefaults(machine.taskOf(run), machine.state.flow);
  const parent = machine.execution;
  // Errors leave the run: masked like a runnable task's, once the masker knows the SECRET inputs.
  let mask = (text: string) => text;
  const fail = (error: string): EngineEvent => ({
    type: "task-result",
    taskRunId,
    result: { state: "FAILED", error: mask(error) },
  });
  try {
    const { vars, svc } = await renderScope(host, run);
    mask = (text) => svc.masker.mask(text);
    const plan = await planChildren(env, parent, task, vars, svc, { id: task.id, type: SUBFLOW });
    if (typeof plan === "string") return fail(plan);
    const inputs = await childInputs(plan, task.inputs, vars, svc);
    if (typeof inputs === "string") return fail(inputs);
    const id = await derivedId(taskRunId, `subflow:${run.attempts.length}`);
    const child = await startChild(env, parent, plan, { id, inputs, taskRunId });
    if (!plan.wait) {
      return { type: "task-result", taskRunId, result: { state: "SUCCESS", outputs: { executionId: child.id } } };
    }
    return { type: "subflow-started", taskRunId, executionId: child.id };
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}
