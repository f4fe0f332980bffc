// Control requests on an execution (spec §2.2, §3.5, §5 Pause): kill, restart, pause and resume,
// and forcing one task run's state. Each is a change of the machine's state plus commands.

import { flowableKind } from "./flow-index";
import type { ExecutionMachine } from "./machine";
import { canRestart, ROOT } from "./machine";
import { isTerminal } from "./state";
import type { StateType, TaskRun } from "./types";

export function killExecution(m: ExecutionMachine, cascade = true): void {
  if (isTerminal(m.execution.state.current)) return;
  m.setExecution("KILLING");
  m.killRemaining(cascade);
  m.state.pendingEnd = undefined;
  m.setExecution("KILLED");
  m.emit({ type: "ended" });
}

/** Drops the task runs of every errors and finally branch, and their descendants. */
function dropHandlerRuns(m: ExecutionMachine): void {
  const dropped = new Set<string>();
  for (const run of m.state.taskRuns) {
    const place = m.index.places.get(run.taskId);
    const parentDropped = run.parentTaskRunId !== undefined && dropped.has(run.parentTaskRunId);
    if (parentDropped || place?.list === "errors" || place?.list === "finally") dropped.add(run.id);
  }
  if (!dropped.size) return;
  m.state.taskRuns = m.state.taskRuns.filter((r) => !dropped.has(r.id));
  m.reindex();
  m.removed(...dropped);
}

/** Puts an ended execution back to work: RESTARTED then RUNNING, attemptNumber + 1. */
function reopen(m: ExecutionMachine): void {
  m.state.pendingEnd = undefined;
  m.execution.metadata.attemptNumber += 1;
  m.setExecution("RESTARTED");
  m.setExecution("RUNNING");
}

/** A restarted task run goes again: flowables re-drive their children, others run a new attempt. */
function rerun(m: ExecutionMachine, run: TaskRun): void {
  // A flowable that failed while being resolved (Switch value, ForEach values…) has no branch or
  // values yet: it must be evaluated again, not driven as if it had none.
  if (flowableKind(m.taskOf(run).type) && run.meta?.resolved) {
    m.move(run, "RUNNING");
    m.wake(run.id);
  } else {
    m.dispatch(run);
  }
}

/**
 * Kestra's restart, first half: errors and finally task runs are dropped, the task runs to run
 * again (and their ancestors) and the execution become RESTARTED, and nothing moves on yet. That
 * is the execution the restart answers with; `restarted` (the follow-up event) sets it going.
 */
export function restartExecution(m: ExecutionMachine): void {
  if (!canRestart(m.state)) return;
  dropHandlerRuns(m);
  // Task runs killed only because the execution ended around them (a Parallel sibling of a
  // failure) go again; after a kill request, KILLED stays KILLED.
  const collateral = m.execution.state.current !== "KILLED";
  const again = (state: string) => state === "FAILED" || state === "PAUSED" || (collateral && state === "KILLED");
  for (const run of m.state.taskRuns) {
    if (!again(run.state.current)) continue;
    for (let r: TaskRun | undefined = run; r; r = m.parentOf(r)) {
      if (r.state.current !== "RESTARTED") m.move(r, "RESTARTED");
    }
  }
  m.state.pendingEnd = undefined;
  m.execution.metadata.attemptNumber += 1;
  m.setExecution("RESTARTED");
  m.emit({ type: "follow-up", event: { type: "restarted" } });
}

/** The restart's second half: the execution runs again, and so does every RESTARTED task run. */
export function goOnAfterRestart(m: ExecutionMachine): void {
  if (m.execution.state.current !== "RESTARTED") return;
  m.setExecution("RUNNING");
  for (const run of m.state.taskRuns) {
    if (run.state.current === "RESTARTED") rerun(m, run);
    // A replay's kept flowables (its start cut short by an eviction) drive their children again.
    else if (run.state.current === "RUNNING" && flowableKind(m.taskOf(run).type)) m.wake(run.id);
  }
  m.wake(ROOT);
}

/** Flow concurrency (spec §3.6): no slot free, the execution waits in the queue. */
/** Not started yet: CREATED, or RESTARTED as a replay from a task run is created. */
const unstarted = (m: ExecutionMachine) =>
  m.execution.state.current === "CREATED" || m.execution.state.current === "RESTARTED";

export function queueExecution(m: ExecutionMachine): void {
  if (!unstarted(m)) return;
  m.setExecution("QUEUED");
  m.emit({ type: "log", level: "INFO", message: "Flow is queued due to concurrency limit exceeded" });
}

/** Flow concurrency with CANCEL or FAIL: the execution ends before it starts. */
export function refuseExecution(m: ExecutionMachine, state: "CANCELLED" | "FAILED", message: string): void {
  if (!unstarted(m)) return;
  m.emit({ type: "log", level: state === "FAILED" ? "ERROR" : "INFO", message });
  m.setExecution(state);
  m.emit({ type: "ended" });
}

/** Paused by hand: running task runs finish, nothing new starts until resumed. */
export function pauseExecution(m: ExecutionMachine): void {
  if (m.execution.state.current === "RUNNING") m.setExecution("PAUSED");
}

/** Resumes a paused task run: its children (deprecated Pause `tasks`) run, else it succeeds. */
export function resumeRun(
  m: ExecutionMachine,
  run: TaskRun,
  onResume?: Record<string, unknown>,
  sealed?: Record<string, { ciphertext: string; iv: string }>,
): void {
  m.clearDue(run);
  if (onResume && Object.keys(onResume).length) {
    // New onResume values replace the last resume's, sealed ones included (a restarted Pause).
    const sealedOutputs = Object.entries(sealed ?? {}).map(([id, value]) => [`onResume.${id}`, value] as const);
    run.meta = { ...run.meta, sealedOutputs: sealedOutputs.length ? Object.fromEntries(sealedOutputs) : undefined };
    m.setOutputs(run, { ...run.outputs, onResume });
  }
  m.move(run, "RUNNING");
  if ((m.taskOf(run).tasks ?? []).length) m.wake(run.id);
  else m.end(run, "SUCCESS");
  leavePaused(m);
}

/** PAUSED → RESTARTED → RUNNING once no task run holds the execution paused. */
export function leavePaused(m: ExecutionMachine): void {
  if (m.execution.state.current !== "PAUSED") return;
  if (m.state.taskRuns.some((r) => r.state.current === "PAUSED")) return;
  m.setExecution("RESTARTED");
  m.setExecution("RUNNING");
  m.wake(ROOT);
  for (const run of m.state.taskRuns)
    if (run.state.current === "RUNNING" && flowableKind(m.taskOf(run).type)) m.wake(run.id);
}

export function resume(
  m: ExecutionMachine,
  taskRunId: string | undefined,
  onResume?: Record<string, unknown>,
  sealed?: Record<string, { ciphertext: string; iv: string }>,
): void {
  if (m.execution.state.current !== "PAUSED") return;
  const paused = m.state.taskRuns.filter((r) => r.state.current === "PAUSED" && (!taskRunId || r.id === taskRunId));
  for (const run of paused) resumeRun(m, run, onResume, sealed);
  leavePaused(m);
}

/**
 * Forces a task run's state. A paused one is resumed (or ended) with it; a terminal one takes the
 * new state and, if the execution had ended, the execution goes on from there as after a restart.
 */
export function setTaskState(m: ExecutionMachine, taskRunId: string, state: StateType): void {
  const run = m.taskRun(taskRunId);
  if (!run) return;
  if (run.state.current === "PAUSED") {
    if (state === "RUNNING" || state === "SUCCESS") return resumeRun(m, run);
    m.end(run, state);
    return leavePaused(m);
  }
  if (!isTerminal(run.state.current) || !isTerminal(state)) return;
  const ended = isTerminal(m.execution.state.current);
  if (ended) dropHandlerRuns(m);
  m.move(run, state);
  if (ended) {
    for (let p = m.parentOf(run); p; p = m.parentOf(p)) {
      if (isTerminal(p.state.current)) m.move(p, "RUNNING");
    }
    reopen(m);
  }
  m.wake(run.parentTaskRunId ?? ROOT);
}
