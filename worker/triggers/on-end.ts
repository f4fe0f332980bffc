// What happens elsewhere when an execution ends: the tenant's trigger object evaluates its Flow
// triggers (and stopAfter). Called by the execution's Durable Object at least once per end (a
// failed delivery is retried on an alarm); everything it starts is keyed by the upstream id.
import { and, eq } from "drizzle-orm";
import { executions } from "../../schema/db";
import { database } from "../db/client";
import type { ExecutionJson } from "../execution/json";
import type { UpstreamView } from "./conditions";
import { triggersStub } from "./object";

/** The execution's tenant: carried by the JSON when the caller includes it, else from the D1 index. */
async function tenantOf(env: Env, execution: ExecutionJson & { tenantId?: unknown }): Promise<string> {
  if (typeof execution.tenantId === "string") return execution.tenantId;
  const rows = await database(env.DB)
    .select({ tenantId: executions.tenantId })
    .from(executions)
    .where(and(eq(executions.id, execution.id)))
    .limit(2);
  const [only, other] = rows;
  // Not indexed yet: throwing makes the execution retry the delivery later.
  if (!only) throw new Error(`execution ${execution.id} is not indexed yet; its tenant is unknown`);
  if (other) throw new Error(`execution id ${execution.id} exists in two tenants`);
  return only.tenantId;
}

/** What Flow triggers see of an execution (its state as it is now). */
export const upstreamOf = (execution: ExecutionJson, chainDepth = 0): UpstreamView & { trigger?: { id: string } } => ({
  id: execution.id,
  namespace: execution.namespace,
  flowId: execution.flowId,
  flowRevision: execution.flowRevision,
  state: execution.state.current,
  outputs: execution.outputs,
  labels: execution.labels,
  transition: execution.state.histories.length,
  trigger: execution.trigger && { id: execution.trigger.id },
  chainDepth,
});

/** `transition`: the place of the end in the state histories (a restarted execution ends again). */
export async function executionEnded(
  env: Env,
  execution: ExecutionJson,
  tenantId?: string,
  transition?: number,
  chainDepth = 0,
): Promise<void> {
  const tenant = tenantId ?? (await tenantOf(env, execution));
  const upstream = upstreamOf(execution, chainDepth);
  await triggersStub(env, tenant).executionEnded(tenant, transition ? { ...upstream, transition } : upstream);
}
