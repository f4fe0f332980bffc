// Flow triggers (spec §9.2): when an execution of the tenant ends, each Flow trigger whose states,
// conditions and preconditions accept it gets one firing, keyed by the upstream execution id. The
// first sighting of (upstream, trigger), the precondition progress and the outbox row are written
// in one transaction, so a redelivered end neither counts twice nor fires twice.
import type { Trigger } from "../../schema/flow/types";
import { isTerminal } from "../engine/state";
import type { StateType } from "../engine/types";
import { derivedId } from "../ids";
import { parseDurationMs } from "../tasks/duration";
import { conditionsMet, type UpstreamView } from "./conditions";
import type { PendingStart, TriggerStore } from "./store";
import { FLOW } from "./sync";

const DAY_MS = 86_400_000;

interface Preconditions {
  id?: string;
  timeWindow?: Record<string, unknown>;
  resetOnSuccess?: boolean;
  flows?: { namespace: string; flowId: string; states?: string[]; labels?: Record<string, string> }[];
  where?: { id: string; operand?: "AND" | "OR"; filters: Filter[] }[];
}

interface Filter {
  field: "FLOW_ID" | "NAMESPACE" | "STATE" | "EXPRESSION";
  type: string;
  value?: string;
  values?: string[];
}

/** Which precondition entries were met, and when. */
interface Progress {
  windowStart: number;
  matched: Record<string, number>;
}

export const upstreamVariables = (u: UpstreamView) => ({
  executionId: u.id,
  namespace: u.namespace,
  flowId: u.flowId,
  flowRevision: u.flowRevision,
  state: u.state,
  outputs: u.outputs ?? {},
});

function filterHolds(f: Filter, u: UpstreamView, expression: () => boolean): boolean {
  const actual =
    f.field === "FLOW_ID" ? u.flowId : f.field === "NAMESPACE" ? u.namespace : f.field === "STATE" ? u.state : "";
  const value = f.value ?? "";
  switch (f.type) {
    case "EQUAL_TO":
      return actual === value;
    case "NOT_EQUAL_TO":
      return actual !== value;
    case "IN":
      return (f.values ?? []).includes(actual);
    case "NOT_IN":
      return !(f.values ?? []).includes(actual);
    case "STARTS_WITH":
      return actual.startsWith(value);
    case "ENDS_WITH":
      return actual.endsWith(value);
    case "CONTAINS":
      return actual.includes(value);
    case "REGEX":
      return new RegExp(`^(?:${value})$`).test(actual);
    case "IS_TRUE":
      return f.field === "EXPRESSION" ? expression() : actual === "true";
    case "IS_FALSE":
      return f.field === "EXPRESSION" ? !expression() : actual === "false";
    case "IS_NULL":
      return actual === "";
    case "IS_NOT_NULL":
      return actual !== "";
    default:
      return false;
  }
}

/** The precondition entries this upstream end satisfies. EXPRESSION filters use the Expression condition. */
async function entriesMet(pre: Preconditions, u: UpstreamView, vars: Record<string, unknown>): Promise<string[]> {
  const met: string[] = [];
  (pre.flows ?? []).forEach((f, i) => {
    const states = f.states ?? [];
    const labels = Object.entries(f.labels ?? {});
    if (
      f.namespace === u.namespace &&
      f.flowId === u.flowId &&
      (states.length === 0 || states.includes(u.state)) &&
      labels.every(([k, v]) => u.labels.some((l) => l.key === k && l.value === v))
    ) {
      met.push(`flows[${i}]`);
    }
  });
  for (const w of pre.where ?? []) {
    const results: boolean[] = [];
    for (const f of w.filters) {
      let expr = false;
      if (f.field === "EXPRESSION") {
        expr = (await conditionsMet([{ type: "Expression", expression: f.value ?? "" }], { vars, execution: u })).met;
      }
      results.push(filterHolds(f, u, () => expr));
    }
    if (w.operand === "OR" ? results.some(Boolean) : results.every(Boolean)) met.push(`where.${w.id}`);
  }
  return met;
}

const entryCount = (pre: Preconditions) => (pre.flows?.length ?? 0) + (pre.where?.length ?? 0);

const dur = (v: unknown, fallback: number) => (typeof v === "string" ? parseDurationMs(v) : fallback);

function secondsOfDay(v: unknown, fallback: number): number {
  const m = typeof v === "string" ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(v) : null;
  return m ? (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0)) * 1000 : fallback;
}

/**
 * The window `now` belongs to and whether matches count at all right now. DURATION_WINDOW: fixed
 * windows of `window` from midnight (UTC) shifted by windowAdvance; SLIDING_WINDOW: each match
 * lasts `window`; DAILY_TIME_DEADLINE / DAILY_TIME_WINDOW: today's span (UTC).
 */
function windowAt(tw: Record<string, unknown> = {}, now: number): { start: number; open: boolean; sliding?: number } {
  const type = String(tw.type ?? "DURATION_WINDOW");
  const window = dur(tw.window, DAY_MS);
  const midnight = now - (now % DAY_MS);
  if (type === "SLIDING_WINDOW") return { start: 0, open: true, sliding: window };
  if (type === "DAILY_TIME_DEADLINE")
    return { start: midnight, open: now - midnight <= secondsOfDay(tw.deadline, DAY_MS) };
  if (type === "DAILY_TIME_WINDOW") {
    const from = secondsOfDay(tw.startTime, 0);
    const to = secondsOfDay(tw.endTime, DAY_MS);
    return { start: midnight, open: now - midnight >= from && now - midnight <= to };
  }
  const advance = dur(tw.windowAdvance, 0);
  return { start: Math.floor((now - advance) / window) * window + advance, open: true };
}

interface Decision {
  trigger: Trigger;
  key: string;
  entries: string[];
  start: PendingStart;
}

/** Evaluates every Flow trigger of the tenant against one upstream end and records the firings. */
export async function evaluateFlowTriggers(store: TriggerStore, upstream: UpstreamView, now: number): Promise<number> {
  const decisions: Decision[] = [];
  for (const row of store.ofType(FLOW)) {
    if (row.inactive || row.disabled) continue;
    const t = row.definition;
    const states = Array.isArray(t.states) ? (t.states as string[]) : undefined;
    if (states ? !states.includes(upstream.state) : !isTerminal(upstream.state as StateType)) continue;
    const variables = upstreamVariables(upstream);
    const vars = {
      flow: { id: row.flowId, namespace: row.namespace },
      trigger: variables,
      execution: { id: upstream.id, state: upstream.state, outputs: upstream.outputs ?? {} },
    };
    if (!(await conditionsMet(t.conditions, { vars, execution: upstream })).met) continue;
    const pre = t.preconditions as Preconditions | undefined;
    const entries = pre ? await entriesMet(pre, upstream, vars) : [];
    if (pre && entryCount(pre) > 0 && entries.length === 0) continue;
    const key = `${row.namespace}/${row.flowId}/${row.triggerId}`;
    const correlation = upstream.labels.find((l) => l.key === "system.correlationId");
    decisions.push({
      trigger: t,
      key,
      entries,
      start: {
        executionId: await derivedId(upstream.id, `flow-trigger:${key}`),
        namespace: row.namespace,
        flowId: row.flowId,
        trigger: t,
        variables,
        labels: correlation ? [correlation] : [],
      },
    });
  }
  let fired = 0;
  store.transaction(() => {
    for (const d of decisions) {
      if (!store.firstSighting(`${upstream.id}|${d.key}`, now)) continue;
      const pre = d.trigger.preconditions as Preconditions | undefined;
      if (!pre || entryCount(pre) === 0) {
        store.enqueue(d.start);
        fired++;
        continue;
      }
      const [namespace = "", flowId = "", triggerId = ""] = d.key.split("/");
      const win = windowAt(pre.timeWindow, now);
      if (!win.open) continue;
      let progress = store.preconditionState<Progress>(namespace, flowId, triggerId);
      if (!progress || (win.sliding === undefined && progress.windowStart !== win.start)) {
        progress = { windowStart: win.start, matched: {} };
      }
      if (win.sliding !== undefined) {
        const oldest = now - win.sliding;
        for (const [k, at] of Object.entries(progress.matched)) if (at < oldest) delete progress.matched[k];
      }
      for (const e of d.entries) progress.matched[e] = now;
      if (Object.keys(progress.matched).length >= entryCount(pre)) {
        store.enqueue(d.start);
        fired++;
        if (pre.resetOnSuccess !== false) progress = { windowStart: win.start, matched: {} };
      }
      store.setPreconditionState(namespace, flowId, triggerId, progress);
    }
  });
  return fired;
}
