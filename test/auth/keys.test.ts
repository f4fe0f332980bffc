import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenant";

type Json = Record<string, unknown>;

async function lastUsedAt(keyId: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
    .bind(keyId)
    .first<{ last_used_at: string | null }>();
  return row?.last_used_at ?? null;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 2000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("API key authentication", () => {
  it("answers 401 JSON to a protected route without a key, with a malformed key, or with an unknown key", async () => {
    const t = await createTenant();
    const path = `http://local/api/v1/${t.tenantId}/flows/search`;
    const fakeKey = `pgr_${"A".repeat(43)}`;
    for (const auth of [
      undefined,
      "Bearer",
      "Bearer nope",
      `Basic ${btoa("a:b")}`,
      `Bearer ${fakeKey}`,
      `Bearer ${t.key}x`,
    ]) {
      const res = await exports.default.fetch(path, { headers: auth ? { Authorization: auth } : {} });
      expect(res.status, auth).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await res.json()).toEqual({ message: "Missing or invalid API key", code: "unauthorized" });
    }
    // Same prefix, different secret part: must not pass on the prefix alone.
    const forged = t.key.slice(0, 12) + (t.key[12] === "A" ? "B" : "A") + t.key.slice(13);
    const res = await exports.default.fetch(path, { headers: { Authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  it("gives a key of tenant A on tenant B's paths the 404 a tenant that does not exist gets", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const res = await a.fetch(`/api/v1/${b.tenantId}/flows/search`);
    expect(res.status).toBe(404);
    const ghost = await a.fetch("/api/v1/no-such-tenant/flows/search");
    expect(ghost.status).toBe(404);
    const said = ((await res.json()) as { message: string }).message;
    expect(said.replace(b.tenantId, "X")).toBe(
      ((await ghost.json()) as { message: string }).message.replace("no-such-tenant", "X"),
    );
  });

  it("never stores the plaintext key: no text column of any D1 table contains it", async () => {
    const t = await createTenant();
    const created = (await (await t.fetch("api-keys", jsonPost({ name: "second" }))).json()) as { key: string };
    expect((await t.fetch("flows/search")).status).toBe(200);
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
    let scanned = 0;
    for (const { name } of tables.results) {
      if (name.startsWith("_cf_") || name.startsWith("sqlite_")) continue;
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Json>();
      for (const row of rows.results) {
        for (const value of Object.values(row)) {
          if (typeof value !== "string") continue;
          scanned++;
          for (const key of [t.key, created.key]) {
            expect(value).not.toContain(key);
            expect(value).not.toContain(key.slice(12));
          }
        }
      }
    }
    expect(scanned).toBeGreaterThan(0);
    const stored = await env.DB.prepare("SELECT prefix, hash FROM api_keys WHERE tenant_id = ?").bind(t.tenantId).all();
    expect(stored.results).toHaveLength(2);
    for (const r of stored.results) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("lists keys with id, name, prefix and dates, never the key or its hash", async () => {
    const t = await createTenant();
    const created = (await (await t.fetch("api-keys", jsonPost({ name: "ci" }))).json()) as Json;
    expect(created).toMatchObject({ name: "ci", prefix: String(created.key).slice(0, 12) });
    expect(String(created.key)).toMatch(/^pgr_[A-Za-z0-9_-]{43}$/);
    const res = await t.fetch("api-keys");
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: Json[] };
    expect(results.map((k) => k.name).sort()).toEqual(["Initial key", "ci"]);
    for (const k of results) {
      expect(Object.keys(k).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "revokedAt"]);
      expect(JSON.stringify(k)).not.toContain(String(created.key).slice(12));
    }
  });

  it("stops accepting a revoked key on the very next request", async () => {
    const t = await createTenant();
    const second = (await (await t.fetch("api-keys", jsonPost({ name: "temp" }))).json()) as {
      id: string;
      key: string;
    };
    const withSecond = (path: string) =>
      exports.default.fetch(`http://local/api/v1/${t.tenantId}/${path}`, {
        headers: { Authorization: `Bearer ${second.key}` },
      });
    expect((await withSecond("flows/search")).status).toBe(200);
    expect((await t.fetch(`api-keys/${second.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await withSecond("flows/search")).status).toBe(401);
    expect((await t.fetch("flows/search")).status).toBe(200);
    const listed = (await (await t.fetch("api-keys")).json()) as { results: Json[] };
    expect(listed.results.find((k) => k.id === second.id)?.revokedAt).toEqual(expect.any(String));
  });

  it("answers 404 when revoking an unknown key or another tenant's key, which keeps working", async () => {
    const a = await createTenant();
    const b = await createTenant();
    expect((await a.fetch("api-keys/does-not-exist", { method: "DELETE" })).status).toBe(404);
    expect((await a.fetch(`api-keys/${b.keyId}`, { method: "DELETE" })).status).toBe(404);
    expect((await b.fetch("flows/search")).status).toBe(200);
  });

  it("records last use, and does not rewrite it within a minute", async () => {
    const t = await createTenant();
    expect(await lastUsedAt(t.keyId)).toBeNull();
    await t.fetch("flows/search");
    const first = await eventually(
      () => lastUsedAt(t.keyId),
      (v) => v !== null,
    );
    expect(first).toEqual(expect.any(String));

    const recent = new Date(Date.now() - 30_000).toISOString();
    await env.DB.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(recent, t.keyId).run();
    await t.fetch("flows/search");
    await new Promise((r) => setTimeout(r, 200));
    expect(await lastUsedAt(t.keyId)).toBe(recent);

    const old = new Date(Date.now() - 120_000).toISOString();
    await env.DB.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(old, t.keyId).run();
    await t.fetch("flows/search");
    const touched = await eventually(
      () => lastUsedAt(t.keyId),
      (v) => v !== old,
    );
    expect(Date.parse(touched ?? "")).toBeGreaterThan(Date.parse(old));
  });
});

function jsonPost(body: unknown): RequestInit {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}
