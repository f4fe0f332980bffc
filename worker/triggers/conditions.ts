// Trigger conditions (spec §9): execution conditions for Flow triggers (flow, namespace, status,
// labels, outputs), Expression for every trigger, and the calendar conditions Schedules use
// (DayWeek, DayWeekInMonth, Weekend, TimeBetween, DateTimeBetween, PublicHoliday), combined with
// Not and Or. Calendar fields are read in the trigger's time zone (UTC unless it sets one).
// A condition type we do not know is never met, and says so, rather than firing blindly.
import { DomainError } from "../errors";
import { isTruthy, render } from "../expressions";
import { isPublicHoliday } from "./holidays";
import { localDate, zoned } from "./zoned";

export interface UpstreamView {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: string;
  outputs?: Record<string, unknown>;
  labels: { key: string; value: string }[];
  /** The place of this state in the execution's state histories: one firing per transition. */
  transition?: number;
  /** How deep in its chain the upstream execution is (launch/limits.ts); a firing is one deeper. */
  chainDepth?: number;
}

export interface ConditionContext {
  /** Variables Expression conditions render with (flow, trigger, execution…). */
  vars: Record<string, unknown>;
  /** The upstream execution, for execution conditions. */
  execution?: UpstreamView;
  /** The scheduled date, for calendar conditions. */
  date?: number;
  timezone?: string;
}

export class UnsupportedCondition extends DomainError {
  override readonly name = "UnsupportedCondition";
  readonly code = "invalid";
}

const PREFIX = "io.kestra.plugin.core.condition.";
const RENAMED: Readonly<Record<string, string>> = { Flow: "ExecutionFlow", FlowNamespace: "ExecutionNamespace" };

/** `io.kestra.plugin.core.condition.ExecutionStatusCondition` and older spellings → `ExecutionStatus`. */
export function conditionName(type: string): string {
  const short = (type.startsWith(PREFIX) ? type.slice(PREFIX.length) : (type.split(".").pop() ?? type)).replace(
    /Condition$/,
    "",
  );
  return RENAMED[short] ?? short;
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];

function labelPairs(v: unknown): [string, string][] {
  if (Array.isArray(v)) {
    return v.flatMap((l) =>
      l && typeof l === "object" && "key" in l ? [[String(l.key), String((l as { value?: unknown }).value)]] : [],
    ) as [string, string][];
  }
  if (v && typeof v === "object") return Object.entries(v).map(([k, val]) => [k, String(val)]);
  return [];
}

const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

/**
 * Conditions a Flow trigger evaluates over a window of upstream ends (flow-trigger.ts), not one
 * end, by their conditionName (MultipleCondition, its "Condition" suffix stripped like every type's).
 */
export const WINDOW_CONDITIONS: ReadonlySet<string> = new Set(["Multiple"]);

function secondsOfDay(text: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m) throw new UnsupportedCondition(`'${text}' is not a time of day (HH:mm[:ss])`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

async function dateOf(c: Record<string, unknown>, ctx: ConditionContext): Promise<number> {
  if (typeof c.date === "string") {
    const rendered = Date.parse(await render(c.date, ctx.vars));
    if (!Number.isNaN(rendered)) return rendered;
  }
  if (ctx.date === undefined) throw new UnsupportedCondition("this condition needs a date (a Schedule trigger's)");
  return ctx.date;
}

function needExecution(ctx: ConditionContext): UpstreamView {
  if (!ctx.execution) throw new UnsupportedCondition("this condition only applies to Flow triggers");
  return ctx.execution;
}

async function check(c: Record<string, unknown>, ctx: ConditionContext): Promise<boolean> {
  const name = conditionName(String(c.type));
  switch (name) {
    case "Expression":
      return isTruthy(await render(String(c.expression ?? ""), ctx.vars));
    case "ExecutionFlow": {
      const ex = needExecution(ctx);
      return ex.namespace === c.namespace && ex.flowId === c.flowId;
    }
    case "ExecutionNamespace": {
      const ns = needExecution(ctx).namespace;
      const want = String(c.namespace ?? "");
      const comparison = String(c.comparison ?? (c.prefix === true ? "PREFIX" : "EQUALS"));
      if (comparison === "PREFIX") return ns === want || ns.startsWith(want);
      if (comparison === "SUFFIX") return ns.endsWith(want);
      return ns === want;
    }
    case "ExecutionStatus": {
      const state = needExecution(ctx).state;
      const inList = asList(c.in);
      const notIn = asList(c.notIn);
      return (inList.length === 0 || inList.includes(state)) && !notIn.includes(state);
    }
    case "ExecutionLabels": {
      const labels = needExecution(ctx).labels;
      return labelPairs(c.labels).every(([k, v]) => labels.some((l) => l.key === k && l.value === v));
    }
    case "ExecutionOutputs": {
      const ex = needExecution(ctx);
      if (!ex.outputs) return false;
      return isTruthy(await render(String(c.expression ?? ""), { ...ctx.vars, outputs: ex.outputs }));
    }
    case "Not":
      return !(await anyMet(c.conditions, ctx));
    case "Or":
      return anyMet(c.conditions, ctx);
    case "DayWeek":
      return zoned(await dateOf(c, ctx), ctx.timezone).weekday === String(c.dayOfWeek).toUpperCase();
    case "Weekend": {
      const day = zoned(await dateOf(c, ctx), ctx.timezone).weekday;
      return day === WEEKDAYS[0] || day === WEEKDAYS[6];
    }
    case "DayWeekInMonth": {
      const cal = zoned(await dateOf(c, ctx), ctx.timezone);
      if (cal.weekday !== String(c.dayOfWeek).toUpperCase()) return false;
      const nth = Math.ceil(cal.day / 7);
      const which = String(c.dayInMonth ?? "FIRST").toUpperCase();
      if (which === "LAST") return cal.day + 7 > cal.daysInMonth;
      return ["FIRST", "SECOND", "THIRD", "FOURTH"].indexOf(which) + 1 === nth;
    }
    case "TimeBetween": {
      const s = zoned(await dateOf(c, ctx), ctx.timezone).seconds;
      const after = typeof c.after === "string" ? secondsOfDay(c.after) : -1;
      const before = typeof c.before === "string" ? secondsOfDay(c.before) : 86_400;
      return s >= after && s <= before;
    }
    case "DateTimeBetween": {
      const at = await dateOf(c, ctx);
      const after = typeof c.after === "string" ? Date.parse(c.after) : -Infinity;
      const before = typeof c.before === "string" ? Date.parse(c.before) : Infinity;
      return at >= after && at <= before;
    }
    case "PublicHoliday": {
      if (typeof c.country !== "string" || !c.country) throw new UnsupportedCondition("PublicHoliday needs a country");
      const country = await render(c.country, ctx.vars);
      const sub = typeof c.subDivision === "string" ? await render(c.subDivision, ctx.vars) : undefined;
      return isPublicHoliday(localDate(await dateOf(c, ctx), ctx.timezone), country, sub);
    }
    case "Multiple":
      throw new UnsupportedCondition("MultipleCondition only applies to Flow triggers");
    default:
      throw new UnsupportedCondition(`condition type '${String(c.type)}' is not supported`);
  }
}

async function anyMet(list: unknown, ctx: ConditionContext): Promise<boolean> {
  for (const c of Array.isArray(list) ? list : []) {
    if (c && typeof c === "object" && (await check(c as Record<string, unknown>, ctx))) return true;
  }
  return false;
}

export type ConditionOutcome = { met: true } | { met: false; error?: string };

/** All conditions must hold. A failing render or an unsupported type counts as not met, with the reason. */
export async function conditionsMet(
  conditions: Record<string, unknown>[] | undefined,
  ctx: ConditionContext,
): Promise<ConditionOutcome> {
  try {
    for (const c of conditions ?? []) if (!(await check(c, ctx))) return { met: false };
    return { met: true };
  } catch (e) {
    return { met: false, error: (e as Error).message };
  }
}
