// Telling trigger objects about flows: after a flow write (the tenant's object) and from the
// minute cron (every tenant with triggers).
import type { Flow } from "../../schema/flow/types";
import { database } from "../db/client";
import { tenantsWithTriggers } from "../db/flows";
import { rememberListenedStates } from "./listened-states";
import { triggersStub } from "./object";

/**
 * Call after a flow write has committed (create, update, delete, bulk): the tenant's trigger object
 * re-reads the flow from D1 and updates or removes its triggers. Failures are logged, not thrown:
 * the write stands, and the minute cron reconciles what a lost call missed.
 */
export async function syncFlowTriggers(
  env: Env,
  tenantId: string,
  flows: Pick<Flow, "namespace" | "id">[],
): Promise<void> {
  if (!flows.length) return;
  try {
    const stub = triggersStub(env, tenantId);
    for (const f of flows) rememberListenedStates(tenantId, await stub.syncFlow(tenantId, f.namespace, f.id));
  } catch (e) {
    console.error("syncing flow triggers failed; the cron will reconcile", e);
  }
}

/** The Worker cron: every tenant with a flow that has triggers gets its scheduler re-armed. */
export async function rearmSchedulers(env: Env): Promise<void> {
  const tenants = await tenantsWithTriggers(database(env.DB));
  await Promise.allSettled(tenants.map((tenantId) => triggersStub(env, tenantId).rearm(tenantId)));
}
