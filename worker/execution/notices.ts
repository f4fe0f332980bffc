// What an execution's state changes set off elsewhere, delivered at least once from its Durable
// Object. Its end: Flow triggers of the tenant, the flow's concurrency slot, the tenant's running
// place (launch/limits.ts), and a waiting parent Subflow. A non-terminal transition (RUNNING,
// PAUSED…): the Flow triggers that list that state.
// Every receiver is idempotent, so a repeated delivery after a crash changes nothing.
import { concurrencyStub } from "../concurrency/object";
import { tenantLimitsStub } from "../concurrency/tenant-limits";
import type { EngineState } from "../engine/types";
import { listensTo } from "../triggers/listened-states";
import { triggersStub } from "../triggers/object";
import { executionEnded, upstreamOf } from "../triggers/on-end";
import type { ExecutionJson } from "./json";
import { executionStub } from "./object";

export type Notice =
  | { kind: "ended"; transition: number }
  | { kind: "state"; transition: number; state: string }
  | { kind: "unknown" };

/** Reads a notice key (batch.ts writes them): `ended:<attempt>:<n>` or `state:<attempt>:<n>:<STATE>`. */
export function parseNotice(key: string): Notice {
  const [kind, , n, state] = key.split(":");
  const transition = Number(n);
  if (kind === "ended" && Number.isInteger(transition)) return { kind, transition };
  if (kind === "state" && Number.isInteger(transition) && state) return { kind, transition, state };
  return { kind: "unknown" };
}

export async function announce(env: Env, state: EngineState, json: ExecutionJson, key: string): Promise<void> {
  const notice = parseNotice(key);
  switch (notice.kind) {
    case "ended":
      return announceEnd(env, state, json, notice.transition);
    case "state": {
      const tenantId = state.execution.tenantId;
      if (!(await listensTo(env, tenantId, notice.state))) return;
      const upstream = {
        ...upstreamOf(json, state.execution.chainDepth ?? 0),
        state: notice.state,
        transition: notice.transition,
      };
      await triggersStub(env, tenantId).executionStateChanged(tenantId, upstream);
      return;
    }
    case "unknown":
      return;
    default: {
      const never: never = notice;
      throw new Error(`unknown notice ${String(never)}`);
    }
  }
}

async function announceEnd(env: Env, state: EngineState, json: ExecutionJson, transition: number): Promise<void> {
  const ex = state.execution;
  await Promise.all([
    executionEnded(env, json, ex.tenantId, transition, ex.chainDepth ?? 0),
    tenantLimitsStub(env, ex.tenantId).release(ex.id),
  ]);
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
