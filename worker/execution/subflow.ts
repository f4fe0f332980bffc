// The Subflow task (spec §5): renders which flow to start and with what, and starts the child
// execution with a stable id, so a repeated command (after a crash) never starts two children.
// The child tells this execution's Durable Object when it ends (see durable-object.ts, notices).
import { applyPluginDefaults } from "../../schema/flow/defaults";
import { database } from "../db/client";
import { getFlow } from "../db/flows";
import type { EngineEvent, Label } from "../engine/types";
import { taskRunVariables } from "../engine/variables";
import { render, renderDeep } from "../expressions";
import { derivedId } from "../ids";
import { resolveInputs } from "./inputs";
import type { RunnerHost } from "./runner";
import { startExecution } from "./start";

const SUBFLOW = "io.kestra.plugin.core.flow.Subflow";

function asLabels(value: unknown): Label[] {
  if (Array.isArray(value)) return value.map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (value && typeof value === "object") return Object.entries(value).map(([key, v]) => ({ key, value: String(v) }));
  return [];
}

export async function startSubflow(host: RunnerHost, taskRunId: string): Promise<EngineEvent> {
  const { machine, env } = host;
  const run = machine.taskRun(taskRunId)!;
  const task = applyPluginDefaults(machine.taskOf(run), machine.state.flow);
  const parent = machine.execution;
  const fail = (error: string): EngineEvent => ({ type: "task-result", taskRunId, result: { state: "FAILED", error } });
  try {
    const vars = taskRunVariables(machine, run);
    const namespace = await render(String(task.namespace), vars);
    const flowId = await render(String(task.flowId), vars);
    const revision = task.revision === undefined ? undefined : Number(await render(String(task.revision), vars));
    const found = await getFlow(database(env.DB), parent.tenantId, namespace, flowId, revision);
    if (!found)
      return fail(`Unable to find the subflow '${namespace}.${flowId}'${revision ? ` revision ${revision}` : ""}`);
    if (found.disabled) return fail(`The subflow '${namespace}.${flowId}' is disabled`);

    const submitted = (await renderDeep(task.inputs ?? {}, vars)) as Record<string, unknown>;
    const resolved = await resolveInputs(
      found.flow.inputs,
      { values: submitted, files: {} },
      {
        now: new Date(),
        storeFile: async () => {
          throw new Error("A subflow's FILE input takes a kestra:// URI, not an upload");
        },
      },
    );
    if (!resolved.ok) {
      return fail(
        `Invalid inputs for the subflow: ${resolved.violations.map((v) => `${v.input}: ${v.message}`).join("; ")}`,
      );
    }

    const inherited = task.inheritLabels ? parent.labels : parent.labels.filter((l) => l.key.startsWith("system."));
    const own = asLabels(await renderDeep(task.labels ?? {}, vars));
    const wait = String(task.wait ?? true) !== "false";
    const scheduleDate = task.scheduleDate ? await render(String(task.scheduleDate), vars) : undefined;
    const child = await startExecution(env, {
      id: await derivedId(taskRunId, `subflow:${run.attempts.length}`),
      tenantId: parent.tenantId,
      flow: found.flow,
      revision: found.revision,
      inputs: resolved.inputs,
      labels: [...inherited, ...own],
      scheduleDate,
      trigger: {
        id: task.id,
        type: SUBFLOW,
        variables: {
          executionId: parent.id,
          namespace: parent.namespace,
          flowId: parent.flowId,
          flowRevision: parent.flowRevision,
        },
      },
      parent: wait ? { executionId: parent.id, taskRunId } : undefined,
    });
    if (!wait) {
      return { type: "task-result", taskRunId, result: { state: "SUCCESS", outputs: { executionId: child.id } } };
    }
    return { type: "subflow-started", taskRunId, executionId: child.id };
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}
