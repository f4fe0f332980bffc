// Looking up an execution id that does not exist answers 404 and leaves no storage behind: every
// lookup reaches the id's Durable Object, which must not make its tables until an execution is stored.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newId } from "../../worker/ids";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

function tablesOf(tenantId: string, id: string): Promise<number> {
  const stub = env.EXECUTIONS.get(env.EXECUTIONS.idFromName(`${tenantId}:${id}`));
  return runInDurableObject(stub, (_o, ctx) =>
    Number(ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master").one().n),
  );
}

describe("unknown execution ids", () => {
  it("answer 404 on every lookup without creating the object's storage", async () => {
    const t = await createTenant();
    const id = newId();
    for (const [path, method] of [
      [`executions/${id}`, "GET"],
      [`logs/${id}`, "GET"],
      [`metrics/${id}`, "GET"],
      [`executions/${id}/kill`, "DELETE"],
      [`executions/${id}/pause`, "POST"],
    ] as const) {
      const res = await t.fetch(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect(await tablesOf(t.tenantId, id)).toBe(0);
  });

  it("a real execution still has its tables and answers", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      "id: one\nnamespace: ids\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    );
    const ex = await runFlow(t, "ids", "one");
    expect(ex.state.current).toBe("SUCCESS");
    expect(await tablesOf(t.tenantId, ex.id)).toBeGreaterThan(0);
    expect((await t.fetch(`executions/${ex.id}`)).status).toBe(200);
  });
});
