// Keeping the tenant's trigger rows in step with its flows in D1, which stay the source of truth:
// a flow write calls in right after its commit, and the minute cron reconciles whatever a lost
// call missed. A Schedule keeps its cursor across updates that leave its cron alone, so a flow
// saved around a tick neither repeats nor loses that tick.
import type { Flow, Trigger } from "../../schema/flow/types";
import { database } from "../db/client";
import { findFlowRow, flowsWithTriggers } from "../db/flows";
import { compile, nextAfter } from "./cron";
import type { TriggerRow, TriggerStore } from "./store";

export const SCHEDULE = "io.kestra.plugin.core.trigger.Schedule";
export const FLOW = "io.kestra.plugin.core.trigger.Flow";
export const WEBHOOK = "io.kestra.plugin.core.trigger.Webhook";

export interface FlowState {
  revision: number;
  flow: Flow;
  disabled: boolean;
  deleted: boolean;
}

const cronOf = (t: Trigger) => JSON.stringify([t.cron, t.withSeconds ?? false, t.timezone ?? null]);

/** The first occurrence after `after`, or the reason there is none. */
export function firstAfter(t: Trigger, after: number): { next: number | null; error: string | null } {
  try {
    const cron = compile({ cron: String(t.cron), withSeconds: t.withSeconds === true, timezone: asTz(t.timezone) });
    return { next: nextAfter(cron, after) ?? null, error: null };
  } catch (e) {
    return { next: null, error: `cron: ${(e as Error).message}` };
  }
}

export const asTz = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** Applies one flow's current definition (undefined: gone) to its trigger rows. */
export function applyFlow(
  store: TriggerStore,
  namespace: string,
  flowId: string,
  current: FlowState | undefined,
  now: number,
): void {
  const existing = store.ofFlow(namespace, flowId);
  // A late call carrying an older revision than one already applied changes nothing.
  if (current && existing.some((e) => e.revision > current.revision)) return;
  const wanted = current && !current.deleted ? (current.flow.triggers ?? []) : [];
  for (const e of existing) if (!wanted.some((t) => t.id === e.triggerId)) store.remove(namespace, flowId, e.triggerId);
  if (!current) return;
  for (const t of wanted) {
    const prev = existing.find((e) => e.triggerId === t.id && e.type === t.type);
    const inactive = current.disabled || t.disabled === true;
    const row: TriggerRow = {
      namespace,
      flowId,
      triggerId: t.id,
      type: t.type,
      revision: current.revision,
      definition: t,
      inactive,
      disabled: prev?.disabled ?? false,
      nextDate: null,
      lastDate: prev?.lastDate ?? null,
      lastExecutionId: prev?.lastExecutionId ?? null,
      lastRunDate: prev?.lastRunDate ?? null,
      lastError: null,
      backfill: prev?.backfill ?? null,
      updatedAt: now,
    };
    if (t.type === SCHEDULE && !inactive) {
      const keep = prev && !prev.inactive && prev.nextDate !== null && cronOf(prev.definition) === cronOf(t);
      if (keep) row.nextDate = prev.nextDate;
      else {
        const planned = firstAfter(t, Math.max(now, prev?.lastDate ?? Number.NEGATIVE_INFINITY));
        row.nextDate = planned.next;
        row.lastError = planned.error;
      }
    }
    store.put(row);
  }
}

/** Reads one flow's current row from D1. */
export async function readFlow(env: Env, tenantId: string, namespace: string, flowId: string) {
  const row = await findFlowRow(database(env.DB), tenantId, namespace, flowId);
  if (!row) return undefined;
  const state: FlowState = {
    revision: row.revision,
    flow: JSON.parse(row.model) as Flow,
    disabled: row.disabled,
    deleted: row.deleted,
  };
  return state;
}

/** Brings every row in line with D1: flows changed since, flows gone, flows never seen. */
export async function reconcile(env: Env, tenantId: string, store: TriggerStore, now: () => number): Promise<void> {
  const live = await flowsWithTriggers(database(env.DB), tenantId);
  const known = new Map<string, number>();
  for (const r of store.all()) known.set(`${r.namespace}\u0000${r.flowId}`, r.revision);
  const stale = new Set<string>();
  for (const f of live) {
    const key = `${f.namespace}\u0000${f.id}`;
    if (known.get(key) !== f.revision) stale.add(key);
    known.delete(key);
  }
  for (const key of known.keys()) stale.add(key);
  for (const key of stale) {
    const [namespace = "", flowId = ""] = key.split("\u0000");
    const current = await readFlow(env, tenantId, namespace, flowId);
    applyFlow(store, namespace, flowId, current, now());
  }
}
