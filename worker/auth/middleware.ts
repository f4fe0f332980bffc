// The one gate every request passes. Static paths go to the assets binding; the listed public
// routes pass through; everything else needs a live API key (Bearer) or a dashboard session
// (cookie, see sessions.ts) of the tenant named in the path. A path without a tenant (Kestra
// 0.21's, see tenantless.ts) means the caller's own tenant. A key or session on another tenant's
// path gets a 404 that says the tenant is not its own, worded the same whether that tenant exists
// or not, so tenants cannot probe each other's existence.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../api/context";
import { type Db, database } from "../db/client";
import { findKeyByPrefix, touchKey } from "../db/keys";
import { findLiveSession } from "../db/sessions";
import { Forbidden, notFound, Unauthorized } from "../errors";
import { bearerToken, digestsEqual, isWellFormedKey, sha256Hex, visiblePrefix } from "./keys";
import { isPublicRoute, isStaticPath, RESERVED_TENANT_IDS, TENANT_PATH } from "./public-routes";
import { CSRF_HEADER, hasCsrfHeader, isMutating, readSessionCookie, tokenHash } from "./sessions";
import { KEY_TENANT } from "./tenantless";

/** last_used_at is written at most this often per key, so that a busy key costs no extra writes. */
const TOUCH_INTERVAL_MS = 60_000;

export const unauthorized = () => new Unauthorized("Missing or invalid API key");
const sessionEnded = () =>
  new Unauthorized("Your session has ended (signed out, expired or its API key was revoked); sign in again");
const csrfMissing = () =>
  new Forbidden(
    `A request signed in by the session cookie that changes something must carry the header ${CSRF_HEADER}: 1`,
  );

const NO_DEFAULT_WEBHOOK_TENANT =
  "This webhook URL names no tenant and no default tenant is configured: use /api/v1/{tenant}/executions/webhook/…";

/** The same words whether `pathTenant` exists or not: only the key's own tenant is named. */
function wrongTenant(pathTenant: string | undefined, keyTenant: string): string {
  const own = `this API key or session belongs to tenant '${keyTenant}' (/api/v1/${keyTenant}/… or /api/v1/… without a tenant)`;
  return pathTenant === undefined ? `The path names no tenant: ${own}` : `Not found in tenant '${pathTenant}': ${own}`;
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const path = c.req.path;
  if (isStaticPath(path)) return c.env.ASSETS.fetch(c.req.raw);

  const pathTenant = TENANT_PATH.exec(path)?.[1];
  if (isPublicRoute(c.req.method, path)) {
    if (pathTenant === KEY_TENANT) throw notFound(NO_DEFAULT_WEBHOOK_TENANT);
    if (pathTenant && !RESERVED_TENANT_IDS.has(pathTenant)) c.set("tenantId", pathTenant);
    return next();
  }

  const db = database(c.env.DB);
  const token = bearerToken(c.req.header("Authorization"));
  const sessionToken = token ? undefined : readSessionCookie(c);
  if (sessionToken) {
    const session = await findLiveSession(db, await tokenHash(sessionToken));
    if (!session) throw sessionEnded();
    if (isMutating(c.req.method) && !hasCsrfHeader(c)) throw csrfMissing();
    if (pathTenant !== session.tenantId && pathTenant !== KEY_TENANT) {
      throw notFound(wrongTenant(pathTenant, session.tenantId));
    }
    c.set("tenantId", session.tenantId);
    c.set("apiKeyId", session.apiKeyId);
    c.set("authenticatedBy", "session");
    return next();
  }

  const row = token ? await verifyApiKey(db, token) : undefined;
  if (!row) throw unauthorized();
  const lastUsed = row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0;
  if (Date.now() - lastUsed >= TOUCH_INTERVAL_MS) waitUntil(c, touchKey(db, row.id, TOUCH_INTERVAL_MS));

  if (pathTenant !== row.tenantId && pathTenant !== KEY_TENANT) throw notFound(wrongTenant(pathTenant, row.tenantId));
  c.set("tenantId", row.tenantId);
  c.set("apiKeyId", row.id);
  c.set("authenticatedBy", "key");
  return next();
});

/** The key's row when the key is well formed, known, not revoked and matches its stored hash. */
export async function verifyApiKey(db: Db, token: string) {
  if (!isWellFormedKey(token)) return undefined;
  const row = await findKeyByPrefix(db, visiblePrefix(token));
  if (!row || row.revokedAt || !digestsEqual(await sha256Hex(token), row.hash)) return undefined;
  return row;
}

function waitUntil(c: Context<AppEnv>, work: Promise<unknown>): void {
  const quiet = work.catch(() => undefined);
  try {
    c.executionCtx.waitUntil(quiet);
  } catch {
    // No execution context (e.g. app.request in a unit test): the promise still settles on its own.
  }
}
