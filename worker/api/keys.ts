// A tenant's own API keys: list (prefix, name, dates; never the key or its hash), create (the key
// is in this one response and nowhere else), revoke (effective on the next request).
import { Hono } from "hono";
import { validator } from "hono/validator";
import * as z from "zod";
import { createApiKey, listApiKeys, revokeApiKey } from "../db/keys";
import { type AppEnv, dbOf } from "./context";

export const keyName = z.string().trim().min(1).max(100);
export const createBody = z.object({ name: keyName.optional() });

export const apiKeys = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ results: await listApiKeys(dbOf(c), c.get("tenantId")) }, 200))
  .post(
    "/",
    validator("json", (body) => createBody.parse(body)),
    async (c) => {
      const { name } = c.req.valid("json");
      return c.json(await createApiKey(dbOf(c), c.get("tenantId"), name ?? "API key"), 201);
    },
  )
  .delete("/:id", async (c) => {
    await revokeApiKey(dbOf(c), c.get("tenantId"), c.req.param("id"));
    return c.body(null, 204);
  });

export type ApiKeysApp = typeof apiKeys;
