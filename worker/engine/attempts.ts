// The end of a runnable task run's attempt (spec §2.5, §4): WARNING rules, allowFailure and
// allowWarning, and whether a failure is final or retried — in place, or as a new execution.
import type { Task } from "../../schema/flow/types";
import type { ExecutionMachine } from "./machine";
import { nextAttemptAt, policyFor } from "./retry";
import { applyAllowances, isTerminal, transition } from "./state";
import type { TaskResult, TaskRun } from "./types";

export function finishAttempt(m: ExecutionMachine, run: TaskRun, outcome: TaskResult["state"]): void {
  const task = m.taskOf(run);
  const attempt = run.attempts[run.attempts.length - 1];
  if (attempt) transition(attempt.state, outcome === "SKIPPED" ? "SUCCESS" : outcome, m.now);
  if (outcome === "SKIPPED") return m.end(run, "SKIPPED");
  const policy = policyFor(task, m.ancestorTasks(run), m.state.flow);
  if (outcome === "FAILED") {
    if (policy && scheduleRetry(m, run, policy)) return;
    return m.end(run, applyAllowances("FAILED", task));
  }
  const warned = outcome === "SUCCESS" && policy?.warningOnRetry && run.attempts.length > 1 ? "WARNING" : outcome;
  m.end(run, applyAllowances(warned, task));
}

/** Returns true when the failure is not final: an in-place retry or a new execution follows. */
function scheduleRetry(m: ExecutionMachine, run: TaskRun, policy: NonNullable<Task["retry"]>): boolean {
  const now = m.now.getTime();
  // afterExecution tasks run once the execution has its final state, which a retry must not change.
  const ended = isTerminal(m.execution.state.current);
  if (policy.behavior === "CREATE_NEW_EXECUTION") {
    if (ended) return false;
    const ex = m.execution;
    const first = Date.parse(ex.metadata.originalCreatedDate);
    const at = nextAttemptAt(policy, ex.metadata.attemptNumber, first, now, m.random);
    if (at === undefined) return false;
    m.move(run, "FAILED");
    for (let r: TaskRun | undefined = run; r; r = m.parentOf(r)) m.move(r, "RETRIED");
    m.setDue(run, at, "new-execution");
    m.killRemaining();
    m.setExecution("RETRIED");
    m.emit({ type: "ended" });
    return true;
  }
  const firstStart = Date.parse(run.attempts[0]?.state.histories[0]?.date ?? m.now.toISOString());
  const at = nextAttemptAt(policy, run.attempts.length, firstStart, now, m.random);
  if (at === undefined) return false;
  m.move(run, "FAILED");
  m.move(run, "RETRYING");
  m.setDue(run, at, "retry");
  if (!ended) m.setExecution("RETRYING");
  return true;
}
