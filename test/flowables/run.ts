// Shared by the flowable end-to-end tests: save one flow in a fresh tenant, run it through the
// public API (wait=true) and read its task runs and logs by task id.
import type { ExecutionJson } from "../../worker/execution/json";
import { logsOf, runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

export type RunJson = ExecutionJson["taskRunList"][number];

export interface Ran {
  tenant: TestTenant;
  ex: ExecutionJson;
  /** Task runs of one task id, in creation order. */
  runs(taskId: string): RunJson[];
  run(taskId: string): RunJson;
  /** Log messages of one task id (all task runs), in order. */
  logs(taskId: string): Promise<string[]>;
}

export function flowSource(id: string, body: string, namespace = "flowables.test"): string {
  return `id: ${id}\nnamespace: ${namespace}\n${body}`;
}

export async function ran(tenant: TestTenant, ex: ExecutionJson): Promise<Ran> {
  const runs = (taskId: string) => ex.taskRunList.filter((r) => r.taskId === taskId);
  return {
    tenant,
    ex,
    runs,
    run(taskId) {
      const found = runs(taskId);
      if (found.length !== 1) throw new Error(`expected one task run of '${taskId}', found ${found.length}`);
      return found[0] as RunJson;
    },
    async logs(taskId) {
      return (await logsOf(tenant, ex.id)).filter((l) => l.taskId === taskId).map((l) => l.message);
    },
  };
}

/** Saves `body` as flow `id` in a fresh tenant and runs it to its end. */
export async function runSource(
  id: string,
  body: string,
  init: Parameters<typeof runFlow>[3] = {},
  tenant?: TestTenant,
): Promise<Ran> {
  const t = tenant ?? (await createTenant());
  await saveFlow(t, flowSource(id, body));
  return ran(t, await runFlow(t, "flowables.test", id, init));
}

/** The states of the task runs of `taskId`, in creation order. */
export function states(r: Ran, taskId: string): string[] {
  return r.runs(taskId).map((x) => x.state.current);
}

/** The position of the first history entry reaching `state` in the whole execution timeline. */
export function reachedAt(run: RunJson, state: string): string {
  const h = run.state.histories.find((x) => x.state === state);
  if (!h) throw new Error(`task run ${run.taskId} never reached ${state}`);
  return h.date;
}

/** Execution inputs as the API takes them: multipart form fields. */
export function form(fields: Record<string, string>): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  return body;
}
