// The webhook path gives nothing away to a caller without the key: the same 404 for every miss,
// misses rationed per tenant and per client, a minimum key length at save, HEAD starts nothing.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { redactedPath } from "../../worker/api/errors";
import { CLIENT_MISSES } from "../../worker/api/webhook-misses";
import { saveFlow } from "../helpers/executions";
import { BASE, createTenant, type TestTenant } from "../helpers/tenant";

const KEY = "a-long-webhook-key";
const flow = (id: string, extra = "") => `id: ${id}
namespace: hooks
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: w
    type: io.kestra.plugin.core.trigger.Webhook
    key: ${KEY}
${extra}`;

let clients = 0;
/** Each test its own client address, so that their misses are rationed apart. */
const client = () => `203.0.113.${++clients}`;

const hook = (tenant: string, rest: string, ip: string, method = "POST") =>
  exports.default.fetch(`${BASE}/api/v1/${tenant}/executions/webhook/${rest}`, {
    method,
    headers: { "CF-Connecting-IP": ip },
  });

async function executionsOf(t: TestTenant): Promise<number> {
  const res = await t.fetch("executions/search?namespace=hooks");
  return ((await res.json()) as { total: number }).total;
}

describe("webhook misses", () => {
  it("answer the same 404 for an unknown tenant, flow, trigger key or namespace", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("known"));
    const ip = client();
    const answers = [];
    for (const [tenant, rest] of [
      ["no-such-tenant-x", `hooks/known/${KEY}`],
      [t.tenantId, `hooks/unknown/${KEY}`],
      [t.tenantId, "hooks/known/wrong-key-123"],
      [t.tenantId, `other/known/${KEY}`],
    ] as const) {
      const res = await hook(tenant, rest, ip);
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.status).toBe(404);
  });

  it("a disabled flow is told only to a caller with the key", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("off").concat("disabled: true\n"));
    const ip = client();
    expect((await hook(t.tenantId, "hooks/off/wrong-key-123", ip)).status).toBe(404);
    expect((await hook(t.tenantId, `hooks/off/${KEY}`, ip)).status).toBe(409);
  });

  it("are rationed per client: past the burst, 429 with Retry-After, and even the right key waits", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("guess"));
    const ip = client();
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_MISSES.burst + 5; i++)
      statuses.push((await hook(t.tenantId, `hooks/guess/guess-${i}-xxxx`, ip)).status);
    expect(statuses.slice(0, CLIENT_MISSES.burst).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(CLIENT_MISSES.burst).every((s) => s === 429)).toBe(true);
    const limited = await hook(t.tenantId, `hooks/guess/${KEY}`, ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Another client of the same tenant is not held back by this one (the tenant's bucket is larger).
    expect((await hook(t.tenantId, `hooks/guess/${KEY}`, client())).status).toBe(200);
  });

  it("are rationed per tenant across clients", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("spread"));
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++)
      statuses.push((await hook(t.tenantId, `hooks/spread/guess-${i}-xxxx`, client())).status);
    expect(statuses).toContain(429);
    // Another tenant is untouched.
    const other = await createTenant();
    await saveFlow(other, flow("spread"));
    expect((await hook(other.tenantId, `hooks/spread/${KEY}`, client())).status).toBe(200);
  });

  it("HEAD on a webhook URL starts nothing", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("head"));
    const res = await hook(t.tenantId, `hooks/head/${KEY}`, client(), "HEAD");
    expect(res.status).toBe(405);
    expect(await executionsOf(t)).toBe(0);
  });

  it("a key shorter than 8 characters is refused at save with a 422", async () => {
    const t = await createTenant();
    const res = await t.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: flow("short").replace(KEY, "k"),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("at least 8 characters");
  });

  it("a webhook key never reaches a log line written by Peregrine", () => {
    expect(redactedPath(`/api/v1/acme/executions/webhook/ns/flow/${KEY}`)).toBe(
      "/api/v1/acme/executions/webhook/ns/flow/****",
    );
  });
});
