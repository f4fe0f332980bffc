// Test helpers for running flows end to end through the public API of a fresh tenant.
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
