// One pass of the scheduler over a tenant's Schedule triggers: for each trigger whose next date has
// come, the occurrences to start (per recoverMissedSchedules and lateMaximumDelay, and whose
// conditions hold) go into the outbox and the cursor moves past them in one transaction; running
// backfills advance the same way. Ids derive from (flow, trigger, date), and a cursor that moved
// meanwhile voids the pass for that trigger, so a tick handled twice (double alarm, restart,
// concurrent call) starts once.
//
// Schedules do not overlap (Kestra): unless `allowConcurrent`, a trigger starts one occurrence and
// is locked by it (lastExecutionId) until that execution ends; ticks that fall meanwhile stay due
// and are handled per recoverMissedSchedules once it is unlocked (ALL: one after another).
import type { Trigger } from "../../schema/flow/types";
import { derivedId } from "../ids";
import { parseDurationMs } from "../tasks/duration";
import { conditionsMet } from "./conditions";
import { compile, nextAfter, occurrences, planDue, previousBefore, type RecoverMode } from "./cron";
import type { PendingStart, TriggerRow, TriggerStore } from "./store";
import { asTz, SCHEDULE } from "./sync";

/** Executions put in the outbox per trigger per pass; more wait for the next (immediate) pass. */
export const BATCH = 100;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

const cronOf = (t: Trigger) =>
  compile({ cron: String(t.cron), withSeconds: t.withSeconds === true, timezone: asTz(t.timezone) });

export const triggerKey = (tenantId: string, r: { namespace: string; flowId: string; triggerId: string }) =>
  `${tenantId}/${r.namespace}/${r.flowId}/${r.triggerId}`;

async function firing(
  tenantId: string,
  row: TriggerRow,
  cron: ReturnType<typeof compile>,
  date: number,
  purpose: string,
  extra: Partial<PendingStart> = {},
): Promise<PendingStart> {
  return {
    executionId: await derivedId(triggerKey(tenantId, row), `${purpose}:${iso(date)}`),
    namespace: row.namespace,
    flowId: row.flowId,
    trigger: row.definition,
    variables: { date: iso(date), next: iso(nextAfter(cron, date)), previous: iso(previousBefore(cron, date)) },
    calendar: { date, timezone: asTz(row.definition.timezone) },
    ...extra,
  };
}

function recoverMode(t: Trigger): RecoverMode {
  const m = t.recoverMissedSchedules;
  return m === "LAST" || m === "NONE" ? m : "ALL";
}

/**
 * The firings among due dates whose conditions hold, oldest first; a locking trigger takes only the
 * first. `handled` is the last date looked at (the new cursor): dates after it stay due.
 */
async function admissible(
  tenantId: string,
  row: TriggerRow,
  cron: ReturnType<typeof compile>,
  dates: number[],
  locking: boolean,
): Promise<{ starts: PendingStart[]; handled: number | undefined; error: string | null }> {
  const starts: PendingStart[] = [];
  let handled: number | undefined;
  let error: string | null = null;
  const flow = { id: row.flowId, namespace: row.namespace, revision: row.revision, tenantId };
  for (const date of dates) {
    const start = await firing(tenantId, row, cron, date, "schedule");
    const outcome = await conditionsMet(row.definition.conditions, {
      vars: { flow, trigger: start.variables },
      date,
      timezone: start.calendar?.timezone,
    });
    handled = date;
    if (outcome.met) {
      starts.push(start);
      if (locking) break;
    } else if (outcome.error) error = outcome.error;
  }
  return { starts, handled, error };
}

/** Advances due schedules; returns whether more is already due (call again at once). */
export async function advanceSchedules(store: TriggerStore, tenantId: string, now: number): Promise<boolean> {
  let more = false;
  for (const row of store.ofType(SCHEDULE)) {
    if (row.inactive || row.disabled) continue;
    let cron: ReturnType<typeof compile>;
    try {
      cron = cronOf(row.definition);
    } catch (e) {
      store.put({ ...row, nextDate: null, lastError: `cron: ${(e as Error).message}` });
      continue;
    }
    const locking = row.definition.allowConcurrent !== true;
    const locked = locking && row.lastExecutionId !== null;
    if (row.nextDate !== null && row.nextDate <= now && !locked) {
      const late = row.definition.lateMaximumDelay;
      const plan = planDue(cron, row.nextDate, now, recoverMode(row.definition), {
        lateMaximumDelayMs: typeof late === "string" ? parseDurationMs(late) : undefined,
        limit: BATCH,
      });
      const { starts, handled, error } = await admissible(tenantId, row, cron, plan.fire, locking);
      const holder = locking ? starts[0]?.executionId : undefined;
      // A locking trigger that started one stops there: the dates after it wait for the unlock.
      const cursor = holder !== undefined && handled !== undefined ? handled : plan.cursor;
      const seen = row.nextDate;
      store.transaction(() => {
        const fresh = store.get(row.namespace, row.flowId, row.triggerId);
        if (!fresh || fresh.nextDate !== seen || fresh.revision !== row.revision) return;
        if (fresh.lastExecutionId !== row.lastExecutionId) return;
        for (const s of starts) store.enqueue(s);
        store.put({
          ...fresh,
          lastDate: cursor,
          nextDate: nextAfter(cron, cursor) ?? null,
          lastExecutionId: holder ?? fresh.lastExecutionId,
          lastError: error ?? fresh.lastError,
          updatedAt: now,
        });
      });
      more ||= holder === undefined && plan.more;
    }
    more = (await advanceBackfill(store, tenantId, row, cron, now)) || more;
  }
  return more;
}

async function advanceBackfill(
  store: TriggerStore,
  tenantId: string,
  row: TriggerRow,
  cron: ReturnType<typeof compile>,
  now: number,
): Promise<boolean> {
  const bf = row.backfill;
  if (!bf || bf.paused || bf.currentDate > bf.end) return false;
  const dates = occurrences(cron, bf.currentDate, bf.end, BATCH);
  const extra: Partial<PendingStart> = { labels: bf.labels ?? [], inputs: bf.inputs ?? {} };
  if (bf.sealedInputs) extra.sealedInputs = { backfillId: bf.id, inputs: bf.sealedInputs };
  const starts = await Promise.all(dates.map((d) => firing(tenantId, row, cron, d, `backfill:${bf.id}`, extra)));
  let more = false;
  store.transaction(() => {
    const fresh = store.get(row.namespace, row.flowId, row.triggerId);
    const cur = fresh?.backfill;
    if (!fresh || !cur || cur.id !== bf.id || cur.currentDate !== bf.currentDate || cur.paused) return;
    for (const s of starts) store.enqueue(s);
    const last = dates.at(-1);
    const currentDate = dates.length < BATCH || last === undefined ? bf.end + 1 : last + 1;
    store.put({ ...fresh, backfill: { ...cur, currentDate, done: cur.done + dates.length }, updatedAt: now });
    more = currentDate <= bf.end;
  });
  return more;
}

/** Counts occurrences up to a cap, for a backfill's progress. */
export function countOccurrences(t: Trigger, start: number, end: number, cap: number): number {
  return occurrences(cronOf(t), start, end, cap).length;
}
