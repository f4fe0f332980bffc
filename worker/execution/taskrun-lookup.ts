// Task-run lookups inside an execution's object (authoritative, never the lagging index): one task
// run by id, the task runs matching a task id / loop value / iteration / parent, and a loop
// parent's children in iteration order, a page at a time. Each comes with the execution's current
// state and whether the task run is final, so a client can tell a provisional result.
import type { ExecutionMachine } from "../engine/machine";
import { isTerminal } from "../engine/state";
import type { StateType, TaskRun } from "../engine/types";
import { taskRunJson } from "./json";

export function taskRunView(run: TaskRun, executionState: StateType, now = new Date()) {
  return {
    ...taskRunJson(run, now),
    /** The execution's state now: while it is not terminal, a restart or a forced state may still change this task run. */
    executionState,
    /** The task run is terminal: it changes no more unless the execution is restarted or its state forced. */
    final: isTerminal(run.state.current),
  };
}

export type TaskRunViewJson = ReturnType<typeof taskRunView>;

export interface TaskRunMatch {
  taskId?: string;
  value?: string;
  iteration?: number;
  parentTaskRunId?: string;
}

export interface Paging {
  page: number;
  size: number;
}

export interface TaskRunPage {
  results: TaskRunViewJson[];
  total: number;
}

export function findTaskRun(m: ExecutionMachine, id: string): TaskRunViewJson | undefined {
  const run = m.taskRun(id);
  return run && taskRunView(run, m.execution.state.current);
}

/** The execution's task runs that match every given field, in creation order. */
export function matchTaskRuns(m: ExecutionMachine, match: TaskRunMatch, paging: Paging): TaskRunPage {
  const pool = match.parentTaskRunId !== undefined ? m.childrenOf(match.parentTaskRunId) : m.state.taskRuns;
  const found = pool.filter(
    (r) =>
      (match.taskId === undefined || r.taskId === match.taskId) &&
      (match.value === undefined || r.value === match.value) &&
      (match.iteration === undefined || r.iteration === match.iteration),
  );
  return page(m, found, paging);
}

/**
 * A parent's children in iteration order (creation order within an iteration; children outside
 * any iteration, such as a loop's errors branch, last). `undefined` when the parent is unknown.
 */
export function childrenPage(
  m: ExecutionMachine,
  parentId: string,
  paging: Paging,
): (TaskRunPage & { parent: TaskRunViewJson }) | undefined {
  const parent = m.taskRun(parentId);
  if (!parent) return undefined;
  const children = m.childrenOf(parentId);
  // Mostly in order already (iterations are started in order), which the sort is quick on.
  const ordered = children.every((r, i) => i === 0 || iterationKey(children[i - 1]!) <= iterationKey(r))
    ? children
    : [...children].sort((a, b) => iterationKey(a) - iterationKey(b));
  return { parent: taskRunView(parent, m.execution.state.current), ...page(m, ordered, paging) };
}

const iterationKey = (r: TaskRun): number => r.iteration ?? Number.MAX_SAFE_INTEGER;

function page(m: ExecutionMachine, runs: TaskRun[], { page, size }: Paging): TaskRunPage {
  const now = new Date();
  const state = m.execution.state.current;
  const from = (page - 1) * size;
  return { results: runs.slice(from, from + size).map((r) => taskRunView(r, state, now)), total: runs.length };
}
