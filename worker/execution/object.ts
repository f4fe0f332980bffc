// What the rest of the Worker may ask of an execution's Durable Object, and how it reaches one.
// ExecutionDurableObject implements this interface; callers hold only the interface, so nothing
// outside execution/ imports the object's class (and its engine, runner and stores).
import type { Flow } from "../../schema/flow/types";
import type { Execution, Label, StateType, TaskRun } from "../engine/types";
import type { Sealed } from "../secrets/crypto";
import type { SealedInputs } from "../secrets/inputs";
import type { ExecutionJson, ExecutionSummaryJson } from "./json";
import type { LogRow, MetricRow } from "./store";
import type { Paging, TaskRunMatch, TaskRunPage, TaskRunViewJson } from "./taskrun-lookup";

/** One template of the expression console: its rendering, or the error that stopped it. */
export type EvalOutcome = { ok: true; value: string } | { ok: false; error: string };

export type ControlOutcome =
  | { ok: true; execution: ExecutionJson }
  | { ok: false; reason: "not_found" | "conflict" | "invalid"; message: string };

/** What the sweeper's reconcile found: no object, an index row brought up to date, or a poke. */
export type Reconciled = "missing" | "reprojected" | "poked";

export interface LogFilter {
  minLevel?: string;
  taskId?: string;
  taskRunId?: string;
  attempt?: number;
  afterSeq?: number;
}

export interface ExecutionObject {
  /**
   * Stores a new execution and starts it (or arms its scheduleDate). Idempotent per id. With a
   * `refusal`, the execution is stored FAILED with that reason and never runs (launch/limits.ts).
   */
  create(execution: Execution, flow: Flow, seed?: TaskRun[], refusal?: string): Promise<ExecutionJson>;
  get(): Promise<ExecutionJson | null>;
  /** The execution without its task runs: cheap, for callers that need only who and where it is. */
  summary(): Promise<ExecutionSummaryJson | null>;
  /** `cascade`: also kill the Subflow children (Kestra's isOnKillCascade). */
  kill(cascade?: boolean): Promise<ControlOutcome>;
  restart(): Promise<ControlOutcome>;
  changeStatus(state: StateType): Promise<ControlOutcome>;
  pause(): Promise<ControlOutcome>;
  pausedTasks(): Promise<{ taskRunId: string; taskId: string; flowRevision: number }[] | null>;
  resume(
    taskRunId?: string,
    onResume?: Record<string, unknown>,
    sealedOnResume?: Record<string, Sealed>,
  ): Promise<ControlOutcome>;
  setTaskState(taskRunId: string, state: StateType): Promise<ControlOutcome>;
  /** From a child execution's object, at least once: the Subflow (or ForEachItem) run may go on. */
  childEnded(
    taskRunId: string,
    executionId: string,
    state: StateType,
    outputs?: Record<string, unknown>,
  ): Promise<void>;
  /** Kestra's "set labels" on a terminated execution: these replace those of the same key. */
  setLabels(labels: Label[]): Promise<ControlOutcome>;
  /** Renders `value` in this execution's context (its variables and services). */
  renderHere(value: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: string }>;
  /**
   * The expression console: each template rendered against the task run's context, secrets masked.
   * Null when there is no such execution, undefined when it has no such task run.
   */
  evaluate(taskRunId: string, templates: string[]): Promise<EvalOutcome[] | undefined | null>;
  markDeleted(): Promise<boolean>;
  // Task-run lookups (./taskrun-lookup.ts); null when there is no such execution (or it was deleted).
  taskRun(id: string): Promise<TaskRunViewJson | undefined | null>;
  matchTaskRuns(match: TaskRunMatch, paging: Paging): Promise<TaskRunPage | null>;
  childTaskRuns(
    parentId: string,
    paging: Paging,
  ): Promise<(TaskRunPage & { parent: TaskRunViewJson }) | undefined | null>;
  /** Resolves with the execution once it is terminal (PAUSED does not count), or at the timeout. */
  waitForEnd(timeoutMs: number): Promise<ExecutionJson | null>;
  logs(filter?: LogFilter): Promise<LogRow[] | null>;
  deleteLogs(filter: { taskId?: string; taskRunId?: string; attempt?: number }): Promise<boolean>;
  metrics(): Promise<MetricRow[] | null>;
  /** Server-sent events: the execution now, then one event per change, `end` when terminal. */
  follow(): Promise<ReadableStream<Uint8Array> | null>;
  /** From the sweeper: finish whatever a lost alarm or an eviction left undone. */
  poke(): Promise<void>;
  /**
   * From the sweeper, whose index row (not terminal, not updated for minutes) says `indexState`:
   * a differing object is projected to D1 again (execution and every task run), then poked.
   */
  reconcile(indexState: string): Promise<Reconciled>;
  /** From the flow's concurrency object: a slot is ours, the queued execution starts. */
  dequeue(): Promise<void>;
  replaySeed(newExecutionId: string, taskRunId: string): Promise<TaskRun[] | null>;
  /** For a restart on another revision: the task runs the new execution starts with; null: nothing to restart. */
  restartSeed(newExecutionId: string): Promise<TaskRun[] | null>;
  sealedInputs(): Promise<SealedInputs | null>;
}

export function executionStub(env: Env, tenantId: string, executionId: string): ExecutionObject {
  return env.EXECUTIONS.get(env.EXECUTIONS.idFromName(`${tenantId}:${executionId}`));
}
