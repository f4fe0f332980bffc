// Tenant settings under /api/v1/{tenant}/settings (a Peregrine addition; Kestra configures these
// per server). `webhooks`: the rate limit of the tenant's webhook deliveries, kept by its trigger
// object, which answers 429 + Retry-After beyond it. `limits`: what the tenant may start (creation
// rate, running executions, chain depth), kept by its limits object (launch/limits.ts).
import { Hono } from "hono";
import * as z from "zod";
import { tenantLimitsSettings, tenantLimitsStub } from "../concurrency/tenant-limits";
import { triggersStub } from "../triggers/object";
import type { AppEnv } from "./context";

export const webhookSettings = z.strictObject({
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
  })
  .get("/limits", async (c) => {
    const limits = tenantLimitsStub(c.env, c.get("tenantId"));
    const [settings, usage] = await Promise.all([limits.settings(), limits.usage()]);
    return c.json({ ...settings, usage }, 200);
  })
  .put("/limits", async (c) => {
    const body = tenantLimitsSettings.parse(await c.req.json());
    const limits = tenantLimitsStub(c.env, c.get("tenantId"));
    const settings = await limits.setSettings(body);
    return c.json({ ...settings, usage: await limits.usage() }, 200);
  });
