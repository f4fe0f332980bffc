// What happens elsewhere when an execution ends: Flow triggers of the same tenant are evaluated.
// Called by the execution's Durable Object, at least once per end (a failed delivery is retried on
// an alarm), so whatever it starts must be idempotent on the upstream execution id.
import type { ExecutionJson } from "../execution/json";

export async function executionEnded(_env: Env, _execution: ExecutionJson): Promise<void> {
  // Flow triggers are not implemented yet (issue: triggers).
}
