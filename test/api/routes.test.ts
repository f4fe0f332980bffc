// Default deny, proven over the app's own route table: whatever routes exist now or are added
// later, only the public list answers without a key, and a key never opens another tenant.
import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import { type AppType, app } from "../../worker/api/app";
import { createTenant, uniqueTenantId } from "../helpers/tenant";

const PUBLIC_PATHS = new Set([
  "/health",
  "/api/v1/operator/tenants",
  "/api/v1/operator/tenants/:tenant/api-keys",
  "/api/v1/auth/session",
  "/api/v1/openapi.json",
  "/api/v1/docs",
  "/api/v1/:tenant/executions/webhook/:namespace/:flowId/:key",
]);

const WEBHOOK = "/api/v1/:tenant/executions/webhook/:namespace/:flowId/:key";

/** Registered endpoints (not middleware), one request each; ALL is tried as GET and POST. */
function endpoints(): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of app.routes) {
    if (r.path.includes("*")) continue;
    for (const method of r.method === "ALL" ? ["GET", "POST"] : [r.method]) {
      const id = `${method} ${r.path}`;
      if (!seen.has(id)) out.push({ method, path: r.path });
      seen.add(id);
    }
  }
  return out;
}

const concrete = (path: string, tenant: string) =>
  path.replace(":tenant", tenant).replace(/:[A-Za-z]+/g, (p) => `sample-${p.slice(1).toLowerCase()}`);

describe("route table", () => {
  it("has the flows, api-keys, operator and health routes registered", () => {
    const paths = new Set(app.routes.map((r) => r.path));
    for (const p of [
      "/health",
      "/api/v1/operator/tenants",
      "/api/v1/:tenant/flows/search",
      "/api/v1/:tenant/flows/:namespace/:id",
      "/api/v1/:tenant/api-keys",
    ]) {
      expect(paths).toContain(p);
    }
  });

  it("lets only the public list through without a key; every other route answers 401", async () => {
    const t = await createTenant();
    const list = endpoints();
    expect(list.length).toBeGreaterThan(10);
    for (const { method, path } of list) {
      const res = await exports.default.fetch(`http://local${concrete(path, t.tenantId)}`, { method });
      const body = res.status === 401 ? ((await res.json()) as { message: string }) : undefined;
      const blockedByKeyCheck = body?.message === "Missing or invalid API key";
      expect(blockedByKeyCheck, `${method} ${path} → ${res.status}`).toBe(!PUBLIC_PATHS.has(path));
    }
  });

  it("keeps the webhook route public even before its handler exists", async () => {
    const t = await createTenant();
    for (const method of ["GET", "POST", "PUT"]) {
      const res = await exports.default.fetch(`http://local${concrete(WEBHOOK, t.tenantId)}`, { method });
      expect(res.status, method).not.toBe(401);
    }
  });

  it("gives every tenant route, called with another tenant's key, a 404 naming the key's tenant, the same whether the other tenant exists or not", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const nobody = uniqueTenantId("nobody");
    for (const { method, path } of endpoints()) {
      if (!path.startsWith("/api/v1/:tenant/") || PUBLIC_PATHS.has(path)) continue;
      const res = await a.fetch(concrete(path, b.tenantId), { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      const body = (await res.json()) as { message: string };
      const missing = (await (await a.fetch(concrete(path, nobody), { method })).json()) as { message: string };
      expect(body.message.replace(b.tenantId, "X")).toBe(missing.message.replace(nobody, "X"));
      expect(body.message).toContain(`belongs to tenant '${a.tenantId}'`);
    }
  });

  it("sends paths outside /api to the dashboard's static files without a key", async () => {
    const res = await exports.default.fetch("http://local/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
  });

  it("answers unknown API paths with a key as JSON 404 in the common error shape", async () => {
    const t = await createTenant();
    const res = await t.fetch("nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "Not found", code: "not_found" });
  });
});

describe("typed client", () => {
  it("reaches tenant routes through hono/client with the exported AppType", async () => {
    const t = await createTenant();
    const client = hc<AppType>("http://local", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(input, init),
      headers: { Authorization: `Bearer ${t.key}` },
    });
    const res = await client.api.v1[":tenant"].flows.search.$get({
      param: { tenant: t.tenantId },
      query: { size: 5 },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.total).toBe(0);
    const health = await client.health.$get();
    expect((await health.json()).status).toBe("UP");
  });
});
