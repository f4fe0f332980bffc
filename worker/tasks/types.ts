// The contract between the execution Durable Object and a runnable task: what a task may ask of
// its run (render, log, metrics, files) and what it answers. Tasks never touch storage directly.

import type { Task } from "../../schema/flow/types";
import { DomainError } from "../errors";
import type { KvAccess } from "../kv/store";

export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface MetricInput {
  type: "counter" | "timer";
  name: string;
  /** Counter: the increment. Timer: milliseconds. */
  value: number;
  tags?: Record<string, string>;
}

export interface Label {
  key: string;
  value: string;
}

export interface TaskContext {
  /** The task's definition, plugin defaults already applied, properties not yet rendered. */
  readonly task: Task;
  /** Renders a template against this task run's variables (Pebble dialect). */
  render(template: string): Promise<string>;
  /** A template that is exactly one `{{ expr }}` yields the raw value; other strings a string. */
  renderTyped(template: string): Promise<unknown>;
  /** Strings rendered, maps and lists element-wise, other scalars kept. */
  renderDeep(value: unknown): Promise<unknown>;
  log(level: LogLevel, message: string): void;
  metric(metric: MetricInput): void;
  /** Stores a file for this execution in internal storage; returns its `kestra://` URI. */
  putFile(name: string, body: ReadableStream | ArrayBuffer | string): Promise<string>;
  /** Reads a `kestra://` URI of this tenant (current execution or its ancestors). */
  readFile(uri: string): Promise<string>;
  /** Opens what `readFile` may read as a stream, with its size; throws when it is missing. */
  openFile(uri: string): Promise<{ body: ReadableStream<Uint8Array>; size: number }>;
  /** The size in bytes of what `readFile` may read; throws when it is missing. */
  fileSize(uri: string): Promise<number>;
  /** Deletes a file of this execution; false when there was none. Other files are refused. */
  deleteFile(uri: string): Promise<boolean>;
  /** Deletes every file of this execution (inputs and outputs); returns their URIs. */
  purgeExecutionFiles(): Promise<string[]>;
  /**
   * Log lines of an execution of this tenant (this one when `executionId` is undefined) at or
   * above `minLevel`, in order, as the logs API returns them; undefined when there is no such execution.
   */
  executionLogs(executionId: string | undefined, minLevel: LogLevel): Promise<ExecutionLog[] | undefined>;
  /**
   * Resumes a paused execution of this tenant with onResume `inputs` (validated against its Pause);
   * with `namespace`/`flowId`, only if it belongs to them. Throws when it cannot.
   */
  resumeExecution(
    target: { executionId: string; namespace?: string; flowId?: string },
    inputs: Record<string, unknown>,
  ): Promise<void>;
  /** Renders a template to its raw value with `extra` variables over the run's own (an item's fields). */
  renderTypedWith(template: string, extra: Record<string, unknown>): Promise<unknown>;
  /** `fetch` guarded against private, loopback, link-local and metadata addresses unless allowed. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  /** This tenant's KV store, for the kv tasks. */
  readonly kv?: KvAccess;
  /** Aborted when the task's `timeout` elapses or the execution is killed. */
  readonly signal: AbortSignal;
}

export interface ExecutionLog {
  namespace: string;
  flowId: string;
  taskId: string | null;
  executionId: string;
  taskRunId: string | null;
  attemptNumber: number | null;
  timestamp: string;
  level: string;
  message: string;
}

export interface TaskOutcome {
  /** Defaults to SUCCESS. Throwing (any Error) means FAILED with its message. */
  state?: "SUCCESS" | "WARNING";
  outputs?: Record<string, unknown>;
  /** The task run waits this long (on an alarm, never busy) before it ends with `state`. */
  sleepMs?: number;
  /** Labels merged into the execution (execution.Labels). */
  labels?: Label[];
}

export interface RunnableTask {
  run(ctx: TaskContext): Promise<TaskOutcome>;
}

/** A task failure with a message meant for the user; other errors are reported as they are. */
export class TaskFailure extends DomainError {
  override readonly name = "TaskFailure";
  // A task's properties or its work were refused; it fails the task run and never reaches the API.
  readonly code = "invalid";
}
