// Two tenants with flows of the same namespace and id: each sees only its own, through every
// flows route, and a key of one on the other's paths gets the same 404 as a tenant that does not exist.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createTenant, type TestTenant } from "../helpers/tenant";

const yaml = (id: string, message: string) =>
  `id: ${id}\nnamespace: shared\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;

const yamlBody = (body: string, method = "POST"): RequestInit => ({
  method,
  headers: { "Content-Type": "application/x-yaml" },
  body,
});

/** Every flows route, as [label, path relative to the tenant, init]. */
const flowRoutes = (): [string, string, () => RequestInit][] => [
  ["create", "flows", () => yamlBody(yaml("intruder", "x"))],
  ["validate", "flows/validate", () => yamlBody(yaml("x", "x"))],
  ["search", "flows/search", () => ({})],
  ["list namespace", "flows/shared", () => ({})],
  ["bulk update", "flows/shared?delete=true", () => yamlBody(yaml("intruder", "x"))],
  ["get", "flows/shared/same?source=true", () => ({})],
  ["update", "flows/shared/same", () => yamlBody(yaml("same", "overwritten"), "PUT")],
  ["revisions", "flows/shared/same/revisions", () => ({})],
  ["delete", "flows/shared/same", () => ({ method: "DELETE" })],
];

async function snapshot(tenantId: string) {
  const rows = await env.DB.prepare(
    "SELECT namespace, id, revision, source, deleted FROM flows WHERE tenant_id = ? ORDER BY id",
  )
    .bind(tenantId)
    .all();
  const revs = await env.DB.prepare("SELECT count(*) AS n FROM flow_revisions WHERE tenant_id = ?")
    .bind(tenantId)
    .first();
  return { rows: rows.results, revs };
}

async function twoTenants(): Promise<[TestTenant, TestTenant]> {
  const a = await createTenant();
  const b = await createTenant();
  expect((await a.fetch("flows", yamlBody(yaml("same", "from A")))).status).toBe(200);
  expect((await b.fetch("flows", yamlBody(yaml("same", "from B")))).status).toBe(200);
  expect((await b.fetch("flows", yamlBody(yaml("only-b", "from B")))).status).toBe(200);
  return [a, b];
}

describe("flows tenant isolation", () => {
  it("answers every flows route called with A's key on B's paths with the 404 a tenant that does not exist gets, changing nothing", async () => {
    const [a, b] = await twoTenants();
    const before = await snapshot(b.tenantId);
    for (const [label, path, init] of flowRoutes()) {
      const res = await a.fetch(`/api/v1/${b.tenantId}/${path}`, init());
      expect(res.status, label).toBe(404);
      // The message names the path's tenant and the key's own, so B's id is the only difference.
      const missing = await a.fetch(`/api/v1/no-such-tenant/${path}`, init());
      expect(missing.status, label).toBe(404);
      const body = JSON.stringify(await res.json()).replaceAll(b.tenantId, "{tenant}");
      expect(body, label).toEqual(JSON.stringify(await missing.json()).replaceAll("no-such-tenant", "{tenant}"));
    }
    expect(await snapshot(b.tenantId)).toEqual(before);
  });

  it("shows A only its own flows through every read route, even with the same namespace and id", async () => {
    const [a] = await twoTenants();
    const search = (await (await a.fetch("flows/search")).json()) as { results: { id: string }[]; total: number };
    expect(search).toMatchObject({ total: 1, results: [{ id: "same" }] });
    const list = (await (await a.fetch("flows/shared")).json()) as { id: string }[];
    expect(list.map((f) => f.id)).toEqual(["same"]);
    const flow = (await (await a.fetch("flows/shared/same?source=true")).json()) as { source: string };
    expect(flow.source).toContain("from A");
    const revisions = (await (await a.fetch("flows/shared/same/revisions")).json()) as { source: string }[];
    expect(revisions.map((r) => r.source.includes("from A"))).toEqual([true]);
    expect((await a.fetch("flows/shared/only-b")).status).toBe(404);
    expect((await a.fetch("flows/shared/only-b/revisions")).status).toBe(404);
    expect((await a.fetch("flows/shared/only-b", { method: "DELETE" })).status).toBe(404);
    expect((await a.fetch("flows/shared/only-b", yamlBody(yaml("only-b", "A"), "PUT"))).status).toBe(404);
  });

  it("lets A's writes touch only A's rows: update, bulk delete=true and delete leave B's flows as they were", async () => {
    const [a, b] = await twoTenants();
    const before = await snapshot(b.tenantId);
    expect((await a.fetch("flows/shared/same", yamlBody(yaml("same", "A v2"), "PUT"))).status).toBe(200);
    expect((await a.fetch("flows/shared?delete=true", yamlBody(yaml("new-a", "A")))).status).toBe(200);
    expect((await a.fetch("flows/shared/new-a", { method: "DELETE" })).status).toBe(204);
    expect(await snapshot(b.tenantId)).toEqual(before);
  });
});
