// The tenant's webhook settings: GET|PUT /api/v1/{tenant}/settings/webhooks, validated (422 naming
// the field), kept in the trigger object's SQLite across restarts, per tenant; and the default
// rate limit (burst 1000, 400/s) sustains 400 deliveries a second, checked on the object's clock.
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WebhookAnswer } from "../../worker/triggers/object";
import { triggersStub } from "../../worker/triggers/object";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { frozenTenant, triggersObject } from "../helpers/triggers";

const put = (t: TestTenant, body: unknown) =>
  t.fetch("settings/webhooks", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

const target = { namespace: "hooks", flowId: "echo", triggerId: "hook" };

/** Admits `n` deliveries at the object's current clock; counts the admitted ones. */
async function admitted(t: TestTenant, n: number): Promise<{ count: number; last: WebhookAnswer | undefined }> {
  const stub = triggersStub(env, t.tenantId);
  let count = 0;
  let last: WebhookAnswer | undefined;
  for (let i = 0; i < n; i++) {
    last = await stub.admitWebhook(t.tenantId, target);
    if (last.kind === "admitted") count++;
  }
  return { count, last };
}

describe("webhook settings", () => {
  it("reads the defaults, sets a rate limit that survives a restart, and leaves other tenants alone", async () => {
    const t = await createTenant();
    const initial = await t.fetch("settings/webhooks");
    expect(initial.status).toBe(200);
    expect(await initial.json()).toEqual({ rateLimit: { burst: 1000, perSecond: 400 } });
    const set = await put(t, { rateLimit: { burst: 50, perSecond: 12.5 } });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ rateLimit: { burst: 50, perSecond: 12.5 } });
    await evictDurableObject(triggersObject(t));
    expect(await (await t.fetch("settings/webhooks")).json()).toEqual({ rateLimit: { burst: 50, perSecond: 12.5 } });
    const other = await createTenant();
    expect(await (await other.fetch("settings/webhooks")).json()).toEqual({
      rateLimit: { burst: 1000, perSecond: 400 },
    });
  });

  it("answers 422 naming the field for a bad value, and keeps the setting it had", async () => {
    const t = await createTenant();
    const cases: [unknown, string][] = [
      [{ rateLimit: { burst: 0, perSecond: 10 } }, "rateLimit.burst"],
      [{ rateLimit: { burst: 1.5, perSecond: 10 } }, "rateLimit.burst"],
      [{ rateLimit: { burst: 10, perSecond: -1 } }, "rateLimit.perSecond"],
      [{ rateLimit: { burst: 10, perSecond: "fast" } }, "rateLimit.perSecond"],
      [{ rateLimit: { burst: 10 } }, "rateLimit.perSecond"],
      [{}, "rateLimit"],
    ];
    for (const [body, field] of cases) {
      const res = await put(t, body);
      expect(res.status).toBe(422);
      const error = (await res.json()) as { code: string; message: string };
      expect(error.code).toBe("invalid");
      expect(error.message.startsWith(`${field}:`)).toBe(true);
    }
    expect(await (await t.fetch("settings/webhooks")).json()).toEqual({ rateLimit: { burst: 1000, perSecond: 400 } });
  });

  it("admits a burst of 1000, then 400 a second sustained, with the wait in Retry-After seconds beyond", async () => {
    const t = await frozenTenant();
    const stub = triggersStub(env, t.tenantId);
    expect((await admitted(t, 1001)).count).toBe(1000);
    for (let second = 0; second < 3; second++) {
      await stub.advanceClock(1000);
      const { count, last } = await admitted(t, 401);
      expect(count).toBe(400);
      expect(last).toEqual({ kind: "limited", retryAfterSeconds: 1 });
    }
    // A slower limit set through the API applies at once, with a full bucket of the new size.
    expect((await put(t, { rateLimit: { burst: 2, perSecond: 0.1 } })).status).toBe(200);
    const { count, last } = await admitted(t, 3);
    expect(count).toBe(2);
    expect(last).toEqual({ kind: "limited", retryAfterSeconds: 10 });
  }, 60_000);
});
