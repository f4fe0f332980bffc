// Planning and starting child executions: the flow a Subflow or ForEachItem task names (rendered
// with the parent run's services, so secret() works), the labels the children inherit, each
// child's inputs validated against its flow, and the start itself with a stable id, so a repeated
// command (after a crash) never starts two children.
import type { Flow, Task } from "../../schema/flow/types";
import { database } from "../db/client";
import { getFlow } from "../db/flows";
import type { Execution, ExecutionTrigger, Label } from "../engine/types";
import type { ExecutionJson } from "../execution/json";
import { type RenderServices, render, renderDeep } from "../expressions";
import { valueAt } from "../secrets/inputs";
import type { StoreServices } from "../secrets/services";
import { resolveInputs } from "./inputs";
import { startExecution } from "./start";

type Vars = Record<string, unknown>;

function asLabels(value: unknown): Label[] {
  if (Array.isArray(value)) return value.map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (value && typeof value === "object") return Object.entries(value).map(([key, v]) => ({ key, value: String(v) }));
  return [];
}

/** Everything about the children of one task run that does not depend on which child it is. */
export interface ChildPlan {
  flow: Flow;
  revision: number;
  labels: Label[];
  scheduleDate?: string;
  wait: boolean;
  trigger: ExecutionTrigger;
}

/**
 * Renders and checks the flow to start; a string is the error the task fails with. Rendered with
 * the run's services, so secret() works here; labels are shown, so they leave masked.
 */
export async function planChildren(
  env: Env,
  parent: Execution,
  task: Task,
  vars: Vars,
  svc: StoreServices & RenderServices,
  trigger: { id: string; type: string },
): Promise<ChildPlan | string> {
  const namespace = await render(String(task.namespace), vars, svc);
  const flowId = await render(String(task.flowId), vars, svc);
  const revision = task.revision === undefined ? undefined : Number(await render(String(task.revision), vars, svc));
  const found = await getFlow(database(env.DB), parent.tenantId, namespace, flowId, revision);
  if (!found) return `Unable to find the subflow '${namespace}.${flowId}'${revision ? ` revision ${revision}` : ""}`;
  if (found.disabled) return `The subflow '${namespace}.${flowId}' is disabled`;
  const inherited = task.inheritLabels ? parent.labels : parent.labels.filter((l) => l.key.startsWith("system."));
  const own = asLabels(svc.masker.maskDeep(await renderDeep(task.labels ?? {}, vars, svc)));
  return {
    flow: found.flow,
    revision: found.revision,
    labels: [...inherited, ...own],
    scheduleDate: task.scheduleDate ? await render(String(task.scheduleDate), vars, svc) : undefined,
    wait: String(task.wait ?? true) !== "false",
    trigger: {
      ...trigger,
      variables: {
        executionId: parent.id,
        namespace: parent.namespace,
        flowId: parent.flowId,
        flowRevision: parent.flowRevision,
      },
    },
  };
}

/** One child's inputs, and those of them that hold a value the parent's masker knows. */
export interface ChildInputs {
  inputs: Vars;
  /** Sealed in the child though it may not declare them SECRET: they carry the parent's secrets. */
  secret: string[];
}

/** Renders one child's inputs and validates them against the child flow; a string is the error. */
export async function childInputs(
  plan: ChildPlan,
  inputs: unknown,
  vars: Vars,
  svc: StoreServices & RenderServices,
): Promise<ChildInputs | string> {
  const submitted = (await renderDeep(inputs ?? {}, vars, svc)) as Vars;
  const resolved = await resolveInputs(
    plan.flow.inputs,
    { values: submitted, files: {} },
    {
      now: new Date(),
      storeFile: async () => {
        throw new Error("A subflow's FILE input takes a kestra:// URI, not an upload");
      },
    },
  );
  if (resolved.ok) {
    const secret = (plan.flow.inputs ?? [])
      .map((i) => i.id)
      .filter((id) => svc.masker.holds(valueAt(resolved.inputs, id)));
    return { inputs: resolved.inputs, secret };
  }
  return `Invalid inputs for the subflow: ${resolved.violations.map((v) => `${v.input}: ${v.message}`).join("; ")}`;
}

/** Starts (or finds again: the id is stable) one child; a waiting parent is told when it ends. */
export function startChild(
  env: Env,
  parent: Execution,
  plan: ChildPlan,
  child: { id: string; inputs: ChildInputs; taskRunId: string },
): Promise<ExecutionJson> {
  return startExecution(env, {
    id: child.id,
    tenantId: parent.tenantId,
    flow: plan.flow,
    revision: plan.revision,
    inputs: child.inputs.inputs,
    alsoSecret: child.inputs.secret,
    labels: plan.labels,
    scheduleDate: plan.scheduleDate,
    trigger: plan.trigger,
    parent: plan.wait ? { executionId: parent.id, taskRunId: child.taskRunId } : undefined,
    chainDepth: (parent.chainDepth ?? 0) + 1,
  });
}
