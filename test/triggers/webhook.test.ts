// Webhook triggers through the public route: key checks, trigger variables, conditions, inputs,
// wait/returnOutputs, idempotent deliveries under concurrency, the per-tenant rate limit, body size.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { executionStub } from "../../worker/execution/object";
import { examples } from "../fixtures/examples";
import { logsOf, saveFlow } from "../helpers/executions";
import { BASE, createTenant, type TestTenant } from "../helpers/tenant";

const hook = (t: TestTenant, rest: string, init?: RequestInit) =>
  exports.default.fetch(`${BASE}/api/v1/${t.tenantId}/executions/webhook/${rest}`, init);

async function ended(t: TestTenant, id: string): Promise<ExecutionJson> {
  const json = await executionStub(env, t.tenantId, id).waitForEnd(10_000);
  if (!json) throw new Error(`no execution ${id}`);
  return json;
}

/** Executions of the flow in the D1 index, which is written asynchronously: polls until `expected` or a deadline. */
async function executionsOf(t: TestTenant, flowId: string, expected: number): Promise<number> {
  let total = -1;
  for (let i = 0; i < 30; i++) {
    const res = await t.fetch(`executions/search?flowId=${flowId}&size=100`);
    total = ((await res.json()) as { total: number }).total;
    if (total === expected && (expected > 0 || i >= 3)) return total;
    await new Promise((r) => setTimeout(r, 100));
  }
  return total;
}

const ECHO = `
id: echo
namespace: hooks
inputs:
  - id: who
    type: STRING
    defaults: nobody
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.who }} {{ trigger.body }} {{ trigger.headers['x-extra'] ?? '-' }} {{ trigger.parameters.p ?? '-' }}"
outputs:
  - id: who
    type: STRING
    value: "{{ inputs.who }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: s3cret-key
    inputs:
      who: "{{ trigger.body.name ?? 'anon' }}"
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.parameters.skip is not defined }}"
  - id: waiting
    type: io.kestra.plugin.core.trigger.Webhook
    key: wait-key
    wait: true
    returnOutputs: true
    inputs:
      who: waited
`;

describe("webhook trigger", () => {
  it("starts an execution with body, headers, parameters and rendered inputs", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const res = await hook(t, "hooks/echo/s3cret-key?p=1&p=2", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Extra": "yes" },
      body: JSON.stringify({ name: "ada", n: 1 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      trigger: { variables: Record<string, unknown> };
      tenantId: string;
    };
    expect(body.tenantId).toBe(t.tenantId);
    expect(body.trigger.variables.body).toEqual({ name: "ada", n: 1 });
    expect(body.trigger.variables.parameters).toEqual({ p: ["1", "2"] });
    expect((body.trigger.variables.headers as Record<string, string[]>)["x-extra"]).toEqual(["yes"]);
    const done = await ended(t, body.id);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.inputs).toEqual({ who: "ada" });
    const logs = await logsOf(t, body.id);
    expect(logs.map((l) => l.message)).toContain('ada {"name":"ada","n":1} ["yes"] ["1","2"]');
  });

  it("keeps a non-JSON body as raw text and accepts GET and PUT", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const put = await hook(t, "hooks/echo/s3cret-key", { method: "PUT", body: "plain words" });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { trigger: { variables: { body: unknown } } }).trigger.variables.body).toBe(
      "plain words",
    );
    const get = await hook(t, "hooks/echo/s3cret-key");
    expect(get.status).toBe(200);
  });

  it("answers 404 for a wrong key or an unknown flow and starts nothing; 409 for a disabled flow", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    expect((await hook(t, "hooks/echo/s3cret-kez", { method: "POST" })).status).toBe(404);
    expect((await hook(t, "hooks/nope/s3cret-key", { method: "POST" })).status).toBe(404);
    const other = await createTenant();
    expect((await hook(other, "hooks/echo/s3cret-key", { method: "POST" })).status).toBe(404);
    expect(await executionsOf(t, "echo", 0)).toBe(0);
    await saveFlow(t, ECHO.replace("id: echo", "id: off").concat("disabled: true\n"));
    expect((await hook(t, "hooks/off/s3cret-key", { method: "POST" })).status).toBe(409);
  });

  it("follows every change of the flow: a new key, new conditions, disabled, enabled, deleted", async () => {
    const t = await createTenant();
    const update = async (source: string) => {
      const res = await t.fetch("flows/hooks/echo", {
        method: "PUT",
        headers: { "Content-Type": "application/x-yaml" },
        body: source,
      });
      expect(res.status).toBe(200);
    };
    const revisionOf = async (res: Response) => {
      expect(res.status).toBe(200);
      return ((await res.json()) as { flowRevision: number }).flowRevision;
    };
    await saveFlow(t, ECHO);
    expect(await revisionOf(await hook(t, "hooks/echo/s3cret-key", { method: "POST" }))).toBe(1);
    expect(await revisionOf(await hook(t, "hooks/echo/s3cret-key", { method: "POST" }))).toBe(1);
    await update(ECHO.replace("key: s3cret-key", "key: n3w-key-2"));
    expect((await hook(t, "hooks/echo/s3cret-key", { method: "POST" })).status).toBe(404);
    expect(await revisionOf(await hook(t, "hooks/echo/n3w-key-2", { method: "POST" }))).toBe(2);
    // New conditions: the kept flow would have let this one through, the stored one turns it away.
    await update(ECHO.replace("key: s3cret-key", "key: n3w-key-2").replace("skip is not defined", "go is defined"));
    expect((await hook(t, "hooks/echo/n3w-key-2", { method: "POST" })).status).toBe(204);
    await update(ECHO.replace("key: s3cret-key", "key: n3w-key-2"));
    expect(await revisionOf(await hook(t, "hooks/echo/n3w-key-2", { method: "POST" }))).toBe(4);
    await update(ECHO.concat("disabled: true\n"));
    expect((await hook(t, "hooks/echo/s3cret-key", { method: "POST" })).status).toBe(409);
    await update(ECHO);
    expect(await revisionOf(await hook(t, "hooks/echo/s3cret-key", { method: "POST" }))).toBe(6);
    expect((await t.fetch("flows/hooks/echo", { method: "DELETE" })).status).toBeLessThan(300);
    expect((await hook(t, "hooks/echo/s3cret-key", { method: "POST" })).status).toBe(404);
  });

  it("answers 404 for a trigger disabled in the flow or through the API", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO.replace("key: wait-key", "key: wait-key\n    disabled: true"));
    expect((await hook(t, "hooks/echo/wait-key", { method: "POST" })).status).toBe(404);
    const res = await t.fetch("triggers", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ namespace: "hooks", flowId: "echo", triggerId: "hook", disabled: true }),
    });
    expect(res.status).toBe(200);
    expect((await hook(t, "hooks/echo/s3cret-key", { method: "POST" })).status).toBe(404);
  });

  it("answers 204 and starts nothing when the trigger's conditions are not met", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const res = await hook(t, "hooks/echo/s3cret-key?skip=1", { method: "POST", body: "{}" });
    expect(res.status).toBe(204);
    expect(await executionsOf(t, "echo", 0)).toBe(0);
  });

  it("waits for the end and answers with the flow outputs when asked to", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const res = await hook(t, "hooks/echo/wait-key", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ who: "waited" });
  });

  it("starts exactly one execution for 50 concurrent deliveries with one Idempotency-Key", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const deliveries = await Promise.all(
      Array.from({ length: 50 }, () =>
        hook(t, "hooks/echo/s3cret-key", {
          method: "POST",
          headers: { "Idempotency-Key": "order-42", "Content-Type": "application/json" },
          body: JSON.stringify({ name: "once" }),
        }),
      ),
    );
    expect(deliveries.map((r) => r.status)).toEqual(Array(50).fill(200));
    const ids = new Set(await Promise.all(deliveries.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const [id = ""] = [...ids];
    expect((await ended(t, id)).state.current).toBe("SUCCESS");
    // A later delivery with another key starts a second one.
    const other = await hook(t, "hooks/echo/s3cret-key", {
      method: "POST",
      headers: { "Idempotency-Key": "order-43" },
    });
    expect(((await other.json()) as { id: string }).id).not.toBe(id);
    expect(await executionsOf(t, "echo", 2)).toBe(2);
  });

  it("de-duplicates by a configured body path (idempotencyKey) when no header is sent", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      `id: orders
namespace: hooks
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.body.orderId }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: orders-key
    idempotencyKey: "{{ trigger.body.orderId }}"
`,
    );
    const send = (orderId: string) =>
      hook(t, "hooks/orders/orders-key", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ orderId }),
      }).then(async (r) => ((await r.json()) as { id: string }).id);
    const [a, b, c] = await Promise.all([send("A-1"), send("A-1"), send("B-2")]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(await executionsOf(t, "orders", 2)).toBe(2);
  });

  it("answers 429 with Retry-After beyond the tenant's rate, and every accepted delivery has its execution", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const set = await t.fetch("settings/webhooks", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      // One token per 1,000 s: no refill between the eight requests, however slow a loaded machine makes them.
      body: JSON.stringify({ rateLimit: { burst: 5, perSecond: 0.001 } }),
    });
    expect(set.status).toBe(200);
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await hook(t, "hooks/echo/s3cret-key", { method: "POST" }));
    const accepted = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(5);
    expect(limited).toHaveLength(3);
    expect(Number(limited[0]?.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    for (const r of accepted) {
      const { id } = (await r.json()) as { id: string };
      expect((await ended(t, id)).state.current).toBe("SUCCESS");
    }
    // Other tenants have their own bucket.
    const other = await createTenant();
    await saveFlow(other, ECHO);
    expect((await hook(other, "hooks/echo/s3cret-key", { method: "POST" })).status).toBe(200);
  });

  it("refuses a body over the limit with 413", async () => {
    const t = await createTenant();
    await saveFlow(t, ECHO);
    const res = await hook(t, "hooks/echo/s3cret-key", { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  it("hello-world.yaml logs the posted JSON body as JSON; a wrong key is 404", async () => {
    const t = await createTenant();
    await saveFlow(t, examples["hello-world"] ?? "");
    const res = await hook(t, "dev/hello-world/test1234", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ hello: "world", n: [1, 2] }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    await ended(t, id);
    expect((await logsOf(t, id)).map((l) => l.message)).toContain('{"hello":"world","n":[1,2]}');
    expect((await hook(t, "dev/hello-world/wrong", { method: "POST", body: "{}" })).status).toBe(404);
  });
});
