// Triggers under /api/v1/{tenant}/triggers, Kestra's shapes: search and per-flow lists of
// {abstractTrigger, triggerContext} with the next date and last run; update (disable, or start a
// backfill); enable/disable in bulk; unlock; backfill pause, unpause and delete. The state lives
// in the tenant's trigger Durable Object, which also keeps it in step with flow writes.
import { Hono } from "hono";
import * as z from "zod";
import { invalid, notFound } from "../errors";
import type { TriggerOutcome, TriggerTarget } from "../triggers/object";
import { triggersStub } from "../triggers/object";
import type { TriggerRow } from "../triggers/store";
import type { AppEnv } from "./context";
import { pageOf } from "./query";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function contextJson(tenantId: string, r: TriggerRow) {
  const bf = r.backfill;
  return {
    tenantId,
    namespace: r.namespace,
    flowId: r.flowId,
    triggerId: r.triggerId,
    type: r.type,
    date: iso(r.lastDate),
    nextExecutionDate: r.inactive || r.disabled ? null : iso(r.nextDate),
    executionId: r.lastExecutionId,
    lastRunDate: iso(r.lastRunDate),
    updatedDate: iso(r.updatedAt),
    disabled: r.disabled || r.inactive,
    stopAfter: r.definition.stopAfter ?? null,
    lastError: r.lastError,
    backfill: bf && {
      start: iso(bf.start),
      end: iso(bf.end),
      currentDate: iso(Math.min(bf.currentDate, bf.end)),
      paused: bf.paused,
      inputs: bf.inputs ?? null,
      labels: bf.labels ?? [],
      progress: { done: bf.done, total: bf.total, finished: bf.currentDate > bf.end },
    },
  };
}

const itemJson = (tenantId: string, r: TriggerRow) => ({
  abstractTrigger: r.definition,
  triggerContext: contextJson(tenantId, r),
});

/** Kestra's triggerContext: the state of one trigger. */
export type TriggerContextJson = ReturnType<typeof contextJson>;
/** One entry of a trigger search: its definition and its state. */
export type TriggerItemJson = ReturnType<typeof itemJson>;

export const target = z.object({
  namespace: z.string().min(1),
  flowId: z.string().min(1),
  triggerId: z.string().min(1),
});

export const updateBody = target.extend({
  disabled: z.boolean().optional(),
  backfill: z
    .object({
      start: z.string(),
      end: z.string().nullable().optional(),
      inputs: z.record(z.string(), z.unknown()).nullable().optional(),
      labels: z
        .array(z.object({ key: z.string(), value: z.string() }))
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});

export const bulkDisable = z.object({ triggers: z.array(target), disabled: z.boolean() });

function unwrap(tenantId: string, outcome: TriggerOutcome) {
  if (outcome.ok) return contextJson(tenantId, outcome.row);
  throw outcome.reason === "not_found" ? notFound(outcome.message) : invalid(outcome.message);
}

const asTarget = (t: z.infer<typeof target>): TriggerTarget => ({
  namespace: t.namespace,
  flowId: t.flowId,
  triggerId: t.triggerId,
});

export const triggersApi = new Hono<AppEnv>()
  .get("/search", async (c) => {
    const tenantId = c.get("tenantId");
    const q = c.req.query();
    const { page, size } = pageOf(q);
    const text = q.q?.toLowerCase();
    const rows = (await triggersStub(c.env, tenantId).list(tenantId)).filter(
      (r) =>
        (!q.namespace || r.namespace === q.namespace || r.namespace.startsWith(`${q.namespace}.`)) &&
        (!q.flowId || r.flowId === q.flowId) &&
        (!text || `${r.namespace} ${r.flowId} ${r.triggerId}`.toLowerCase().includes(text)),
    );
    const results = rows.slice((page - 1) * size, page * size).map((r) => itemJson(tenantId, r));
    return c.json({ results, total: rows.length }, 200);
  })
  .get("/:namespace/:flowId", async (c) => {
    const tenantId = c.get("tenantId");
    const { namespace, flowId } = c.req.param();
    const rows = (await triggersStub(c.env, tenantId).list(tenantId)).filter(
      (r) => r.namespace === namespace && r.flowId === flowId,
    );
    return c.json({ results: rows.map((r) => itemJson(tenantId, r)), total: rows.length }, 200);
  })
  .put("/", async (c) => {
    const tenantId = c.get("tenantId");
    const body = updateBody.parse(await c.req.json());
    const stub = triggersStub(c.env, tenantId);
    let outcome: TriggerOutcome | undefined;
    if (body.backfill) {
      outcome = await stub.createBackfill(tenantId, asTarget(body), {
        start: body.backfill.start,
        end: body.backfill.end ?? undefined,
        inputs: body.backfill.inputs ?? undefined,
        labels: body.backfill.labels ?? undefined,
      });
      if (!outcome.ok) unwrap(tenantId, outcome);
    }
    if (body.disabled !== undefined) outcome = await stub.setDisabled(tenantId, asTarget(body), body.disabled);
    outcome ??= await stub.setDisabled(tenantId, asTarget(body), false);
    return c.json(unwrap(tenantId, outcome), 200);
  })
  .post("/set-disabled/by-triggers", async (c) => {
    const tenantId = c.get("tenantId");
    const body = bulkDisable.parse(await c.req.json());
    const stub = triggersStub(c.env, tenantId);
    let count = 0;
    for (const t of body.triggers) if ((await stub.setDisabled(tenantId, asTarget(t), body.disabled)).ok) count++;
    return c.json({ count }, 200);
  })
  .post("/:namespace/:flowId/:triggerId/unlock", async (c) => {
    const tenantId = c.get("tenantId");
    return c.json(unwrap(tenantId, await triggersStub(c.env, tenantId).unlock(tenantId, asTarget(c.req.param()))), 200);
  })
  .put("/backfill/pause", async (c) => {
    const tenantId = c.get("tenantId");
    const t = target.parse(await c.req.json());
    return c.json(unwrap(tenantId, await triggersStub(c.env, tenantId).setBackfillPaused(tenantId, t, true)), 200);
  })
  .put("/backfill/unpause", async (c) => {
    const tenantId = c.get("tenantId");
    const t = target.parse(await c.req.json());
    return c.json(unwrap(tenantId, await triggersStub(c.env, tenantId).setBackfillPaused(tenantId, t, false)), 200);
  })
  .post("/backfill/delete", async (c) => {
    const tenantId = c.get("tenantId");
    const t = target.parse(await c.req.json());
    return c.json(unwrap(tenantId, await triggersStub(c.env, tenantId).deleteBackfill(tenantId, t)), 200);
  });
