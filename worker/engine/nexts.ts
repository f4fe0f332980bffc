// Which task runs a container (the flow, or a flowable task run) must create next, and whether it
// is done: Kestra's branch selection (tasks → errors → finally) and the sequential, parallel,
// loop and DAG scheduling rules of spec §3.1–§3.4.
import type { DagTask, Task } from "../../schema/flow/types";
import { flowableKind, type ListKind, listOf } from "./flow-index";
import { loopLimit } from "./flowable-types";
import type { ExecutionMachine } from "./machine";
import { isTerminal } from "./state";
import type { LoopPrefix, TaskRun } from "./types";

export interface ChildSpec {
  task: Task;
  value?: string;
  iteration?: number;
}

export interface Verdict {
  create: ChildSpec[];
  /** Every list the container runs is finished. */
  done: boolean;
  /** LoopUntil/WaitFor: this iteration ended well; its condition decides what comes next. */
  check?: number;
}

const WAIT: Verdict = { create: [], done: false };
const DONE: Verdict = { create: [], done: true };

export function nextChildren(m: ExecutionMachine, container: TaskRun | undefined, task: Task | undefined): Verdict {
  const flow = m.state.flow;
  const lists: Record<ListKind, TaskRun[]> = { main: [], errors: [], finally: [], afterExecution: [] };
  const children = m.childrenOf(container?.id ?? "");
  // A loop's finished iterations at the head of its children are not looked at again.
  const loop = container && task && flowableKind(task.type) === "foreach" ? m.loopPrefix(container.id) : undefined;
  for (let i = loop?.runs ?? 0; i < children.length; i++) {
    const run = children[i]!;
    const place = m.index.places.get(run.taskId);
    if (place) lists[place.list].push(run);
  }
  const tasksOf = (list: ListKind) => listOf(flow, task, list, container?.meta?.branch);
  if (loop) extendLoopPrefix(m, loop, children, tasksOf("main"));
  const finallyStage = (): Verdict => sequential(tasksOf("finally"), lists.finally, m);

  if (lists.finally.length) return finallyStage();
  if (lists.errors.length || lists.main.some((r) => r.state.current === "FAILED")) {
    const errors = sequential(tasksOf("errors"), lists.errors, m);
    return errors.done ? finallyStage() : errors;
  }
  const main = mainVerdict(m, container, task, tasksOf("main"), lists.main, loop?.iterations ?? 0);
  return main.done ? finallyStage() : main;
}

function mainVerdict(
  m: ExecutionMachine,
  container: TaskRun | undefined,
  task: Task | undefined,
  tasks: Task[],
  runs: TaskRun[],
  fromIteration: number,
): Verdict {
  const kind = task ? flowableKind(task.type) : "sequential";
  switch (kind) {
    case "parallel":
      return parallel(tasks, runs, container?.meta?.limit ?? count(task?.concurrent, 0));
    case "foreach":
      return forEach(
        tasks,
        runs,
        container?.meta?.values ?? [],
        container?.meta?.limit ?? loopLimit(task!),
        m,
        fromIteration,
      );
    case "dag":
      return dag((task?.tasks ?? []) as DagTask[], runs, container?.meta?.limit ?? count(task?.concurrent, 0));
    case "loop":
      return loopUntil(tasks, runs, container, m);
    case "sequential":
    case "switch":
    case "if":
    case "pause":
    case undefined:
      return sequential(tasks, runs, m);
  }
}

/**
 * LoopUntil/WaitFor: the iteration in flight runs its tasks one after the other; once it ended
 * well its condition is checked (engine/waits.ts takes the answer), and the next iteration starts
 * after the interval. Over when the condition (or a maximum) said so.
 */
function loopUntil(tasks: Task[], runs: TaskRun[], container: TaskRun | undefined, m: ExecutionMachine): Verdict {
  const loop = container?.meta?.loop;
  if (!loop || loop.over) return DONE;
  if (container?.meta?.dueAction === "loop-next") return WAIT;
  const current = runs.filter((r) => (r.iteration ?? 0) === loop.iteration);
  const verdict = sequential(tasks, current, m, undefined, loop.iteration);
  return verdict.done ? { create: [], done: false, check: loop.iteration } : verdict;
}

function count(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Runs `tasks` one after the other; `runs` are the task runs already created for them. */
function sequential(tasks: Task[], runs: TaskRun[], m: ExecutionMachine, value?: string, iteration?: number): Verdict {
  if (!tasks.length) return DONE;
  if (!runs.length) return { create: [{ task: tasks[0]!, value, iteration }], done: false };
  let last = -1;
  for (const run of runs) {
    if (!isTerminal(run.state.current)) return WAIT;
    last = Math.max(last, m.index.places.get(run.taskId)?.index ?? -1);
  }
  const next = tasks[last + 1];
  return next ? { create: [{ task: next, value, iteration }], done: false } : DONE;
}

function parallel(tasks: Task[], runs: TaskRun[], concurrent: number): Verdict {
  const created = new Set(runs.map((r) => r.taskId));
  const running = runs.filter((r) => !isTerminal(r.state.current)).length;
  const remaining = tasks.filter((t) => !created.has(t.id));
  if (!remaining.length) return running ? WAIT : DONE;
  const slots = concurrent > 0 ? Math.max(0, concurrent - running) : remaining.length;
  return { create: remaining.slice(0, slots).map((task) => ({ task })), done: false };
}

/**
 * Iterations before `fromIteration` are finished (their runs are not in `runs`): a sequential loop
 * of 10,000 values looks at the iteration in flight, not at the 9,999 before it.
 */
function forEach(
  tasks: Task[],
  runs: TaskRun[],
  values: string[],
  limit: number,
  m: ExecutionMachine,
  fromIteration: number,
): Verdict {
  if (!tasks.length || !values.length) return DONE;
  const groups = new Map<number, TaskRun[]>();
  for (const run of runs) {
    const i = run.iteration ?? 0;
    const group = groups.get(i);
    if (group) group.push(run);
    else groups.set(i, [run]);
  }
  const create: ChildSpec[] = [];
  let active = 0;
  // Started iterations first, then new ones in order while a slot is free. Only the iterations in
  // flight are visited: a sequential loop's step costs the same at its 10th value and its 9,000th.
  for (const i of [...groups.keys()].sort((a, b) => a - b)) {
    if (i < fromIteration) continue;
    const verdict = sequential(tasks, groups.get(i)!, m, values[i], i);
    if (!verdict.done) {
      active++;
      create.push(...verdict.create);
    }
  }
  for (let i = fromIteration; i < values.length && (limit <= 0 || active < limit); i++) {
    if (groups.has(i)) continue;
    create.push({ task: tasks[0]!, value: values[i], iteration: i });
    active++;
  }
  return { create, done: active === 0 };
}

function dag(dagTasks: DagTask[], runs: TaskRun[], concurrent: number): Verdict {
  const byTask = new Map(runs.map((r) => [r.taskId, r]));
  const running = runs.filter((r) => !isTerminal(r.state.current)).length;
  const ready: ChildSpec[] = [];
  // A disabled task vanishes (spec §1.0): waiting for it would block its dependents forever.
  const enabled = new Set(dagTasks.filter((d) => !d.task.disabled).map((d) => d.task.id));
  let remaining = 0;
  for (const { task, dependsOn } of dagTasks) {
    if (task.disabled || byTask.has(task.id)) continue;
    remaining++;
    const depsDone = (dependsOn ?? []).every((id) => {
      if (!enabled.has(id)) return true;
      const dep = byTask.get(id);
      return dep !== undefined && isTerminal(dep.state.current);
    });
    if (depsDone) ready.push({ task });
  }
  if (!remaining) return running ? WAIT : DONE;
  const slots = concurrent > 0 ? Math.max(0, concurrent - running) : ready.length;
  return { create: ready.slice(0, slots), done: false };
}

/**
 * Grows a loop's finished head: while the next children are one whole iteration (the loop's tasks
 * in order, all in its main list, all ended and none FAILED), they join it. Children created in
 * iteration order (concurrencyLimit 1) make the head grow with the loop; interleaved ones leave it.
 */
function extendLoopPrefix(m: ExecutionMachine, prefix: LoopPrefix, children: TaskRun[], tasks: Task[]): void {
  if (!tasks.length) return;
  for (;;) {
    const group = children.slice(prefix.runs, prefix.runs + tasks.length);
    if (group.length < tasks.length) return;
    const whole = group.every(
      (run, k) =>
        run.iteration === prefix.iterations &&
        run.taskId === tasks[k]!.id &&
        m.index.places.get(run.taskId)?.list === "main" &&
        isTerminal(run.state.current) &&
        run.state.current !== "FAILED",
    );
    if (!whole) return;
    prefix.runs += tasks.length;
    prefix.iterations++;
  }
}
