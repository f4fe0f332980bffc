// Flow triggers (spec §9.2): when an execution of the tenant ends (or enters a non-terminal state a
// trigger lists in `states`), each Flow trigger whose states, conditions and window groups accept
// it gets one firing, keyed by the upstream execution id and the transition. A
// window group is the trigger's `preconditions` or one deprecated MultipleCondition: named entries
// that must all be met by upstream ends within a time window (windows.ts), then reset. The first
// sighting of (upstream, trigger), the groups' progress and the outbox row are written in one
// transaction, so a redelivered end neither counts twice nor fires twice.
import type { Trigger } from "../../schema/flow/types";
import { isTerminal } from "../engine/state";
import type { StateType } from "../engine/types";
import { matchesWhole } from "../expressions/regex";
import { derivedId } from "../ids";
import { conditionName, conditionsMet, type UpstreamView, WINDOW_CONDITIONS } from "./conditions";
import type { PendingStart, TriggerStore } from "./store";
import { PRECONDITIONS_GROUP } from "./store-schema";
import { asTz, FLOW } from "./sync";
import type { WindowStore } from "./window-store";
import { advanceProgress, type TimeWindow, type WindowProgress, type WindowSpan, windowAt } from "./windows";

interface Preconditions {
  id?: string;
  timeWindow?: TimeWindow;
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
      return matchesWhole(value, actual);
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

/** One window group of a trigger as this upstream end sees it. */
interface Group {
  id: string;
  entries: string[];
  met: string[];
  resetOnSuccess: boolean;
  /** Undefined when the window could not be computed (then nothing counts). */
  span: WindowSpan | undefined;
}

interface MultipleCondition {
  id?: string;
  conditions: Record<string, Record<string, unknown>>;
  window?: string;
  windowAdvance?: string;
  timeWindow?: TimeWindow;
  sla?: TimeWindow;
  resetOnSuccess?: boolean;
}

function spanOf(tw: TimeWindow, now: number, timezone: string | undefined, where: string): WindowSpan | undefined {
  try {
    return windowAt(tw, now, timezone);
  } catch (e) {
    console.error(`flow trigger ${where}: bad time window; this end counts for nothing`, e);
    return undefined;
  }
}

/** The trigger's window groups, each with the entries this end meets. */
async function groupsOf(t: Trigger, u: UpstreamView, vars: Record<string, unknown>, now: number): Promise<Group[]> {
  const tz = asTz(t.timezone);
  const groups: Group[] = [];
  const pre = t.preconditions as Preconditions | undefined;
  const preEntries = [
    ...(pre?.flows ?? []).map((_, i) => `flows[${i}]`),
    ...(pre?.where ?? []).map((w) => `where.${w.id}`),
  ];
  if (pre && preEntries.length) {
    groups.push({
      id: PRECONDITIONS_GROUP,
      entries: preEntries,
      met: await entriesMet(pre, u, vars),
      resetOnSuccess: pre.resetOnSuccess !== false,
      span: spanOf(pre.timeWindow ?? {}, now, tz, t.id),
    });
  }
  for (const [i, c] of (t.conditions ?? []).entries()) {
    if (!WINDOW_CONDITIONS.has(conditionName(String(c.type)))) continue;
    const mc = c as unknown as MultipleCondition;
    const met: string[] = [];
    for (const [name, inner] of Object.entries(mc.conditions ?? {})) {
      if ((await conditionsMet([inner], { vars, execution: u })).met) met.push(name);
    }
    const tw = mc.timeWindow ??
      mc.sla ?? { type: "DURATION_WINDOW", window: mc.window, windowAdvance: mc.windowAdvance };
    groups.push({
      id: `multiple:${mc.id ?? i}`,
      entries: Object.keys(mc.conditions ?? {}),
      met,
      resetOnSuccess: mc.resetOnSuccess !== false,
      span: spanOf(tw, now, tz, t.id),
    });
  }
  return groups;
}

interface Decision {
  row: { namespace: string; flowId: string; triggerId: string };
  sighting: string;
  groups: Group[];
  start: PendingStart;
}

/** Evaluates every Flow trigger of the tenant against one upstream end and records the firings. */
export async function evaluateFlowTriggers(
  store: TriggerStore,
  windows: WindowStore,
  upstream: UpstreamView,
  now: number,
): Promise<number> {
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
    const simple = (t.conditions ?? []).filter((c) => !WINDOW_CONDITIONS.has(conditionName(String(c.type))));
    if (!(await conditionsMet(simple, { vars, execution: upstream })).met) continue;
    const groups = await groupsOf(t, upstream, vars, now);
    // An end that meets no entry of any group changes nothing (and must not fire).
    if (groups.length && groups.every((g) => g.met.length === 0)) continue;
    const key = `${row.namespace}/${row.flowId}/${row.triggerId}`;
    // One firing per transition: a restarted execution that ends again, or runs again, fires again.
    const sighting = upstream.transition === undefined ? upstream.id : `${upstream.id}@${upstream.transition}`;
    const correlation = upstream.labels.find((l) => l.key === "system.correlationId");
    decisions.push({
      row,
      sighting,
      groups,
      start: {
        executionId: await derivedId(sighting, `flow-trigger:${key}`),
        namespace: row.namespace,
        flowId: row.flowId,
        trigger: t,
        variables,
        labels: correlation ? [correlation] : [],
        chainDepth: (upstream.chainDepth ?? 0) + 1,
      },
    });
  }
  let fired = 0;
  store.transaction(() => {
    for (const d of decisions) {
      const { namespace, flowId, triggerId } = d.row;
      if (!windows.firstSighting(`${d.sighting}|${namespace}/${flowId}/${triggerId}`, now)) continue;
      const updated = d.groups.map((g) => {
        const k = { namespace, flowId, triggerId, group: g.id };
        const progress = g.span && advanceProgress(windows.progress(k), g.span, g.met, now);
        return { g, k, progress };
      });
      const complete = updated.every(
        ({ g, progress }) => progress !== undefined && g.entries.every((e) => e in progress.matched),
      );
      if (complete) {
        store.enqueue(d.start);
        fired++;
      }
      for (const { g, k, progress } of updated) {
        if (!progress || !g.span) continue;
        const reset: WindowProgress = { windowStart: g.span.start, matched: {} };
        windows.setProgress(k, complete && g.resetOnSuccess ? reset : progress);
      }
    }
  });
  return fired;
}
