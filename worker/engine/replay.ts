// Kestra's replay from a task run: the new execution starts with every task run of the original
// except those that come after the chosen one in the flow's graph. The graph is read per task, as
// Kestra's is: the chosen task, its descendants, the tasks after it in each sequential list up to
// the flow (a Parallel's other branches, a DAG's unrelated tasks and the tasks before it stay), the
// containers it sits in, and their errors and finally branches, together with every task run of
// those tasks (other loop iterations included) except the chosen run and its ancestors. The chosen
// run is marked RESTARTED (a flowable that was resolved: RUNNING, to drive its children anew) and
// its ancestors RUNNING. Pure.
import type { DagTask, Flow, Task } from "../../schema/flow/types";
import { flowableKind, listOf, mainTasks } from "./flow-index";
import { canRestart, type ExecutionMachine } from "./machine";
import type { TaskRun } from "./types";

/** Every task id in `tasks` and below them (all lists of every flowable). */
function withDescendants(tasks: readonly Task[], into: Set<string>): void {
  for (const task of tasks) {
    into.add(task.id);
    withDescendants(childTasks(task), into);
  }
}

function childTasks(task: Task): Task[] {
  const lists: Task[][] = [task.errors ?? [], task.finally ?? []];
  switch (flowableKind(task.type)) {
    case "switch":
      lists.push(...Object.values(task.cases ?? {}), task.defaults ?? []);
      break;
    case "if":
      lists.push(task.then ?? [], task.else ?? []);
      break;
    case "dag":
    case "sequential":
    case "parallel":
    case "foreach":
    case "pause":
    case "loop":
      lists.push(mainTasks(task, undefined));
      break;
    case undefined:
      break;
  }
  return lists.flat();
}

/** The lists of a container (or of the flow) a task may sit in, each in its order. */
function listsOf(flow: Flow, container: Task | undefined): Task[][] {
  if (!container) {
    return [listOf(flow, undefined, "main"), listOf(flow, undefined, "errors"), listOf(flow, undefined, "finally")];
  }
  return [
    ...(flowableKind(container.type) === "switch"
      ? [...Object.values(container.cases ?? {}), container.defaults ?? []]
      : flowableKind(container.type) === "if"
        ? [container.then ?? [], container.else ?? []]
        : [mainTasks(container, undefined)]),
    container.errors ?? [],
    container.finally ?? [],
  ];
}

/** DAG tasks that depend on `taskId`, directly or not. */
function dagDependents(container: Task, taskId: string): Task[] {
  const entries = (container.tasks ?? []) as DagTask[];
  const reached = new Set([taskId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of entries) {
      if (!reached.has(e.task.id) && (e.dependsOn ?? []).some((d) => reached.has(d))) {
        reached.add(e.task.id);
        grew = true;
      }
    }
  }
  reached.delete(taskId);
  return entries.filter((e) => reached.has(e.task.id)).map((e) => e.task);
}

/** The ids of the tasks that come at or after `taskId` in the flow's graph (see the header). */
export function successorTasks(m: ExecutionMachine, taskId: string): Set<string> {
  const flow = m.state.flow;
  const out = new Set<string>();
  const place = m.index.places.get(taskId);
  if (!place) return out;
  withDescendants([place.task], out);
  let current = place.task;
  for (;;) {
    const at = m.index.places.get(current.id);
    const container = at?.parentTaskId === undefined ? undefined : m.index.places.get(at.parentTaskId)?.task;
    const kind = container ? flowableKind(container.type) : "sequential";
    if (kind === "dag" && container) withDescendants(dagDependents(container, current.id), out);
    else if (kind !== "parallel") {
      for (const list of listsOf(flow, container)) {
        const i = list.findIndex((t) => t.id === current.id);
        if (i >= 0) withDescendants(list.slice(i + 1), out);
      }
    }
    if (!container) {
      // The flow's own error and finally branches are decided anew by the replay.
      withDescendants([...listOf(flow, undefined, "errors"), ...listOf(flow, undefined, "finally")], out);
      withDescendants(listOf(flow, undefined, "afterExecution"), out);
      return out;
    }
    out.add(container.id);
    withDescendants([...(container.errors ?? []), ...(container.finally ?? [])], out);
    current = container;
  }
}

/**
 * For a replay from `taskRunId`: the task runs the new execution starts with (new ids, parents
 * remapped), or null when the task run is not part of this execution.
 */
export function replaySeed(
  m: ExecutionMachine,
  taskRunId: string,
  newExecutionId: string,
  ctx: { now: Date; newId(): string },
): TaskRun[] | null {
  const target = m.taskRun(taskRunId);
  if (!target) return null;
  const chain = new Set<string>([target.id]);
  for (let p = m.parentOf(target); p; p = m.parentOf(p)) chain.add(p.id);
  const after = successorTasks(m, target.taskId);
  const dropped = new Set<string>();
  const kept: TaskRun[] = [];
  for (const run of m.state.taskRuns) {
    const parentDropped = run.parentTaskRunId !== undefined && dropped.has(run.parentTaskRunId);
    if (!chain.has(run.id) && (parentDropped || after.has(run.taskId))) dropped.add(run.id);
    else kept.push(run);
  }
  // The chosen run's own children are gone with it: their tasks come after it.
  return copies(m, kept, newExecutionId, ctx, (r) =>
    r.id === target.id ? "target" : chain.has(r.id) ? "ancestor" : "kept",
  );
}

/**
 * Kestra's restart on another revision: a new execution with copies of every task run but those of
 * errors and finally branches; the FAILED and PAUSED ones (and those KILLED only because the
 * execution ended around them) RESTARTED, their ancestors RUNNING. Null when there is nothing to
 * restart (the caller answers Kestra's 422).
 */
export function restartSeed(
  m: ExecutionMachine,
  newExecutionId: string,
  ctx: { now: Date; newId(): string },
): TaskRun[] | null {
  if (!canRestart(m.state)) return null;
  const collateral = m.execution.state.current !== "KILLED";
  const again = (s: string) => s === "FAILED" || s === "PAUSED" || (collateral && s === "KILLED");
  const dropped = new Set<string>();
  const kept: TaskRun[] = [];
  for (const run of m.state.taskRuns) {
    const list = m.index.places.get(run.taskId)?.list;
    const parentDropped = run.parentTaskRunId !== undefined && dropped.has(run.parentTaskRunId);
    if (parentDropped || list === "errors" || list === "finally") dropped.add(run.id);
    else kept.push(run);
  }
  const targets = new Set<string>();
  const chain = new Set<string>();
  for (const run of kept) {
    if (!again(run.state.current)) continue;
    targets.add(run.id);
    for (let p = m.parentOf(run); p; p = m.parentOf(p)) chain.add(p.id);
  }
  return copies(m, kept, newExecutionId, ctx, (r) =>
    targets.has(r.id) && !chain.has(r.id) ? "target" : chain.has(r.id) || targets.has(r.id) ? "ancestor" : "kept",
  );
}

type Role = "target" | "ancestor" | "kept";

/** New ids, parents remapped; a target RESTARTED (a resolved flowable RUNNING), an ancestor RUNNING. */
function copies(
  m: ExecutionMachine,
  runs: TaskRun[],
  newExecutionId: string,
  ctx: { now: Date; newId(): string },
  role: (r: TaskRun) => Role,
): TaskRun[] {
  const ids = new Map(runs.map((r) => [r.id, ctx.newId()]));
  const at = ctx.now.toISOString();
  return runs.map((r) => {
    const copy = structuredClone(r);
    copy.id = ids.get(r.id)!;
    copy.executionId = newExecutionId;
    if (r.parentTaskRunId) copy.parentTaskRunId = ids.get(r.parentTaskRunId);
    if (copy.meta) delete copy.meta.dueAt;
    const which = role(r);
    if (which !== "kept") {
      const flowable = flowableKind(m.taskOf(r).type) !== undefined;
      const to = which === "ancestor" || (flowable && r.meta?.resolved) ? "RUNNING" : "RESTARTED";
      copy.state.histories.push({ state: to, date: at });
      copy.state.current = to;
    }
    return copy;
  });
}
