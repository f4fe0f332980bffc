// A backfill's inputs that its flow declares SECRET: sealed in the tenant's trigger object (the
// backfill row and each pending firing), `******` in every triggers API answer, and opened only
// when a firing is launched, so each backfilled execution renders the real value (and seals it
// again for itself).
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openBackfillInputs, sealBackfillInputs } from "../../worker/triggers/backfill-inputs";
import { advanceSchedules } from "../../worker/triggers/schedule";
import { TriggerStore } from "../../worker/triggers/store";
import { logsOf, saveFlow, settled } from "../helpers/executions";
import { everyCellOf, everyDurableObjectCell } from "../helpers/leaks";
import { context, frozenTenant, indexed, triggersObject } from "../helpers/triggers";

const TOKEN = "backfill-token-3d81c0a7";
const KEY = { SECRETS_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" };

const flow = `id: bfs
namespace: sched
inputs:
  - id: token
    type: SECRET
  - id: when
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "token={{ inputs.token }} len={{ inputs.token | length }} when={{ inputs.when }}"
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 1 * *"
`;

const target = { namespace: "sched", flowId: "bfs", triggerId: "every" };

describe("backfill SECRET inputs", () => {
  it("are sealed in the trigger object and ****** in the triggers API, yet each backfilled execution renders them", async () => {
    const t = await frozenTenant();
    await saveFlow(t, flow);
    const res = await t.fetch("triggers", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        ...target,
        backfill: { start: "2024-01-01T00:00:00Z", end: "2024-03-01T00:00:00Z", inputs: { token: TOKEN, when: "bf" } },
      }),
    });
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect((JSON.parse(answer) as { backfill: { inputs: unknown } }).backfill.inputs).toEqual({
      token: "******",
      when: "bf",
    });
    expect((await context(t, "bfs")).backfill?.progress).toMatchObject({ done: 3, finished: true });

    expect(await indexed(t, "bfs", 3)).toBe(3);
    const search = await (await t.fetch("executions/search?flowId=bfs&size=10")).text();
    const ids = (JSON.parse(search) as { results: { id: string }[] }).results.map((r) => r.id);
    for (const id of ids) {
      const ex = await settled(t, id, (e) => e.state.current === "SUCCESS");
      expect(ex.inputs).toEqual({ token: "******", when: "bf" });
      // The length proves the execution received the plaintext.
      expect((await logsOf(t, id)).map((l) => l.message)).toContain(`token=****** len=${TOKEN.length} when=bf`);
      expect(await everyDurableObjectCell(t, id)).not.toContain(TOKEN);
    }

    // The pending firings hold the sealed values too: the backfill is walked again (the scheduler's
    // own pass, without the launch that would consume them) and the outbox rows are looked at.
    const pendingBefore = await runInDurableObject(triggersObject(t), async (_o: unknown, state) => {
      const store = new TriggerStore(state.storage);
      const row = store.get(target.namespace, target.flowId, target.triggerId);
      if (!row?.backfill) throw new Error("the backfill is gone");
      store.put({ ...row, backfill: { ...row.backfill, currentDate: row.backfill.start, done: 0 } });
      await advanceSchedules(store, t.tenantId, Date.parse("2025-03-03T10:00:00Z"));
      return store.pendingCount();
    });
    expect(pendingBefore).toBe(3);
    const cells = await everyCellOf(triggersObject(t));
    expect(cells).toContain('"sealedInputs"');
    expect(cells.includes(TOKEN)).toBe(false);

    const listed = [
      await (await t.fetch("triggers/sched/bfs")).text(),
      await (await t.fetch("triggers/search?namespace=sched")).text(),
    ];
    for (const haystack of [answer, search, ...listed]) expect(haystack.includes(TOKEN)).toBe(false);
  });

  it("open only under the tenant, trigger and backfill they were sealed for", async () => {
    const binding = { tenantId: "t1", namespace: "ns", flowId: "f", triggerId: "every", backfillId: "b1" };
    const declared = [{ id: "token", type: "SECRET" as const }];
    const { inputs, sealed } = await sealBackfillInputs(KEY, binding, declared, { token: TOKEN, other: 1 });
    expect(inputs).toEqual({ token: "******", other: 1 });
    expect(JSON.stringify(sealed)).not.toContain(TOKEN);
    expect(await openBackfillInputs(KEY, binding, sealed)).toEqual({ token: TOKEN });
    for (const moved of [{ tenantId: "t2" }, { backfillId: "b2" }, { triggerId: "other" }]) {
      await expect(openBackfillInputs(KEY, { ...binding, ...moved }, sealed)).rejects.toThrow();
    }
  });
});
