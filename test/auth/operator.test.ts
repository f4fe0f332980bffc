import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/api/app";
import { bindTenant, createTenant, OPERATOR_SECRET, operatorFetch, uniqueTenantId } from "../helpers/tenant";

const signup = (id: string, auth?: string) =>
  exports.default.fetch("http://local/api/v1/operator/tenants", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(auth ? { Authorization: auth } : {}) },
    body: JSON.stringify({ id }),
  });

const tenantCount = async (id: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM tenants WHERE id = ?").bind(id).first<{ n: number }>())?.n;

describe("operator endpoints", () => {
  it("refuses signup without the operator secret or with a wrong one (401), creating nothing", async () => {
    const id = uniqueTenantId();
    for (const auth of [undefined, "Bearer wrong-secret", `Bearer ${OPERATOR_SECRET}x`]) {
      const res = await signup(id, auth);
      expect(res.status, auth).toBe(401);
      expect(await res.json()).toMatchObject({ code: "unauthorized" });
    }
    expect(await tenantCount(id)).toBe(0);
  });

  it("also refuses a tenant API key in place of the operator secret", async () => {
    const t = await createTenant();
    expect((await signup(uniqueTenantId(), `Bearer ${t.key}`)).status).toBe(401);
  });

  it("creates a tenant with a first key that works at once on that tenant's routes", async () => {
    const id = uniqueTenantId();
    const res = await signup(id, `Bearer ${OPERATOR_SECRET}`);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { tenant: { id: string }; apiKey: { id: string; key: string } };
    expect(body.tenant.id).toBe(id);
    const t = bindTenant(id, body.apiKey.key);
    expect((await t.fetch("flows/search")).status).toBe(200);
  });

  it("answers 409 for an existing tenant id and 422 for an id that breaks the pattern or is reserved", async () => {
    const t = await createTenant();
    expect((await signup(t.tenantId, `Bearer ${OPERATOR_SECRET}`)).status).toBe(409);
    for (const bad of ["A-upper", "x", "-lead", "has.dot", "a".repeat(64), "operator"]) {
      const res = await signup(bad, `Bearer ${OPERATOR_SECRET}`);
      expect(res.status, bad).toBe(422);
      expect(await res.json()).toMatchObject({ code: "invalid" });
    }
    const malformed = await operatorFetch("/api/v1/operator/tenants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
  });

  it("mints an extra key for an existing tenant, and 404s for an unknown one", async () => {
    const t = await createTenant();
    const res = await operatorFetch(`/api/v1/operator/tenants/${t.tenantId}/api-keys`, { method: "POST" });
    expect(res.status).toBe(201);
    const { key } = (await res.json()) as { key: string };
    expect((await bindTenant(t.tenantId, key).fetch("flows/search")).status).toBe(200);
    const missing = await operatorFetch("/api/v1/operator/tenants/nobody-here/api-keys", { method: "POST" });
    expect(missing.status).toBe(404);
  });

  it("does not exist (404, like an unknown route) when OPERATOR_SECRET is not configured", async () => {
    const unset = { ...env, OPERATOR_SECRET: undefined };
    const res = await app.request(
      "/api/v1/operator/tenants",
      {
        method: "POST",
        headers: { Authorization: "Bearer ", "Content-Type": "application/json" },
        body: JSON.stringify({ id: uniqueTenantId() }),
      },
      unset,
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "Not found", code: "not_found" });
  });
});
