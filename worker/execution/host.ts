// What a task's run needs from the execution's Durable Object (its machine, env, scope, logs and
// the controllers that stop running tasks), apart from the runner, so that the modules the runner
// calls (log.Fetch, subflows, ForEachItem, the expression console) depend on this and not on it.
import type { ExecutionMachine } from "../engine/machine";
import type { ExecutionScope } from "../storage/files";
import type { LogLevel } from "../tasks/types";
import type { LogRow } from "./store";

export interface RunnerHost {
  machine: ExecutionMachine;
  env: Env;
  scope: ExecutionScope;
  log(taskRunId: string | null, level: LogLevel | "INFO" | "WARN" | "ERROR", message: string): void;
  controllers: Map<string, TaskAbort>;
  /** The ERROR logs of this execution so far, for `errorLogs()`. */
  errorLogs(): unknown[];
  /** This execution's log lines at or above `minLevel`, in order (log.Fetch). */
  logs(minLevel: LogLevel): LogRow[];
}

/**
 * A running task's way to be stopped (kill, timeout). The AbortController behind its signal is
 * made when the task first asks for it: most in-process tasks never do, and one per run adds up.
 */
export class TaskAbort {
  private controller?: AbortController;
  private aborted = false;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.aborted) this.controller.abort();
    return this.controller.signal;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}
