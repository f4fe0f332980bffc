// Test helpers for running flows end to end through the public API of a fresh tenant.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import type { ExecutionJson } from "../../worker/execution/json";
import type { TestTenant } from "./tenant";

export async function saveFlow(tenant: TestTenant, source: string): Promise<void> {
  const res = await tenant.fetch("flows", {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml" },
    body: source,
  });
  if (res.status !== 200) throw new Error(`saving the flow failed: ${res.status} ${await res.text()}`);
}

export async function runFlow(
  tenant: TestTenant,
  namespace: string,
  flowId: string,
  init: { body?: BodyInit; headers?: HeadersInit; query?: string } = {},
): Promise<ExecutionJson> {
  const res = await tenant.fetch(`executions/${namespace}/${flowId}?wait=true${init.query ? `&${init.query}` : ""}`, {
    method: "POST",
    body: init.body,
    headers: init.headers,
  });
  if (res.status !== 200) throw new Error(`execution failed to start: ${res.status} ${await res.text()}`);
  return (await res.json()) as ExecutionJson;
}

export async function startFlow(tenant: TestTenant, namespace: string, flowId: string): Promise<ExecutionJson> {
  const res = await tenant.fetch(`executions/${namespace}/${flowId}`, { method: "POST" });
  if (res.status !== 200) throw new Error(`execution failed to start: ${res.status} ${await res.text()}`);
  return (await res.json()) as ExecutionJson;
}

export async function getExecution(tenant: TestTenant, id: string): Promise<ExecutionJson> {
  const res = await tenant.fetch(`executions/${id}`);
  if (res.status !== 200) throw new Error(`reading the execution failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ExecutionJson;
}

export async function logsOf(
  tenant: TestTenant,
  id: string,
): Promise<{ taskId: string | null; message: string; level: string }[]> {
  const res = await tenant.fetch(`logs/${id}`);
  if (res.status !== 200) throw new Error(`reading the logs failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { taskId: string | null; message: string; level: string }[];
}

/** Polls the execution (always current: read from its Durable Object) until `until` holds. */
export async function settled(
  tenant: TestTenant,
  id: string,
  until: (ex: ExecutionJson) => boolean,
  tries = 300,
): Promise<ExecutionJson> {
  for (let i = 0; i < tries; i++) {
    const ex = await getExecution(tenant, id);
    if (until(ex)) return ex;
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = await getExecution(tenant, id);
  throw new Error(`execution ${id} never reached the expected state; it is ${last.state.current}`);
}

export function executionDurableObject(tenant: TestTenant, id: string) {
  return env.EXECUTIONS.get(env.EXECUTIONS.idFromName(`${tenant.tenantId}:${id}`));
}

/** Moves the object's clock forward and delivers its alarm now, as the platform would later. */
export async function elapse(tenant: TestTenant, id: string, ms: number): Promise<void> {
  const stub = executionDurableObject(tenant, id);
  await runInDurableObject(stub, (instance: ExecutionDurableObject) => instance.advanceClock(ms));
  await runDurableObjectAlarm(stub);
}
