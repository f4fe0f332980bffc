// The one gate every request passes. Static paths go to the assets binding; the listed public
// routes pass through; everything else needs a live API key of the tenant named in the path.
// A key of another tenant gets exactly the answer an unknown route gets, so tenants cannot probe
// each other's existence.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../api/context";
import { database } from "../db/client";
import { findKeyByPrefix, touchKey } from "../db/keys";
import { ApiError, notFound } from "../errors";
import { bearerToken, digestsEqual, isWellFormedKey, sha256Hex, visiblePrefix } from "./keys";
import { isPublicRoute, isStaticPath, RESERVED_TENANT_IDS, TENANT_PATH } from "./public-routes";

/** last_used_at is written at most this often per key, so that a busy key costs no extra writes. */
const TOUCH_INTERVAL_MS = 60_000;

export const unauthorized = () => new ApiError("unauthorized", "Missing or invalid API key");

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const path = c.req.path;
  if (isStaticPath(path)) return c.env.ASSETS.fetch(c.req.raw);

  const pathTenant = TENANT_PATH.exec(path)?.[1];
  if (isPublicRoute(c.req.method, path)) {
    if (pathTenant && !RESERVED_TENANT_IDS.has(pathTenant)) c.set("tenantId", pathTenant);
    return next();
  }

  const token = bearerToken(c.req.header("Authorization"));
  if (!token || !isWellFormedKey(token)) throw unauthorized();
  const db = database(c.env.DB);
  const row = await findKeyByPrefix(db, visiblePrefix(token));
  if (!row || row.revokedAt || !digestsEqual(await sha256Hex(token), row.hash)) throw unauthorized();

  const lastUsed = row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0;
  if (Date.now() - lastUsed >= TOUCH_INTERVAL_MS) waitUntil(c, touchKey(db, row.id, TOUCH_INTERVAL_MS));

  if (pathTenant !== row.tenantId) throw notFound();
  c.set("tenantId", row.tenantId);
  c.set("apiKeyId", row.id);
  return next();
});

function waitUntil(c: Context<AppEnv>, work: Promise<unknown>): void {
  const quiet = work.catch(() => undefined);
  try {
    c.executionCtx.waitUntil(quiet);
  } catch {
    // No execution context (e.g. app.request in a unit test): the promise still settles on its own.
  }
}
