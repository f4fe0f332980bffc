// The one table of flowable task types: for each flowable type the flow model accepts, how the
// engine schedules its children, which property caps a loop's concurrent iterations, and how its
// own end differs from its children's. `satisfies Record<FlowableTaskType, …>` makes a flowable
// type that validates but has no entry here a compile error.
import type { FlowableTaskType } from "../../schema/flow/tasks/registry";
import type { Task } from "../../schema/flow/types";

export type FlowableKind = "sequential" | "parallel" | "foreach" | "switch" | "if" | "dag" | "pause" | "loop";

interface FlowableSpec {
  /** How its children are scheduled; `subflow`: it has none, it starts another execution. */
  kind: FlowableKind | "subflow";
  /** Loops: the property capping concurrent iterations (if any) and the cap without it (0 = all). */
  limit?: { property?: "concurrent" | "concurrencyLimit"; fallback: number };
  /** A FAILED main branch ends the task in this state instead (AllowFailure). */
  failedAs?: "WARNING";
  /** `loop`: whether a truthy condition ends the loop (LoopUntil) or runs it again (WaitFor). */
  loopUntil?: boolean;
}

const FLOWABLES = {
  "io.kestra.plugin.core.flow.Sequential": { kind: "sequential" },
  "io.kestra.plugin.core.flow.AllowFailure": { kind: "sequential", failedAs: "WARNING" },
  "io.kestra.plugin.core.flow.Parallel": { kind: "parallel" },
  "io.kestra.plugin.core.flow.ForEach": { kind: "foreach", limit: { property: "concurrencyLimit", fallback: 1 } },
  "io.kestra.plugin.core.flow.EachSequential": { kind: "foreach", limit: { fallback: 1 } },
  "io.kestra.plugin.core.flow.EachParallel": { kind: "foreach", limit: { property: "concurrent", fallback: 0 } },
  "io.kestra.plugin.core.flow.Switch": { kind: "switch" },
  "io.kestra.plugin.core.flow.If": { kind: "if" },
  "io.kestra.plugin.core.flow.Dag": { kind: "dag" },
  "io.kestra.plugin.core.flow.Pause": { kind: "pause" },
  // Peregrine has no shared working directory to give its tasks; they run one after the other.
  "io.kestra.plugin.core.flow.WorkingDirectory": { kind: "sequential" },
  "io.kestra.plugin.core.flow.LoopUntil": { kind: "loop", loopUntil: true },
  "io.kestra.plugin.core.flow.WaitFor": { kind: "loop", loopUntil: false },
  // Runs its generated tasks (_split, _items, _merge) one after the other.
  "io.kestra.plugin.core.flow.ForEachItem": { kind: "sequential" },
  "io.kestra.plugin.core.flow.Subflow": { kind: "subflow" },
} as const satisfies Record<FlowableTaskType, FlowableSpec>;

function specOf(type: string): FlowableSpec | undefined {
  return Object.hasOwn(FLOWABLES, type) ? FLOWABLES[type as FlowableTaskType] : undefined;
}

/** How the engine schedules a task's children; undefined for a task that has none of its own. */
export function flowableKind(type: string): FlowableKind | undefined {
  const kind = specOf(type)?.kind;
  return kind === "subflow" ? undefined : kind;
}

/** The property of a loop that caps its concurrent iterations, when the type has one. */
export function loopLimitProperty(type: string): "concurrent" | "concurrencyLimit" | undefined {
  return specOf(type)?.limit?.property;
}

/** A loop's cap on concurrent iterations from its own (untemplated) properties; 0 = all at once. */
export function loopLimit(task: Task): number {
  const limit = specOf(task.type)?.limit ?? { fallback: 1 };
  if (!limit.property) return limit.fallback;
  const value = task[limit.property];
  const n = typeof value === "number" ? value : Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : limit.fallback;
}

/** The state a flowable ends in when its children's final state is `final`. */
export function flowableOwnState<S extends string>(type: string, final: S): S | "WARNING" {
  const failedAs = specOf(type)?.failedAs;
  return failedAs && final === "FAILED" ? failedAs : final;
}

/** A loop's condition: true when a truthy condition ends it (LoopUntil), false when it goes on (WaitFor). */
export function endsWhenTruthy(type: string): boolean {
  return specOf(type)?.loopUntil !== false;
}

/** Whether the engine's table has the type (Subflow included). */
export function isFlowable(type: string): boolean {
  return specOf(type) !== undefined;
}
