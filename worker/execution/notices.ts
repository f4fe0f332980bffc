// What the end of an execution sets off elsewhere, delivered at least once from its Durable
// Object: Flow triggers of the tenant, the flow's concurrency slot, and a waiting parent Subflow.
// Every receiver is idempotent, so a repeated delivery after a crash changes nothing.
import { concurrencyStub } from "../concurrency/object";
import type { EngineState } from "../engine/types";
import { executionEnded } from "../triggers/on-end";
import type { ExecutionJson } from "./json";
import { executionStub } from "./object";

export async function announceEnd(env: Env, state: EngineState, json: ExecutionJson): Promise<void> {
  const ex = state.execution;
  await executionEnded(env, json, ex.tenantId);
  const limit = state.flow.concurrency?.limit;
  if (limit) await concurrencyStub(env, ex.tenantId, ex.namespace, ex.flowId).release(ex.id, limit);
  if (ex.parent) {
    await executionStub(env, ex.tenantId, ex.parent.executionId).childEnded(
      ex.parent.taskRunId,
      ex.id,
      ex.state.current,
      json.outputs,
    );
  }
}
