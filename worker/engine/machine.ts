// The pure execution engine: one object per execution holding its state and indexes, and one
// `step(event, ctx)` that applies Kestra's scheduling rules and returns the commands the Durable
// Object must carry out. No I/O and no clock of its own: replaying the same events with the same
// context gives the same state. It mutates the state in place and reports what it touched, so the
// caller persists only the changed rows.

import type { Task } from "../../schema/flow/types";
import { finishAttempt } from "./attempts";
import {
  goOnAfterRestart,
  killExecution,
  pauseExecution,
  queueExecution,
  refuseExecution,
  restartExecution,
  resume,
  setTaskState,
} from "./control";
import { onAlarm, onOutputsRendered, onResolved, onTaskResult, recover } from "./events";
import { buildFlowIndex, type FlowIndex, flowableKind, isSubflow, type ListKind, listOf } from "./flow-index";
import { flowableOwnState } from "./flowable-types";
import { onLoopChecked } from "./loops";
import { nextChildren } from "./nexts";
import { applyAllowances, finalStateOf, isTerminal, newState, transition } from "./state";
import type {
  Command,
  EngineContext,
  EngineEvent,
  EngineState,
  LoopPrefix,
  StateType,
  StepResult,
  TaskResult,
  TaskRun,
} from "./types";
import { childEnded, itemsEnded, subflowStarted } from "./waits";

/** The flow itself, as a container of task runs. */
export const ROOT = "";

export class ExecutionMachine {
  readonly index: FlowIndex;
  private readonly byId = new Map<string, TaskRun>();
  private readonly children = new Map<string, TaskRun[]>();
  /** Task runs that wait for a retry or a sleep: the alarm's work list. */
  private readonly due = new Set<string>();
  private ctx!: EngineContext;
  private out!: StepResult;
  private readonly pending = new Set<string>();

  /** Marks a container (a flowable task run, or ROOT) to be reconciled before the step returns. */
  wake(containerId: string): void {
    this.pending.add(containerId);
  }

  /** Schedules work on a task run for the alarm. */
  setDue(run: TaskRun, at: number, action: NonNullable<TaskRun["meta"]>["dueAction"]): void {
    run.meta = { ...run.meta, dueAt: at, dueAction: action };
    this.due.add(run.id);
    this.touch(run);
  }

  get now(): Date {
    return this.ctx.now;
  }

  readonly random = (): number => this.ctx.random();

  /** Task runs waiting for a retry, a sleep's end or a pause duration; the alarm's work list. */
  dueRuns(): TaskRun[] {
    const runs: TaskRun[] = [];
    for (const id of [...this.due]) {
      const run = this.byId.get(id);
      if (run?.meta?.dueAt !== undefined) runs.push(run);
      else this.due.delete(id);
    }
    return runs;
  }

  /** Per loop task run, its finished head (derived; dropped whenever an ended run changes). */
  private readonly loopPrefixes = new Map<string, LoopPrefix>();

  loopPrefix(containerId: string): LoopPrefix {
    let prefix = this.loopPrefixes.get(containerId);
    if (!prefix) {
      prefix = { runs: 0, iterations: 0 };
      this.loopPrefixes.set(containerId, prefix);
    }
    return prefix;
  }

  /** Rebuilds the indexes after task runs were removed (restart drops errors and finally runs). */
  reindex(): void {
    this.byId.clear();
    this.children.clear();
    this.due.clear();
    this.loopPrefixes.clear();
    for (const run of this.state.taskRuns) this.indexRun(run);
    this.outputsEpoch++;
    this.outputsChanges.length = 0;
  }
  /**
   * The task runs whose outputs were set since the last reindex, in order: a view of all outputs
   * follows them instead of being rebuilt from every task run after each one.
   */
  readonly outputsChanges: TaskRun[] = [];
  /** Bumped when task runs were removed: views of the outputs start over. */
  outputsEpoch = 0;

  constructor(readonly state: EngineState) {
    this.index = buildFlowIndex(state.flow);
    for (const run of state.taskRuns) this.indexRun(run);
  }

  get execution() {
    return this.state.execution;
  }

  taskRun(id: string): TaskRun | undefined {
    return this.byId.get(id);
  }

  childrenOf(id: string): TaskRun[] {
    return this.children.get(id) ?? [];
  }

  taskOf(run: TaskRun): Task {
    const place = this.index.places.get(run.taskId);
    if (!place) throw new Error(`Task ${run.taskId} is not in flow revision ${this.execution.flowRevision}`);
    return place.task;
  }

  /** The task definitions of a task run's flowable ancestors, closest first. */
  ancestorTasks(run: TaskRun): Task[] {
    const tasks: Task[] = [];
    for (let p = this.parentOf(run); p; p = this.parentOf(p)) tasks.push(this.taskOf(p));
    return tasks;
  }

  parentOf(run: TaskRun): TaskRun | undefined {
    return run.parentTaskRunId ? this.byId.get(run.parentTaskRunId) : undefined;
  }

  step(event: EngineEvent, ctx: EngineContext): StepResult {
    return this.stepAll([event], ctx);
  }

  /**
   * Applies events that arrived together, then decides what comes next once: a loop of 10,000
   * children whose results land in one turn is looked at once, not 10,000 times.
   */
  stepAll(events: readonly EngineEvent[], ctx: EngineContext): StepResult {
    this.ctx = ctx;
    this.out = { commands: [], dirtyTaskRuns: new Set(), removedTaskRuns: [], executionChanged: false };
    for (const event of events) this.apply(event);
    this.reconcile();
    this.out.nextAlarm = this.nextDue();
    return this.out;
  }

  private apply(event: EngineEvent): void {
    switch (event.type) {
      case "start":
        this.start();
        break;
      case "task-result":
        onTaskResult(this, event.taskRunId, event.result);
        break;
      case "resolved":
        onResolved(this, event.taskRunId, event.resolution);
        break;
      case "outputs-rendered":
        onOutputsRendered(this, event.outputs, event.error);
        break;
      case "alarm":
        onAlarm(this);
        break;
      case "recover":
        recover(this);
        break;
      case "kill":
        killExecution(this, event.cascade ?? true);
        break;
      case "restart":
        restartExecution(this);
        break;
      case "restarted":
        goOnAfterRestart(this);
        break;
      case "pause":
        pauseExecution(this);
        break;
      case "queued":
        queueExecution(this);
        break;
      case "refused":
        refuseExecution(this, event.state, event.message);
        break;
      case "resume":
        resume(this, event.taskRunId, event.onResume, event.sealedOnResume);
        break;
      case "set-task-state":
        setTaskState(this, event.taskRunId, event.state);
        break;
      case "loop-checked":
        onLoopChecked(this, event.taskRunId, event.iteration, event.again, event.error);
        break;
      case "subflow-started":
        subflowStarted(this, event.taskRunId, event.executionId);
        break;
      case "child-ended":
        childEnded(this, event);
        break;
      case "items-ended":
        itemsEnded(this, event);
        break;
      case "change-status":
        if (isTerminal(this.execution.state.current) && isTerminal(event.state)) this.setExecution(event.state);
        break;
    }
  }

  /** When the earliest retry, sleep or timeout falls due, if any. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const id of this.due) {
      const at = this.byId.get(id)?.meta?.dueAt;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────

  private start(): void {
    const s = this.execution.state.current;
    // A replay from a task run is created RESTARTED (engine/replay.ts) and started like any other.
    if (s !== "CREATED" && s !== "QUEUED" && s !== "RESTARTED") return;
    this.setExecution("RUNNING");
    this.pending.add(ROOT);
    // A replay starts with the task runs it kept: the flowables among them go on driving children,
    // and the chosen one, RESTARTED, runs again.
    for (const run of this.state.taskRuns) {
      if (run.state.current === "RUNNING" && flowableKind(this.taskOf(run).type)) this.pending.add(run.id);
      else if (run.state.current === "RESTARTED") this.dispatch(run);
    }
  }

  /** Every task run not yet terminal becomes KILLED; running work is aborted, children killed unless `cascade` is false. */
  killRemaining(cascade = true): void {
    for (const run of this.state.taskRuns) {
      if (isTerminal(run.state.current)) continue;
      if (run.state.current === "RUNNING" && !flowableKind(this.taskOf(run).type)) {
        this.emit(cascade ? { type: "abort", taskRunId: run.id } : { type: "abort", taskRunId: run.id, cascade });
        // Kill cascades to the subflow's execution.
        if (cascade && run.meta?.childExecutionId) {
          this.emit({ type: "kill-child", executionId: run.meta.childExecutionId });
        }
      }
      const attempt = run.attempts[run.attempts.length - 1];
      if (attempt && !isTerminal(attempt.state.current)) transition(attempt.state, "KILLED", this.ctx.now);
      this.clearDue(run);
      this.move(run, "KILLED");
    }
  }

  /** Reports task runs dropped from the execution, so the caller deletes them from storage. */
  removed(...ids: string[]): void {
    this.out.removedTaskRuns.push(...ids);
  }

  // ── task runs ─────────────────────────────────────────────────────────────────────────────

  dispatch(run: TaskRun): void {
    const task = this.taskOf(run);
    if (flowableKind(task.type) || (task.runIf !== undefined && !run.meta?.resolved)) {
      this.emit({ type: "resolve", taskRunId: run.id });
    } else {
      this.startAttempt(run);
    }
  }

  startAttempt(run: TaskRun): void {
    const attemptState = newState(this.ctx.now);
    transition(attemptState, "RUNNING", this.ctx.now);
    run.attempts.push({ state: attemptState });
    this.move(run, "RUNNING");
    this.emit({ type: isSubflow(this.taskOf(run).type) ? "subflow" : "run", taskRunId: run.id });
  }

  finishAttempt(run: TaskRun, outcome: TaskResult["state"]): void {
    finishAttempt(this, run, outcome);
  }

  /** A task run reached a terminal state: its container may move on. */
  end(run: TaskRun, state: StateType): void {
    this.clearDue(run);
    this.move(run, state);
    this.pending.add(run.parentTaskRunId ?? ROOT);
    this.leaveRetrying();
  }

  leaveRetrying(): void {
    if (this.execution.state.current !== "RETRYING") return;
    for (const id of this.due) if (this.byId.get(id)?.state.current === "RETRYING") return;
    this.setExecution("RUNNING");
  }

  // ── containers ────────────────────────────────────────────────────────────────────────────

  private reconcile(): void {
    while (this.pending.size) {
      const [id] = this.pending;
      this.pending.delete(id!);
      this.processContainer(id!);
    }
  }

  private processContainer(id: string): void {
    const exState = this.execution.state.current;
    if (exState === "KILLING" || exState === "KILLED" || exState === "RETRIED" || exState === "CREATED") return;
    // Paused by hand (no Pause task holds it): nothing new starts until it is resumed.
    if (exState === "PAUSED" && !this.state.taskRuns.some((r) => r.state.current === "PAUSED")) return;
    const container = id === ROOT ? undefined : this.byId.get(id);
    if (id !== ROOT && container?.state.current !== "RUNNING") return;
    if (id === ROOT && (isTerminal(exState) || this.state.pendingEnd)) {
      if (isTerminal(exState)) this.runList(ROOT, undefined, "afterExecution");
      return;
    }
    const task = container ? this.taskOf(container) : undefined;
    // Only the flow and flowable task runs have children; a runnable one is never a container.
    if (task && !flowableKind(task.type)) return;
    const verdict = nextChildren(this, container, task);
    for (const spec of verdict.create) this.createRun(spec.task, container, spec.value, spec.iteration);
    if (verdict.check !== undefined && container) {
      this.emit({ type: "check-loop", taskRunId: container.id, iteration: verdict.check });
    }
    if (!verdict.done) return;
    const mainRuns = this.childrenOf(id).filter((r) => this.index.places.get(r.taskId)?.list === "main");
    const final = finalStateOf(mainRuns);
    if (!container || !task) return this.endExecution(final);
    const own = flowableOwnState(task.type, final);
    if (container.meta?.endOutputs) this.setOutputs(container, { ...container.outputs, ...container.meta.endOutputs });
    this.end(container, applyAllowances(own, task));
  }

  /** Sequentially runs one of the flow's own lists (afterExecution) once the execution ended. */
  private runList(id: string, container: TaskRun | undefined, list: ListKind): void {
    const tasks = listOf(this.state.flow, container ? this.taskOf(container) : undefined, list);
    const runs = this.childrenOf(id).filter((r) => this.index.places.get(r.taskId)?.list === list);
    if (runs.some((r) => !isTerminal(r.state.current))) return;
    const next = tasks[runs.length];
    if (next) this.createRun(next, container);
  }

  private createRun(task: Task, parent: TaskRun | undefined, value?: string, iteration?: number): TaskRun {
    const ex = this.execution;
    const run: TaskRun = {
      id: this.ctx.newId(),
      executionId: ex.id,
      namespace: ex.namespace,
      flowId: ex.flowId,
      taskId: task.id,
      parentTaskRunId: parent?.id,
      value,
      iteration,
      attempts: [],
      outputs: null,
      state: newState(this.ctx.now),
    };
    this.state.taskRuns.push(run);
    this.indexRun(run);
    this.touch(run);
    this.dispatch(run);
    return run;
  }

  private endExecution(final: "KILLED" | "FAILED" | "WARNING" | "PAUSED" | "SUCCESS"): void {
    if (final === "PAUSED") return this.setExecution("PAUSED");
    if (this.state.flow.outputs?.length && (final === "SUCCESS" || final === "WARNING")) {
      this.state.pendingEnd = final;
      this.out.executionChanged = true;
      this.emit({ type: "render-outputs" });
      return;
    }
    this.finish(final);
  }

  finish(final: StateType): void {
    this.killRemaining();
    this.setExecution(final);
    this.emit({ type: "ended" });
    this.pending.add(ROOT);
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────

  indexRun(run: TaskRun): void {
    this.byId.set(run.id, run);
    const key = run.parentTaskRunId ?? ROOT;
    const list = this.children.get(key);
    if (list) list.push(run);
    else this.children.set(key, [run]);
    if (run.meta?.dueAt !== undefined) this.due.add(run.id);
  }

  clearDue(run: TaskRun): void {
    if (run.meta?.dueAt === undefined) return;
    run.meta = { ...run.meta, dueAt: undefined, dueAction: undefined, pendingState: undefined };
    this.due.delete(run.id);
    this.touch(run);
  }

  move(run: TaskRun, to: StateType): void {
    // An ended run that changes (a restart, a state set by hand) may leave a loop's finished head.
    if (isTerminal(run.state.current)) this.loopPrefixes.clear();
    if (transition(run.state, to, this.ctx.now)) this.touch(run);
  }

  setOutputs(run: TaskRun, outputs: Record<string, unknown>): void {
    run.outputs = outputs;
    this.outputsChanges.push(run);
  }

  touch(run: TaskRun): void {
    this.out.dirtyTaskRuns.add(run.id);
  }

  setExecution(to: StateType): void {
    if (transition(this.execution.state, to, this.ctx.now)) this.out.executionChanged = true;
  }

  /** A new array (and new entries) each time: views of the labels are cached by the array's identity. */
  mergeLabels(labels: { key: string; value: string }[]): void {
    const ex = this.execution;
    const merged = ex.labels.map((l) => ({ ...l }));
    for (const label of labels) {
      const existing = merged.find((l) => l.key === label.key);
      if (existing) existing.value = label.value;
      else merged.push({ ...label });
    }
    ex.labels = merged;
    this.out.executionChanged = true;
  }

  emit(command: Command): void {
    this.out.commands.push(command);
  }
}

/** Kestra allows a restart of a terminal or paused execution that has a FAILED or PAUSED task run. */
export function canRestart(state: EngineState): boolean {
  const s = state.execution.state.current;
  if (!isTerminal(s) && s !== "PAUSED") return false;
  return state.taskRuns.some((r) => r.state.current === "FAILED" || r.state.current === "PAUSED");
}
