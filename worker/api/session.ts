// Dashboard sign-in. `/api/v1/auth/session` is public (it authenticates by what it is sent):
// POST {apiKey} or {code} → a session cookie; GET → who the cookie signs in; DELETE → ends it on
// the server. `/api/v1/{tenant}/login-codes` (a key only, never a session, so a session cannot
// renew itself) mints a one-time code that `npm start` prints in a link's URL fragment.
import type { Context } from "hono";
import { Hono } from "hono";
import { validator } from "hono/validator";
import * as z from "zod";
import { verifyApiKey } from "../auth/middleware";
import {
  CSRF_HEADER,
  clearSessionCookie,
  hasCsrfHeader,
  LOGIN_CODE_TTL_MS,
  newToken,
  readSessionCookie,
  SESSION_TTL_MS,
  tokenHash,
  writeSessionCookie,
} from "../auth/sessions";
import { consumeLoginCode, createLoginCode, createSession, deleteSession, findLiveSession } from "../db/sessions";
import { Forbidden, Unauthorized } from "../errors";
import { type AppEnv, dbOf } from "./context";

export const signInBody = z.union([
  z.object({ apiKey: z.string().trim().min(1, "paste an API key") }),
  z.object({ code: z.string().trim().min(1) }),
]);

const requireCsrf = (c: Context<AppEnv>) => {
  if (!hasCsrfHeader(c)) throw new Forbidden(`This request must carry the header ${CSRF_HEADER}: 1`);
};

export const sessionApi = new Hono<AppEnv>()
  .post(
    "/session",
    validator("json", (body) => signInBody.parse(body)),
    async (c) => {
      // Login CSRF too: another site must not sign a browser into its own tenant.
      requireCsrf(c);
      const db = dbOf(c);
      const body = c.req.valid("json");
      const key =
        "apiKey" in body ? await verifyApiKey(db, body.apiKey) : await consumeLoginCode(db, await tokenHash(body.code));
      if (!key) {
        throw new Unauthorized(
          "apiKey" in body
            ? "This API key is not valid: it is mistyped, unknown, or has been revoked"
            : "This sign-in link has already been used or has expired; run npm start again or paste an API key",
        );
      }
      const token = newToken();
      const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
      await createSession(db, await tokenHash(token), key, expiresAt.toISOString());
      writeSessionCookie(c, token, expiresAt);
      return c.json({ tenant: key.tenantId, expiresAt: expiresAt.toISOString() }, 200);
    },
  )
  .get("/session", async (c) => {
    const token = readSessionCookie(c);
    const session = token ? await findLiveSession(dbOf(c), await tokenHash(token)) : undefined;
    if (!session) throw new Unauthorized("Not signed in");
    return c.json({ tenant: session.tenantId, expiresAt: session.expiresAt }, 200);
  })
  .delete("/session", async (c) => {
    requireCsrf(c);
    const token = readSessionCookie(c);
    if (token) await deleteSession(dbOf(c), await tokenHash(token));
    clearSessionCookie(c);
    return c.body(null, 204);
  });

export const loginCodesApi = new Hono<AppEnv>().post("/", async (c) => {
  const keyId = c.get("apiKeyId");
  if (c.get("authenticatedBy") !== "key" || !keyId) {
    throw new Forbidden("Login codes are minted with an API key, not from a dashboard session");
  }
  const code = newToken();
  const expiresAt = new Date(Date.now() + LOGIN_CODE_TTL_MS).toISOString();
  await createLoginCode(dbOf(c), await tokenHash(code), keyId, expiresAt);
  return c.json({ code, expiresAt }, 201);
});
