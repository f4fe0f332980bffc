import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, type TestTenant } from "../helpers/tenant";

const CSRF = { "X-Peregrine-Csrf": "1" };
const SESSION_URL = "http://local/api/v1/auth/session";

function signIn(body: unknown, base = "http://local", headers: Record<string, string> = CSRF) {
  return exports.default.fetch(`${base}/api/v1/auth/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** The `name=value` pair of the Set-Cookie header, to send back as a Cookie header. */
function cookieOf(res: Response): string {
  const set = res.headers.get("set-cookie");
  if (!set) throw new Error("no Set-Cookie");
  return set.split(";")[0] as string;
}

async function sessionCookie(t: TestTenant): Promise<string> {
  const res = await signIn({ apiKey: t.key });
  expect(res.status).toBe(200);
  return cookieOf(res);
}

const withCookie = (cookie: string, path: string, init: RequestInit = {}) =>
  exports.default.fetch(`http://local${path}`, { ...init, headers: { ...init.headers, Cookie: cookie } });

describe("dashboard sessions", () => {
  it("exchanges a key for an HttpOnly, Secure, SameSite=Strict __Host- cookie that opens its own tenant", async () => {
    const t = await createTenant();
    const res = await signIn({ apiKey: t.key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tenant: t.tenantId });
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/^__Host-pgr_session=[A-Za-z0-9_-]{43};/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Domain/i);
    const cookie = cookieOf(res);
    expect((await withCookie(cookie, `/api/v1/${t.tenantId}/flows/search`)).status).toBe(200);
    const who = await exports.default.fetch(SESSION_URL, { headers: { Cookie: cookie } });
    expect(await who.json()).toMatchObject({ tenant: t.tenantId });
  });

  it("stores only the token's hash", async () => {
    const t = await createTenant();
    const token = (await sessionCookie(t)).split("=")[1] as string;
    const rows = await env.DB.prepare("SELECT * FROM sessions WHERE tenant_id = ?").bind(t.tenantId).all();
    expect(rows.results.length).toBe(1);
    expect(JSON.stringify(rows.results)).not.toContain(token);
  });

  it("gives another tenant's paths the 404 of a tenant that does not exist", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const cookie = await sessionCookie(a);
    const res = await withCookie(cookie, `/api/v1/${b.tenantId}/flows/search`);
    expect(res.status).toBe(404);
    const ghost = await withCookie(cookie, "/api/v1/no-such-tenant/flows/search");
    const said = ((await res.json()) as { message: string }).message;
    expect(said.replace(b.tenantId, "X")).toBe(
      ((await ghost.json()) as { message: string }).message.replace("no-such-tenant", "X"),
    );
    expect(said).toContain(`belongs to tenant '${a.tenantId}'`);
  });

  it("refuses a request that changes something without the CSRF header, and accepts it with the header", async () => {
    const t = await createTenant();
    const cookie = await sessionCookie(t);
    const flow = "id: f\nnamespace: ns\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    const init = { method: "POST", headers: { "Content-Type": "application/x-yaml" }, body: flow };
    const refused = await withCookie(cookie, `/api/v1/${t.tenantId}/flows`, init);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain("X-Peregrine-Csrf");
    const accepted = await withCookie(cookie, `/api/v1/${t.tenantId}/flows`, {
      ...init,
      headers: { ...init.headers, ...CSRF },
    });
    expect(accepted.status).toBe(200);
    // A Bearer key needs no CSRF header: no browser attaches it on its own.
    const byKey = await t.fetch("flows/ns/f", { method: "PUT", headers: init.headers, body: flow });
    expect(byKey.status).toBe(200);
  });

  it("refuses sign-in without the CSRF header (login CSRF)", async () => {
    const t = await createTenant();
    const res = await signIn({ apiKey: t.key }, "http://local", {});
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers a wrong, malformed or revoked key with a clear 401 and no cookie", async () => {
    const t = await createTenant();
    const revoke = await t.fetch("api-keys", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    const spare = (await revoke.json()) as { id: string; key: string };
    await t.fetch(`api-keys/${spare.id}`, { method: "DELETE" });
    for (const apiKey of [`pgr_${"A".repeat(43)}`, "not a key", spare.key, `${t.key}x`]) {
      const res = await signIn({ apiKey });
      expect(res.status, apiKey).toBe(401);
      expect(((await res.json()) as { message: string }).message).toMatch(/not valid.*revoked/);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    const empty = await signIn({ apiKey: "" });
    expect(empty.status).toBe(422);
  });

  it("ends the session on the server at sign-out: the same cookie sent again is refused", async () => {
    const t = await createTenant();
    const cookie = await sessionCookie(t);
    const noCsrf = await withCookie(cookie, "/api/v1/auth/session", { method: "DELETE" });
    expect(noCsrf.status).toBe(403);
    const out = await withCookie(cookie, "/api/v1/auth/session", { method: "DELETE", headers: CSRF });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    const after = await withCookie(cookie, `/api/v1/${t.tenantId}/flows/search`);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { message: string }).message).toMatch(/session has ended/);
    expect((await exports.default.fetch(SESSION_URL, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it("ends every session of a key when the key is revoked", async () => {
    const t = await createTenant();
    const made = await t.fetch("api-keys", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    const other = (await made.json()) as { id: string; key: string };
    const res = await signIn({ apiKey: other.key });
    const cookie = cookieOf(res);
    expect((await withCookie(cookie, `/api/v1/${t.tenantId}/flows/search`)).status).toBe(200);
    await t.fetch(`api-keys/${other.id}`, { method: "DELETE" });
    expect((await withCookie(cookie, `/api/v1/${t.tenantId}/flows/search`)).status).toBe(401);
  });

  it("exchanges a one-time login code once; a session cannot mint codes", async () => {
    const t = await createTenant();
    const minted = await t.fetch("login-codes", { method: "POST" });
    expect(minted.status).toBe(201);
    const { code } = (await minted.json()) as { code: string };
    const first = await signIn({ code });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ tenant: t.tenantId });
    const again = await signIn({ code });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { message: string }).message).toMatch(/already been used or has expired/);
    const cookie = cookieOf(first);
    const bySession = await withCookie(cookie, `/api/v1/${t.tenantId}/login-codes`, { method: "POST", headers: CSRF });
    expect(bySession.status).toBe(403);
  });

  it("on plain-http loopback sets the cookie without Secure (browsers there drop Secure cookies)", async () => {
    const t = await createTenant();
    const res = await signIn({ apiKey: t.key }, "http://127.0.0.1:8787");
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/^pgr_session=/);
    expect(set).not.toMatch(/Secure/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    const ok = await exports.default.fetch(`http://127.0.0.1:8787/api/v1/${t.tenantId}/flows/search`, {
      headers: { Cookie: cookieOf(res) },
    });
    expect(ok.status).toBe(200);
  });
});
