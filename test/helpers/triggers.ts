// Test helpers for the tenant's trigger object: a tenant whose scheduler clock stands still until
// the test moves it, alarm delivery run directly (no sleeping until a tick), the trigger context
// as the triggers API shows it, and executions counted from the index.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { TriggersDurableObject } from "../../worker/triggers/durable-object";
import { triggersStub } from "../../worker/triggers/object";
import { createTenant, type TestTenant } from "./tenant";

export const HOUR = 3_600_000;

export const triggersObject = (t: TestTenant) => env.TRIGGERS.get(env.TRIGGERS.idFromName(t.tenantId));

/** One alarm delivery; `twice` delivers it again right after, as a duplicate would. */
export async function alarm(t: TestTenant, twice = false): Promise<void> {
  const stub = triggersObject(t);
  await runDurableObjectAlarm(stub);
  if (twice) await runInDurableObject(stub, (o: TriggersDurableObject) => o.alarm());
}

/** A tenant whose scheduler clock stands still at a known instant until the test moves it. */
export async function frozenTenant(at = "2025-03-03T10:00:00.250Z"): Promise<TestTenant> {
  const t = await createTenant();
  await triggersStub(env, t.tenantId).setClock(Date.parse(at));
  return t;
}

export interface TriggerContext {
  date: string | null;
  nextExecutionDate: string | null;
  executionId: string | null;
  disabled: boolean;
  lastError: string | null;
  backfill: null | { paused: boolean; progress: { done: number; total: number; finished: boolean } };
}

/** The first trigger's context of a flow, from GET /triggers/{namespace}/{flowId}. */
export async function context(t: TestTenant, flowId: string, namespace = "sched"): Promise<TriggerContext> {
  const res = await t.fetch(`triggers/${namespace}/${flowId}`);
  const body = (await res.json()) as { results: { triggerContext: TriggerContext }[] };
  const first = body.results[0];
  if (!first) throw new Error(`no trigger for ${namespace}.${flowId}`);
  return first.triggerContext;
}

/** Executions of a flow in the D1 index (written asynchronously): polls until `expected` or a deadline. */
export async function indexed(t: TestTenant, flowId: string, expected: number): Promise<number> {
  let total = -1;
  for (let i = 0; i < 60; i++) {
    const res = await t.fetch(`executions/search?flowId=${flowId}&size=1`);
    total = ((await res.json()) as { total: number }).total;
    if (total === expected && (expected > 0 || i >= 3)) return total;
    await new Promise((r) => setTimeout(r, 100));
  }
  return total;
}

/** Polls the trigger context until `until` holds (an execution's end reaches the object in the background). */
export async function contextWhen(
  t: TestTenant,
  flowId: string,
  until: (c: TriggerContext) => boolean,
  namespace = "sched",
): Promise<TriggerContext> {
  for (let i = 0; i < 100; i++) {
    const c = await context(t, flowId, namespace);
    if (until(c)) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
  const last = await context(t, flowId, namespace);
  throw new Error(`trigger of ${flowId} never reached the expected state: ${JSON.stringify(last)}`);
}
