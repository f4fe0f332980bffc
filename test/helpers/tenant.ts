// Test helper: a fresh tenant with a live API key, signed up through the operator endpoint the way
// a real operator would, and a fetch that carries the key. Reusable by every HTTP test.
import { exports } from "cloudflare:workers";

export const OPERATOR_SECRET = "test-operator-secret";
export const BASE = "http://local";

export interface TestTenant {
  tenantId: string;
  key: string;
  keyId: string;
  /**
   * Calls the Worker with this tenant's key. `path` is absolute when it starts with `/`
   * (`/api/v1/x/flows`), otherwise relative to the tenant's base (`flows/search` → `/api/v1/{tenant}/flows/search`).
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

let counter = 0;

export const uniqueTenantId = (stem = "t") =>
  `${stem}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

export function url(path: string, tenantId?: string): string {
  if (path.startsWith("/")) return BASE + path;
  if (!tenantId) throw new Error(`relative path '${path}' needs a tenant`);
  return `${BASE}/api/v1/${tenantId}/${path}`;
}

export function operatorFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${OPERATOR_SECRET}`);
  return exports.default.fetch(BASE + path, { ...init, headers });
}

export async function createTenant(id: string = uniqueTenantId()): Promise<TestTenant> {
  const res = await operatorFetch("/api/v1/operator/tenants", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id }),
  });
  if (res.status !== 201) throw new Error(`tenant signup failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { tenant: { id: string }; apiKey: { id: string; key: string } };
  return bindTenant(body.tenant.id, body.apiKey.key, body.apiKey.id);
}

export function bindTenant(tenantId: string, key: string, keyId = ""): TestTenant {
  return {
    tenantId,
    key,
    keyId,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${key}`);
      return exports.default.fetch(url(path, tenantId), { ...init, headers });
    },
  };
}
