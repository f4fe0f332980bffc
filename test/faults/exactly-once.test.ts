// Fault suite, R7/R8: exactly one execution per webhook Idempotency-Key and per schedule tick,
// under concurrency and restarts. R7: keys delivered by many concurrent requests in two waves with
// the tenant's trigger object evicted between them. R8: schedule ticks whose alarm is delivered
// concurrently with a second delivery, the object evicted every few ticks. Prints its figures.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TriggersDurableObject } from "../../worker/triggers/durable-object";
import { triggersStub } from "../../worker/triggers/object";
import { saveFlow } from "../helpers/executions";
import { BASE, createTenant } from "../helpers/tenant";
import { context, frozenTenant, indexed, triggersObject } from "../helpers/triggers";

const LARGE = !!env.FAULTS_LARGE;
const KEYS = LARGE ? 50 : 10;
const PER_KEY = LARGE ? 20 : 8;
const TICKS = LARGE ? 300 : 60;

const HOOK = `id: hooked
namespace: once
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.n }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: once-key-12345
`;

const TICKING = `id: ticking
namespace: sched
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
    recoverMissedSchedules: ALL
    allowConcurrent: true
`;

describe("fault suite: exactly once (R7/R8)", () => {
  it(`R7: ${KEYS} idempotency keys × ${PER_KEY} concurrent deliveries in two waves, the object evicted between: ${KEYS} executions`, async () => {
    const t = await createTenant();
    await saveFlow(t, HOOK);
    const deliver = (key: number, n: number) =>
      exports.default
        .fetch(`${BASE}/api/v1/${t.tenantId}/executions/webhook/once/hooked/once-key-12345`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "Idempotency-Key": `key-${key}` },
          body: JSON.stringify({ n }),
        })
        .then(async (r) => ({ key, status: r.status, id: ((await r.json()) as { id?: string }).id }));
    const wave = () => Promise.all(Array.from({ length: KEYS * PER_KEY }, (_, i) => deliver(i % KEYS, i)));
    const first = await wave();
    await evictDurableObject(triggersObject(t));
    const second = await wave();
    const all = [...first, ...second];
    expect(all.filter((r) => r.status !== 200)).toEqual([]);
    const idsByKey = new Map<number, Set<string | undefined>>();
    for (const r of all) idsByKey.set(r.key, (idsByKey.get(r.key) ?? new Set()).add(r.id));
    expect([...idsByKey.values()].map((s) => s.size)).toEqual(Array(KEYS).fill(1));
    expect(await indexed(t, "hooked", KEYS)).toBe(KEYS);
    console.log(
      `fault suite, R7: ${all.length} deliveries of ${KEYS} keys (one eviction between waves): ${KEYS} executions`,
    );
  }, 120_000);

  it(`R8: ${TICKS} schedule ticks, each alarm delivered twice at once, evictions every 7 ticks: ${TICKS} executions`, async () => {
    const t = await frozenTenant();
    await saveFlow(t, TICKING);
    const first = (await context(t, "ticking")).nextExecutionDate;
    const stub = triggersStub(env, t.tenantId);
    const object = triggersObject(t);
    for (let i = 0; i < TICKS; i++) {
      await stub.advanceClock(1000);
      await Promise.all([
        runDurableObjectAlarm(object),
        runInDurableObject(object, (o: TriggersDurableObject) => o.alarm()),
      ]);
      if (i % 7 === 6) await evictDurableObject(object);
    }
    const last = (await context(t, "ticking")).date;
    const ticks = (Date.parse(last ?? "") - Date.parse(first ?? "")) / 1000 + 1;
    expect(ticks).toBe(TICKS);
    expect(await indexed(t, "ticking", TICKS)).toBe(TICKS);
    console.log(
      `fault suite, R8: ${TICKS} ticks, each alarm delivered twice concurrently, evicted every 7: ${TICKS} executions`,
    );
  }, 120_000);
});
