// Tenant settings under /api/v1/{tenant}/settings (a Peregrine addition; Kestra configures these
// per server). `webhooks`: the rate limit of the tenant's webhook deliveries, kept by its trigger
// object, which answers 429 + Retry-After beyond it.
import { Hono } from "hono";
import * as z from "zod";
import { triggersStub } from "../triggers/object";
import type { AppEnv } from "./context";

const webhookSettings = z.strictObject({
  rateLimit: z.strictObject({
    burst: z.number().int().min(1).max(1_000_000),
    perSecond: z.number().positive().max(100_000),
  }),
});

export const settingsApi = new Hono<AppEnv>()
  .get("/webhooks", async (c) => {
    const tenantId = c.get("tenantId");
    return c.json(await triggersStub(c.env, tenantId).webhookSettings(tenantId), 200);
  })
  .put("/webhooks", async (c) => {
    const tenantId = c.get("tenantId");
    const body = webhookSettings.parse(await c.req.json());
    return c.json(await triggersStub(c.env, tenantId).setWebhookSettings(tenantId, body), 200);
  });
