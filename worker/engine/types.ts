// The execution as the pure engine sees it: Kestra's Execution, TaskRun, Attempt and State, plus
// the engine's own bookkeeping (`meta`) that is stored with a task run but never shown by the API.
import { EXECUTION_STATES } from "../../schema/flow/common";
import type { Flow } from "../../schema/flow/types";

/** Kestra 0.21's states, shared with the flow model (which also knows the newer ones). */
export const STATES = EXECUTION_STATES;
export type StateType = (typeof STATES)[number];

export interface StateHistory {
  state: StateType;
  date: string;
}

export interface State {
  current: StateType;
  histories: StateHistory[];
}

export interface MetricEntry {
  name: string;
  type: "counter" | "timer";
  /** Counter: a number. Timer: milliseconds here; ISO duration in the API's attempt JSON. */
  value: number;
  tags: Record<string, string>;
  timestamp: string;
}

export interface Attempt {
  state: State;
  metrics?: MetricEntry[];
}

export interface TaskRunMeta {
  /** ForEach: the resolved, de-duplicated loop values. */
  values?: string[];
  /** Switch: the chosen case key, or "defaults". If: "then" | "else" | "none". */
  branch?: string;
  /** Parallel/Dag `concurrent`, ForEach `concurrencyLimit`, when given as a template. */
  limit?: number;
  /** Outputs the flowable shows once it has ended (If's evaluationResult). */
  endOutputs?: Record<string, unknown>;
  /** When the task run's flowable expressions or runIf have been evaluated. */
  resolved?: boolean;
  /** Epoch ms: a retry (RETRYING) or a Sleep (RUNNING) is due then. */
  dueAt?: number;
  /** What happens at dueAt. */
  dueAction?: "retry" | "sleep-end" | "new-execution" | "pause-elapsed" | "loop-next";
  /** LoopUntil/WaitFor: the iteration in flight (0-based) and its check frequency, rendered. */
  loop?: LoopMeta;
  /** Pause: what happens when its duration elapses. */
  pauseBehavior?: PauseBehavior;
  /** Subflow: the child execution this task run waits for. */
  childExecutionId?: string;
  /** The state a sleeping task run ends with when its sleep is over. */
  pendingState?: "SUCCESS" | "WARNING" | "FAILED";
  /**
   * Dotted path in `outputs` → sealed value of a SECRET output (a Pause's SECRET onResume input,
   * worker/secrets/outputs.ts); `outputs` holds the mask there.
   */
  sealedOutputs?: Record<string, { ciphertext: string; iv: string }>;
}

export type PauseBehavior = "RESUME" | "WARN" | "FAIL" | "CANCEL";

export interface TaskRun {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string;
  value?: string;
  iteration?: number;
  attempts: Attempt[];
  outputs: Record<string, unknown> | null;
  state: State;
  meta?: TaskRunMeta;
}

export interface Label {
  key: string;
  value: string;
}

export interface ExecutionTrigger {
  id: string;
  type: string;
  variables?: Record<string, unknown>;
}

export interface Execution {
  id: string;
  tenantId: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  /** SECRET inputs hold the mask here; their values are sealed in `secretInputs`. */
  inputs?: Record<string, unknown>;
  /** Input id → sealed value of each SECRET input (worker/secrets/inputs.ts); never in the API JSON. */
  secretInputs?: Record<string, { ciphertext: string; iv: string }>;
  outputs?: Record<string, unknown>;
  labels: Label[];
  state: State;
  parentId?: string;
  originalId: string;
  trigger?: ExecutionTrigger;
  metadata: { attemptNumber: number; originalCreatedDate: string };
  scheduleDate?: string;
  deleted: boolean;
  /** For a subflow's execution: the task run of the parent that waits for it (not in the API JSON). */
  parent?: { executionId: string; taskRunId: string };
  /** Executions that started one another before this one (launch/limits.ts); absent when 0. */
  chainDepth?: number;
}

/** Everything the engine needs; it mutates this in place and reports what it touched. */
export interface EngineState {
  flow: Flow;
  execution: Execution;
  taskRuns: TaskRun[];
  /** The final state waiting for the flow outputs to be rendered. */
  pendingEnd?: "SUCCESS" | "WARNING" | "FAILED" | "KILLED" | "PAUSED";
}

export interface EngineContext {
  now: Date;
  newId(): string;
  /** In [0, 1): for random retry delays, injected so that a step is replayable. */
  random(): number;
}

/** What a runnable task run ended with, as the Durable Object reports it. */
export interface TaskResult {
  state: "SUCCESS" | "WARNING" | "FAILED" | "SKIPPED";
  outputs?: Record<string, unknown>;
  metrics?: MetricEntry[];
  labels?: Label[];
  /** The task asked to wait (Sleep) before ending with `state`. */
  sleepMs?: number;
  error?: string;
}

export interface LoopMeta {
  iteration: number;
  intervalMs: number;
  maxIterations?: number;
  maxMs?: number;
  failOnMaxReached: boolean;
  /** The condition said the loop is over (or a maximum was reached without failing it). */
  over?: boolean;
}

/** A flowable (or any task with runIf) evaluated by the Durable Object before it may run. */
export type Resolution =
  | {
      ok: true;
      skip?: boolean;
      values?: string[];
      branch?: string;
      outputs?: Record<string, unknown>;
      /** Outputs set only when the flowable ends, so that its children do not see them as `parents`. */
      endOutputs?: Record<string, unknown>;
      /** A templated concurrency limit, rendered. */
      limit?: number;
      /** Pause: how long until `behavior` applies; absent = until resumed by hand. */
      pause?: { afterMs?: number; behavior: PauseBehavior };
      /** LoopUntil/WaitFor: the rendered check frequency. */
      loop?: Omit<LoopMeta, "iteration" | "over">;
    }
  | { ok: false; error: string };

export type EngineEvent =
  | { type: "start" }
  | { type: "task-result"; taskRunId: string; result: TaskResult }
  | { type: "resolved"; taskRunId: string; resolution: Resolution }
  | { type: "outputs-rendered"; outputs?: Record<string, unknown>; error?: string }
  | { type: "alarm" }
  | { type: "recover" }
  /** `cascade: false` (Kestra's isOnKillCascade=false) leaves subflow and ForEachItem children running. */
  | { type: "kill"; cascade?: boolean }
  | { type: "restart" }
  /** The restart's second half, once its answer (the execution as RESTARTED) has been read. */
  | { type: "restarted" }
  | { type: "change-status"; state: StateType }
  | { type: "pause" }
  /** Flow concurrency: the execution waits for a slot (CREATED → QUEUED)… */
  | { type: "queued" }
  /** …or is refused one (CANCEL or FAIL behaviour). */
  | { type: "refused"; state: "CANCELLED" | "FAILED"; message: string }
  /** Resumes one paused task run, or every one (and an execution paused by hand). */
  | {
      type: "resume";
      taskRunId?: string;
      /** The Pause's onResume inputs, SECRET ones masked… */
      onResume?: Record<string, unknown>;
      /** …and sealed here, by input id. */
      sealedOnResume?: Record<string, { ciphertext: string; iv: string }>;
    }
  /** Forces one task run's state (a failed task marked SUCCESS, a pause resumed) and carries on. */
  | { type: "set-task-state"; taskRunId: string; state: StateType }
  | { type: "subflow-started"; taskRunId: string; executionId: string }
  /** A LoopUntil/WaitFor iteration's condition, rendered: whether the loop goes on. */
  | { type: "loop-checked"; taskRunId: string; iteration: number; again: boolean; error?: string }
  /** ForEachItem's `_items`: every batch's execution ended; `state` is the worst of theirs. */
  | { type: "items-ended"; taskRunId: string; state: StateType; outputs: Record<string, unknown> }
  | {
      type: "child-ended";
      taskRunId: string;
      executionId: string;
      state: StateType;
      outputs?: Record<string, unknown>;
      /** The Subflow's `outputs` map failed to render against the child: the task run fails. */
      outputsError?: string;
    };

export type Command =
  | { type: "run"; taskRunId: string }
  | { type: "resolve"; taskRunId: string }
  /** Render a LoopUntil/WaitFor condition once its iteration ended. */
  | { type: "check-loop"; taskRunId: string; iteration: number }
  /** `cascade: false`: abort the task run only, not the batch executions of a ForEachItem. */
  | { type: "abort"; taskRunId: string; cascade?: boolean }
  | { type: "render-outputs" }
  | { type: "log"; level: "INFO" | "WARN" | "ERROR"; message: string; taskRunId?: string }
  | { type: "create-retry-execution" }
  /** Start the child execution of a Subflow task run. */
  | { type: "subflow"; taskRunId: string }
  | { type: "kill-child"; executionId: string }
  /** An event to apply next, in a step of its own (what happened before it can be seen first). */
  | { type: "follow-up"; event: EngineEvent }
  | { type: "ended" };

export interface StepResult {
  commands: Command[];
  /** Task runs created or changed by this step. */
  dirtyTaskRuns: Set<string>;
  /** Task runs dropped by a restart (errors and finally branches). */
  removedTaskRuns: string[];
  executionChanged: boolean;
  /** The earliest epoch ms at which an alarm must fire, if any work is due later. */
  nextAlarm?: number;
}

/** A loop's finished head: its first `runs` children are its first `iterations` iterations, done. */
export interface LoopPrefix {
  runs: number;
  iterations: number;
}
