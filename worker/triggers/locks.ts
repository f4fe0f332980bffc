// Stale Schedule locks. A lock is released by the end of the execution holding it (executionEnded)
// or by the unlock API; this sweep, run by the minute cron, also releases a lock whose execution
// ended or was deleted without its end reaching the trigger object, or never came to exist, so a
// lost notice cannot block a schedule for good (Kestra's scheduler makes the same check).
import { isTerminal } from "../engine/state";
import type { StateType } from "../engine/types";
import { executionStub } from "../execution/object";
import type { TriggerStore } from "./store";
import { SCHEDULE } from "./sync";

/** Releases stale locks; says whether any was released (the schedules then need a pass). */
export async function releaseStaleLocks(env: Env, tenantId: string, store: TriggerStore): Promise<boolean> {
  let released = false;
  for (const row of store.ofType(SCHEDULE)) {
    const holder = row.lastExecutionId;
    // Still in the outbox: not started yet, so nothing to ask about.
    if (!holder || store.isPending(holder)) continue;
    const summary = await executionStub(env, tenantId, holder).summary();
    if (summary && !summary.deleted && !isTerminal(summary.state.current as StateType)) continue;
    store.transaction(() => {
      const fresh = store.get(row.namespace, row.flowId, row.triggerId);
      if (fresh?.lastExecutionId !== holder) return;
      store.put({ ...fresh, lastExecutionId: null });
      released = true;
    });
  }
  return released;
}
