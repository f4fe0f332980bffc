// Kestra 0.21's paths without a tenant segment: with an API key they mean the key's tenant; the
// tenant-less webhook serves DEFAULT_WEBHOOK_TENANT and is off without it; wrong or missing
// tenants are named in the 404.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/api/app";
import { TENANT_RESOURCES } from "../../worker/auth/tenantless";
import type { ExecutionJson } from "../../worker/execution/json";
import { saveFlow } from "../helpers/executions";
import { BASE, createTenant, operatorFetch, type TestTenant } from "../helpers/tenant";

const FLOW = `id: hello
namespace: dev
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "hi {{ trigger.body.who ?? 'there' }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k-123456
`;

/** `/api/v1/<path>` with the tenant's key and no tenant segment. */
const bare = (t: TestTenant, path: string, init: RequestInit = {}) => t.fetch(`/api/v1/${path}`, init);

async function callWith(vars: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.request(`${BASE}${path}`, init, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("tenant-less paths with an API key", () => {
  it("save, read, run, search and read logs in the key's tenant", async () => {
    const t = await createTenant();
    const saved = await bare(t, "flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: FLOW,
    });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { tenantId: string }).tenantId).toBe(t.tenantId);
    expect((await t.fetch("flows/dev/hello")).status).toBe(200);
    expect((await bare(t, "flows/dev/hello")).status).toBe(200);

    const run = await bare(t, "executions/dev/hello?wait=true", { method: "POST" });
    expect(run.status).toBe(200);
    const ex = (await run.json()) as ExecutionJson;
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.tenantId).toBe(t.tenantId);
    expect(((await (await bare(t, `executions/${ex.id}`)).json()) as ExecutionJson).id).toBe(ex.id);
    const logs = (await (await bare(t, `logs/${ex.id}`)).json()) as { message: string }[];
    expect(logs.map((l) => l.message)).toContain("hi there");
  });

  it("never reach another tenant's flows or executions: 404", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await saveFlow(b, FLOW);
    const ex = (await (await b.fetch("executions/dev/hello?wait=true", { method: "POST" })).json()) as ExecutionJson;
    expect((await bare(a, "flows/dev/hello")).status).toBe(404);
    expect((await bare(a, `executions/${ex.id}`)).status).toBe(404);
    expect((await bare(a, "executions/dev/hello", { method: "POST" })).status).toBe(404);
  });

  it("need a key like any tenant path", async () => {
    expect((await exports.default.fetch(`${BASE}/api/v1/flows/search`)).status).toBe(401);
  });

  it("cover every resource mounted under /api/v1/{tenant}", () => {
    const resources = new Set(
      app.routes.filter((r) => r.path.startsWith("/api/v1/:tenant/")).map((r) => r.path.split("/")[4]),
    );
    for (const r of resources) expect(TENANT_RESOURCES.has(r!), r).toBe(true);
  });

  it("keep resource names from ever being tenant ids", async () => {
    for (const id of ["flows", "executions", "logs"]) {
      const res = await operatorFetch("/api/v1/operator/tenants", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id }),
      });
      expect(res.status, id).toBe(422);
    }
  });
});

describe("wrong or missing tenants", () => {
  it("say so in the 404, naming only the key's own tenant", async () => {
    const t = await createTenant();
    const res = await t.fetch("/api/v1/someone-else/flows/search");
    expect(res.status).toBe(404);
    const { message } = (await res.json()) as { message: string };
    expect(message).toContain("'someone-else'");
    expect(message).toContain(`belongs to tenant '${t.tenantId}'`);
    const none = (await (await t.fetch("/api/v1")).json()) as { message: string };
    expect(none.message).toContain("names no tenant");
  });
});

describe("the tenant-less webhook", () => {
  it("is off unless a default tenant is configured, and says so", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/executions/webhook/dev/hello/k-123456`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain("no default tenant is configured");
  });

  it("serves DEFAULT_WEBHOOK_TENANT when configured, and only that tenant", async () => {
    const t = await createTenant();
    const other = await createTenant();
    await saveFlow(t, FLOW);
    await saveFlow(other, FLOW.replace("k-123456", "k-other-1"));
    const res = await callWith(
      { DEFAULT_WEBHOOK_TENANT: t.tenantId },
      "/api/v1/executions/webhook/dev/hello/k-123456",
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ who: "webhook" }),
      },
    );
    expect(res.status).toBe(200);
    const ex = (await res.json()) as ExecutionJson;
    expect(ex.tenantId).toBe(t.tenantId);
    expect((await t.fetch(`executions/${ex.id}`)).status).toBe(200);
    const foreign = await callWith(
      { DEFAULT_WEBHOOK_TENANT: t.tenantId },
      "/api/v1/executions/webhook/dev/hello/k-other-1",
      {
        method: "POST",
      },
    );
    expect(foreign.status).toBe(404);
  });
});
