// How the machine takes the results of the work it asked for: a task run's evaluation (flowables,
// runIf), a runnable task's result, the alarm (retries, sleeps, pause durations), the rendered flow
// outputs, and the recovery of work in flight after the Durable Object restarted.
import { flowableKind, isSubflow } from "./flow-index";
import { nextIteration } from "./loops";
import { type ExecutionMachine, ROOT } from "./machine";
import { applyAllowances } from "./state";
import type { Resolution, TaskResult } from "./types";
import { pauseElapsed, pauseResolved } from "./waits";

export function onResolved(m: ExecutionMachine, id: string, resolution: Resolution): void {
  const run = m.taskRun(id);
  if (!run || (run.state.current !== "CREATED" && run.state.current !== "RESTARTED")) return;
  const task = m.taskOf(run);
  if (!resolution.ok) {
    m.emit({ type: "log", level: "ERROR", message: resolution.error, taskRunId: id });
    return m.end(run, applyAllowances("FAILED", task));
  }
  if (resolution.skip) return m.end(run, "SKIPPED");
  run.meta = {
    ...run.meta,
    resolved: true,
    values: resolution.values,
    branch: resolution.branch,
    limit: resolution.limit,
    endOutputs: resolution.endOutputs,
    loop: resolution.loop && { ...resolution.loop, iteration: 0 },
  };
  if (resolution.outputs) m.setOutputs(run, resolution.outputs);
  if (resolution.pause) {
    pauseResolved(m, run, resolution.pause);
  } else if (flowableKind(task.type)) {
    m.move(run, "RUNNING");
    m.wake(run.id);
  } else {
    m.startAttempt(run);
  }
}

export function onTaskResult(m: ExecutionMachine, id: string, result: TaskResult): void {
  const run = m.taskRun(id);
  if (run?.state.current !== "RUNNING" || run.meta?.dueAction === "sleep-end") return;
  const attempt = run.attempts[run.attempts.length - 1];
  if (attempt && result.metrics?.length) attempt.metrics = [...(attempt.metrics ?? []), ...result.metrics];
  if (result.outputs) m.setOutputs(run, result.outputs);
  if (result.labels?.length) m.mergeLabels(result.labels);
  if (result.error) m.emit({ type: "log", level: "ERROR", message: result.error, taskRunId: id });
  if (result.sleepMs !== undefined && result.state !== "SKIPPED") {
    m.setDue(run, m.now.getTime() + result.sleepMs, "sleep-end");
    run.meta = { ...run.meta, pendingState: result.state };
    return;
  }
  m.finishAttempt(run, result.state);
}

export function onAlarm(m: ExecutionMachine): void {
  const now = m.now.getTime();
  for (const run of m.dueRuns()) {
    const meta = run.meta;
    if (meta?.dueAt === undefined || meta.dueAt > now) continue;
    const action = meta.dueAction;
    const pendingState = meta.pendingState;
    m.clearDue(run);
    if (action === "retry" && run.state.current === "RETRYING") {
      m.move(run, "CREATED");
      m.dispatch(run);
    } else if (action === "sleep-end" && run.state.current === "RUNNING") {
      m.finishAttempt(run, pendingState ?? "SUCCESS");
    } else if (action === "new-execution") {
      m.emit({ type: "create-retry-execution" });
    } else if (action === "loop-next") {
      nextIteration(m, run);
    } else if (action === "pause-elapsed" && run.state.current === "PAUSED") {
      pauseElapsed(m, run, meta.pauseBehavior ?? "RESUME");
    }
  }
  m.leaveRetrying();
}

/** After the Durable Object restarted: re-issue the work that was in flight. */
export function recover(m: ExecutionMachine): void {
  const s = m.execution.state.current;
  if (s === "CREATED" || s === "QUEUED") return;
  if (m.state.pendingEnd) m.emit({ type: "render-outputs" });
  // A restart stopped between its halves goes on; its second half sets every task run going.
  if (s === "RESTARTED") return m.emit({ type: "follow-up", event: { type: "restarted" } });
  for (const run of m.state.taskRuns) {
    const current = run.state.current;
    const type = m.taskOf(run).type;
    if (current === "CREATED" || current === "RESTARTED") m.dispatch(run);
    else if (current === "RUNNING" && flowableKind(type)) m.wake(run.id);
    else if (current === "RUNNING" && run.meta?.dueAction !== "sleep-end" && !run.meta?.childExecutionId) {
      m.emit({ type: isSubflow(type) ? "subflow" : "run", taskRunId: run.id });
    }
  }
  m.wake(ROOT);
}

export function onOutputsRendered(
  m: ExecutionMachine,
  outputs: Record<string, unknown> | undefined,
  error?: string,
): void {
  const end = m.state.pendingEnd;
  if (!end) return;
  m.state.pendingEnd = undefined;
  if (error) {
    m.emit({ type: "log", level: "ERROR", message: `Failed to render flow outputs: ${error}` });
    return m.finish("FAILED");
  }
  if (outputs && Object.keys(outputs).length) m.execution.outputs = outputs;
  m.finish(end);
}
