// Task runs that wait on something outside themselves: a Pause (until resumed, or until its
// duration elapses and its behavior applies), a Subflow (until its child execution ends) and
// ForEachItem's `_items` (until every batch's execution ended).
import { leavePaused, resumeRun } from "./control";
import type { ExecutionMachine } from "./machine";
import { applyAllowances } from "./state";
import type { PauseBehavior, StateType, TaskRun } from "./types";

export function pauseResolved(
  m: ExecutionMachine,
  run: TaskRun,
  pause: { afterMs?: number; behavior: PauseBehavior },
): void {
  m.move(run, "RUNNING");
  m.move(run, "PAUSED");
  if (pause.afterMs !== undefined) {
    m.setDue(run, m.now.getTime() + pause.afterMs, "pause-elapsed");
    run.meta = { ...run.meta, pauseBehavior: pause.behavior };
  }
  m.setExecution("PAUSED");
}

export function pauseElapsed(m: ExecutionMachine, run: TaskRun, behavior: PauseBehavior): void {
  switch (behavior) {
    case "RESUME":
      return resumeRun(m, run);
    case "WARN":
      m.end(run, "WARNING");
      return leavePaused(m);
    case "FAIL":
      m.end(run, applyAllowances("FAILED", m.taskOf(run)));
      return leavePaused(m);
    case "CANCEL":
      m.end(run, "CANCELLED");
      m.killRemaining();
      m.setExecution("CANCELLED");
      m.emit({ type: "ended" });
      return;
  }
}

export function subflowStarted(m: ExecutionMachine, taskRunId: string, executionId: string): void {
  const run = m.taskRun(taskRunId);
  if (run?.state.current !== "RUNNING") return;
  run.meta = { ...run.meta, childExecutionId: executionId };
  m.touch(run);
}

/** Kestra's mapping of a child's end onto the Subflow task run (spec §5, transmitFailed). */
export function childEnded(
  m: ExecutionMachine,
  event: {
    taskRunId: string;
    executionId: string;
    state: StateType;
    outputs?: Record<string, unknown>;
    outputsError?: string;
  },
): void {
  const run = m.taskRun(event.taskRunId);
  if (run?.state.current !== "RUNNING") return;
  if (run.meta?.childExecutionId && run.meta.childExecutionId !== event.executionId) return;
  if (event.outputsError !== undefined) {
    // Kestra fails the Subflow whatever the child's state when its outputs cannot be rendered.
    m.setOutputs(run, { executionId: event.executionId, state: event.state });
    m.emit({
      type: "log",
      level: "ERROR",
      message: `Failed to render the subflow outputs: ${event.outputsError}`,
      taskRunId: run.id,
    });
    return m.finishAttempt(run, "FAILED");
  }
  m.setOutputs(run, { executionId: event.executionId, state: event.state, outputs: event.outputs ?? {} });
  transmit(m, run, event.state);
}

/** ForEachItem's `_items` once all its batches ended: the same mapping, on their worst state. */
export function itemsEnded(
  m: ExecutionMachine,
  event: { taskRunId: string; state: StateType; outputs: Record<string, unknown> },
): void {
  const run = m.taskRun(event.taskRunId);
  if (run?.state.current !== "RUNNING") return;
  m.setOutputs(run, event.outputs);
  transmit(m, run, event.state);
}

function transmit(m: ExecutionMachine, run: TaskRun, state: StateType): void {
  const task = m.taskOf(run);
  const transmitted = task.transmitFailed !== false && task.transmitFailed !== "false";
  if (transmitted && state === "KILLED") {
    m.clearDue(run);
    return m.end(run, "KILLED");
  }
  const outcome = transmitted && (state === "FAILED" || state === "WARNING") ? state : "SUCCESS";
  m.finishAttempt(run, outcome);
}
