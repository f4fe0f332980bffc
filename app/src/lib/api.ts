// The dashboard's one API client: the SDK, sending the session cookie (same origin) and the CSRF
// header on every call, never an API key. A 401 on a tenant call means the session ended: the
// page goes to the sign-in screen and says why.
import { Peregrine, PeregrineError } from "@peregrine/sdk";
import { goto } from "$app/navigation";

export const CSRF_HEADER = "X-Peregrine-Csrf";

/** fetch with the cookie and the CSRF header; sends a 401 from a tenant route to sign-in. */
const sessionFetch = async (request: Request): Promise<Response> => {
  const headers = new Headers(request.headers);
  headers.set(CSRF_HEADER, "1");
  const response = await fetch(new Request(request, { headers, credentials: "same-origin" }));
  if (response.status === 401 && !new URL(request.url).pathname.startsWith("/api/v1/auth/")) {
    const next = location.pathname + location.search;
    void goto(`/login?ended=1&next=${encodeURIComponent(next)}`);
  }
  return response;
};

const clients = new Map<string, Peregrine>();

/** The client for a tenant (one per tenant, made once). */
export function api(tenant: string): Peregrine {
  let client = clients.get(tenant);
  if (!client) {
    client = new Peregrine({ url: "", tenant, fetch: sessionFetch });
    clients.set(tenant, client);
  }
  return client;
}

export interface SessionInfo {
  tenant: string;
  expiresAt: string;
}

// Sign-in calls are not tenant-scoped: the transport takes root paths for them.
const root = () => api("_").http;

export const session = {
  current: (): Promise<SessionInfo> => root().json<SessionInfo>("/api/v1/auth/session"),
  signIn: (credential: { apiKey: string } | { code: string }): Promise<SessionInfo> =>
    root().json<SessionInfo>("/api/v1/auth/session", { method: "POST", json: credential }),
  signOut: (): Promise<void> => root().empty("/api/v1/auth/session", { method: "DELETE" }),
};

/** A readable message for any failure; a flow error keeps its line (the API puts it in the message). */
export function messageOf(error: unknown): string {
  if (error instanceof PeregrineError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export { PeregrineError };
