// Operator endpoints, outside tenant space: sign a tenant up (with its first key) and mint a key
// for an existing tenant. Guarded by OPERATOR_SECRET rather than an API key; when that secret is
// not configured they do not exist (404), so a deployment without one exposes nothing.
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { validator } from "hono/validator";
import * as z from "zod";
import { bearerToken, secretsEqual } from "../auth/keys";
import { RESERVED_TENANT_IDS } from "../auth/public-routes";
import { createApiKey, createTenant, tenantExists } from "../db/keys";
import { notFound, Unauthorized } from "../errors";
import { type AppEnv, dbOf } from "./context";
import { keyName } from "./keys";

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{1,62}$/;

const tenantId = z
  .string()
  .regex(TENANT_ID_PATTERN, "must match ^[a-z0-9][a-z0-9_-]{1,62}$")
  .refine((id) => !RESERVED_TENANT_IDS.has(id), "is reserved");

export const createTenantBody = z.object({
  id: tenantId,
  name: z.string().trim().min(1).max(200).optional(),
  keyName: keyName.optional(),
});

export const createKeyBody = z.object({ name: keyName.optional() });

const operatorOnly = createMiddleware<AppEnv>(async (c, next) => {
  const secret = c.env.OPERATOR_SECRET;
  if (!secret) throw notFound();
  const given = bearerToken(c.req.header("Authorization"));
  if (!given || !(await secretsEqual(given, secret))) throw new Unauthorized("Invalid operator secret");
  return next();
});

export const operator = new Hono<AppEnv>()
  .use(operatorOnly)
  .post(
    "/tenants",
    validator("json", (body) => createTenantBody.parse(body)),
    async (c) => {
      const body = c.req.valid("json");
      const created = await createTenant(dbOf(c), body.id, body.name ?? body.id, body.keyName ?? "Initial key");
      return c.json(created, 201);
    },
  )
  .post(
    "/tenants/:tenant/api-keys",
    validator("json", (body) => createKeyBody.parse(body)),
    async (c) => {
      const db = dbOf(c);
      const id = c.req.param("tenant");
      if (!(await tenantExists(db, id))) throw notFound(`Tenant '${id}' not found`);
      return c.json(await createApiKey(db, id, c.req.valid("json").name ?? "Operator key"), 201);
    },
  );

export type OperatorApp = typeof operator;
