// One Durable Object per execution, named `{tenant}:{executionId}`: the single writer of that
// execution. It feeds events to the pure engine, persists the steps of each turn in one SQLite
// transaction together with their outbox keys, runs in-process tasks back to back without
// awaiting storage or D1, sleeps and retries on alarms, and drains the outbox to D1 off the
// critical path.
import { DurableObject } from "cloudflare:workers";
import type { Flow } from "../../schema/flow/types";
import { admissionEvent, concurrencyStub } from "../concurrency/object";
import { canRestart, ExecutionMachine } from "../engine/machine";
import { replaySeed, restartSeed } from "../engine/replay";
import { isTerminal } from "../engine/state";
import type { EngineEvent, Execution, Label, StateType, TaskRun } from "../engine/types";
import { newId } from "../ids";
import type { Sealed } from "../secrets/crypto";
import type { SealedInputs } from "../secrets/inputs";
import { resealOutputs } from "../secrets/outputs";
import type { ExecutionScope } from "../storage/files";
import { isRecord } from "../tasks/properties";
import type { LogLevel } from "../tasks/types";
import { Background, type Subject } from "./background";
import { StepBatch } from "./batch";
import { carryOut } from "./commands";
import { evaluateForTaskRun } from "./eval";
import { ForEachItemChildren, forEachItemWork, itemEnded } from "./foreach-item";
import type { RunnerHost, TaskAbort } from "./host";
import { type ExecutionJson, type ExecutionSummaryJson, executionJson, executionSummaryJson } from "./json";
import {
  type ControlOutcome,
  type EvalOutcome,
  type ExecutionObject,
  executionStub,
  type LogFilter,
  type Reconciled,
} from "./object";
import { renderInExecution } from "./runner";
import { ExecutionStore, type LogRow, levelRank, type MetricRow } from "./store";
import * as lookup from "./taskrun-lookup";
import { type Watched, Watchers } from "./watchers";

/** How long a run of in-process steps may hold the object before it yields to other requests. */
const SLICE_MS = 25;

export class ExecutionDurableObject extends DurableObject<Env> implements ExecutionObject {
  private readonly store: ExecutionStore;
  private machine?: ExecutionMachine;
  readonly controllers = new Map<string, TaskAbort>();
  private inflight = 0;
  /** Shifts this object's clock; only tests move it, to make retries and sleeps due now. */
  private clockOffsetMs = 0;
  private readonly watchers = new Watchers();
  private readonly items: ForEachItemChildren;
  private readonly background: Background;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ExecutionStore(ctx.storage);
    this.background = new Background(ctx, env, this.store);
    this.items = new ForEachItemChildren(ctx.storage.sql);
    const state = this.store.load();
    if (state) this.machine = new ExecutionMachine(state);
  }

  // ── RPC ───────────────────────────────────────────────────────────────────────────────────

  /** Stores a new execution and starts it (or, refused, ends it FAILED at once). Idempotent per id. */
  async create(execution: Execution, flow: Flow, seed: TaskRun[] = [], refusal?: string): Promise<ExecutionJson> {
    if (!this.machine) {
      const state = { flow, execution, taskRuns: seed };
      this.store.transaction(() => {
        this.store.create(state);
        this.store.saveTaskRuns(seed);
      });
      this.machine = new ExecutionMachine(state);
      // A replay from a task run is created RESTARTED, and answers so, as Kestra's does.
      const answer = execution.state.current === "RESTARTED" ? structuredClone(this.json()) : undefined;
      if (refusal) await this.pump([{ type: "refused", state: "FAILED", message: refusal }]);
      else await this.admit();
      if (answer) return answer;
    }
    return this.json();
  }

  /**
   * Starts a CREATED execution once it may: at its scheduleDate, and with a slot when its flow
   * has a concurrency limit. Safe to repeat (the slot request is idempotent).
   */
  private async admit(): Promise<void> {
    const { flow, execution } = this.machine!.state;
    const at = execution.scheduleDate ? Date.parse(execution.scheduleDate) : 0;
    if (at > this.now().getTime()) return this.ctx.storage.setAlarm(at);
    const limit = flow.concurrency?.limit;
    if (!limit) return void this.pump([{ type: "start" }]);
    const slots = concurrencyStub(this.env, execution.tenantId, execution.namespace, execution.flowId);
    const admission = await slots.acquire(
      execution.tenantId,
      execution.id,
      limit,
      flow.concurrency?.behavior ?? "QUEUE",
    );
    const event = admissionEvent(admission);
    if (event.type === "start") return void this.pump([event]);
    return this.pump([event]);
  }

  /** From the flow's concurrency object: a slot is ours, the queued execution starts. */
  async dequeue(): Promise<void> {
    if (this.machine?.execution.state.current === "QUEUED") void this.pump([{ type: "start" }]);
  }

  /** For a replay from `taskRunId`: the task runs the new execution starts with (engine/replay.ts). */
  async replaySeed(newExecutionId: string, taskRunId: string): Promise<TaskRun[] | null> {
    if (!this.machine) return null;
    const seed = replaySeed(this.machine, taskRunId, newExecutionId, { now: new Date(), newId });
    // Sealed outputs are bound to this execution: sealed again for the replay (they stay sealed on the way).
    const { tenantId, id } = this.machine.execution;
    return seed && resealOutputs(this.env, tenantId, id, newExecutionId, seed);
  }

  /** For a restart on another revision: the task runs the new execution starts with (engine/replay.ts). */
  async restartSeed(newExecutionId: string): Promise<TaskRun[] | null> {
    if (!this.machine) return null;
    const seed = restartSeed(this.machine, newExecutionId, { now: new Date(), newId });
    const { tenantId, id } = this.machine.execution;
    return seed && resealOutputs(this.env, tenantId, id, newExecutionId, seed);
  }

  /** The sealed SECRET inputs, for a replay to take over (they stay sealed on the way). */
  async sealedInputs(): Promise<SealedInputs | null> {
    return this.machine ? (this.machine.execution.secretInputs ?? {}) : null;
  }

  /** The execution without its task runs: cheap, for callers that need only who and where it is. */
  async summary(): Promise<ExecutionSummaryJson | null> {
    return this.machine ? executionSummaryJson(this.machine.execution) : null;
  }

  async get(): Promise<ExecutionJson | null> {
    return this.machine ? this.json() : null;
  }

  async kill(cascade = true): Promise<ControlOutcome> {
    if (!this.machine) return { ok: false, reason: "not_found", message: "Execution not found" };
    if (isTerminal(this.machine.execution.state.current)) {
      return { ok: false, reason: "conflict", message: "Execution is already terminated" };
    }
    await this.pump([cascade ? { type: "kill" } : { type: "kill", cascade }]);
    return { ok: true, execution: this.json() };
  }

  async restart(): Promise<ControlOutcome> {
    if (!this.machine) return { ok: false, reason: "not_found", message: "Execution not found" };
    if (!canRestart(this.machine.state)) {
      // Kestra refuses with an IllegalArgument: a 422, not a conflict.
      return { ok: false, reason: "invalid", message: "No task found to restart execution from!" };
    }
    // Not awaited: the restart is applied synchronously; the re-run goes on in the background.
    void this.pump([{ type: "restart" }]);
    return { ok: true, execution: this.json() };
  }

  async changeStatus(state: StateType): Promise<ControlOutcome> {
    if (!this.machine) return { ok: false, reason: "not_found", message: "Execution not found" };
    if (!isTerminal(this.machine.execution.state.current) || !isTerminal(state)) {
      return { ok: false, reason: "conflict", message: "Only a terminated execution can change to a terminal state" };
    }
    await this.pump([{ type: "change-status", state }]);
    return { ok: true, execution: this.json() };
  }

  async pause(): Promise<ControlOutcome> {
    if (!this.machine) return { ok: false, reason: "not_found", message: "Execution not found" };
    if (this.machine.execution.state.current !== "RUNNING") {
      return { ok: false, reason: "conflict", message: "Only a RUNNING execution can be paused" };
    }
    await this.pump([{ type: "pause" }]);
    return { ok: true, execution: this.json() };
  }

  /** The paused task runs and their task ids, so the API can validate `onResume` inputs. */
  async pausedTasks(): Promise<{ taskRunId: string; taskId: string; flowRevision: number }[] | null> {
    if (!this.machine) return null;
    const revision = this.machine.execution.flowRevision;
    return this.machine.state.taskRuns
      .filter((r) => r.state.current === "PAUSED")
      .map((r) => ({ taskRunId: r.id, taskId: r.taskId, flowRevision: revision }));
  }

  /** `onResume` holds SECRET values masked; `sealedOnResume` holds them sealed (secrets/outputs.ts). */
  async resume(
    taskRunId?: string,
    onResume?: Record<string, unknown>,
    sealedOnResume?: Record<string, Sealed>,
  ): Promise<ControlOutcome> {
    if (!this.machine) return { ok: false, reason: "not_found", message: "Execution not found" };
    if (this.machine.execution.state.current !== "PAUSED") {
      return { ok: false, reason: "conflict", message: "Execution is not paused" };
    }
    void this.pump([{ type: "resume", taskRunId, onResume, sealedOnResume }]);
    return { ok: true, execution: this.json() };
  }

  async setTaskState(taskRunId: string, state: StateType): Promise<ControlOutcome> {
    if (!this.machine) return { ok: false, reason: "not_found", message: "Execution not found" };
    const run = this.machine.taskRun(taskRunId);
    if (!run) return { ok: false, reason: "not_found", message: `Task run '${taskRunId}' not found` };
    if (run.state.current !== "PAUSED" && !(isTerminal(run.state.current) && isTerminal(state))) {
      return {
        ok: false,
        reason: "conflict",
        message: `Task run is ${run.state.current}; it cannot be set to ${state}`,
      };
    }
    void this.pump([{ type: "set-task-state", taskRunId, state }]);
    return { ok: true, execution: this.json() };
  }

  /** From a child execution's Durable Object, at least once: the Subflow task run may go on. */
  async childEnded(
    taskRunId: string,
    executionId: string,
    state: StateType,
    outputs?: Record<string, unknown>,
  ): Promise<void> {
    if (!this.machine) return;
    if (forEachItemWork(this.machine, taskRunId) === "items") {
      const event = await itemEnded(this.host(), this.items, taskRunId, executionId, state, outputs);
      if (event) void this.pump([event]);
      return;
    }
    const run = this.machine.taskRun(taskRunId);
    const map = run ? this.machine.taskOf(run).outputs : undefined;
    // Kestra's deprecated Subflow `outputs` map, used when the child flow declares no outputs of its own.
    if (run?.state.current === "RUNNING" && isRecord(map) && !(outputs && Object.keys(outputs).length)) {
      const tenantId = this.machine.execution.tenantId;
      const rendered = await executionStub(this.env, tenantId, executionId).renderHere(map);
      const event: EngineEvent = rendered.ok
        ? { type: "child-ended", taskRunId, executionId, state, outputs: rendered.value as Record<string, unknown> }
        : { type: "child-ended", taskRunId, executionId, state, outputsError: rendered.error };
      void this.pump([event]);
      return;
    }
    void this.pump([{ type: "child-ended", taskRunId, executionId, state, outputs }]);
  }

  /**
   * Kestra's "set labels" on a terminated execution: the given labels replace those of the same
   * key, the others stay.
   */
  async setLabels(labels: Label[]): Promise<ControlOutcome> {
    if (!this.machine || this.machine.execution.deleted) {
      return { ok: false, reason: "not_found", message: "Execution not found" };
    }
    if (!isTerminal(this.machine.execution.state.current)) {
      return { ok: false, reason: "conflict", message: "The execution is not terminated" };
    }
    const given = new Map(labels.map((l) => [l.key, l.value]));
    const kept = this.machine.execution.labels.filter((l) => !given.has(l.key));
    this.machine.execution.labels = [...kept, ...[...given].map(([key, value]) => ({ key, value }))];
    this.store.transaction(() => this.store.saveExecution(this.machine!.state));
    await this.drain();
    return { ok: true, execution: this.json() };
  }

  /** Renders `value` against this execution (its outputs, inputs…), for a parent's Subflow `outputs` map. */
  async renderHere(value: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
    if (!this.machine) return { ok: false, error: "The subflow execution was not found" };
    return renderInExecution(this.host(), value);
  }

  async evaluate(taskRunId: string, templates: string[]): Promise<EvalOutcome[] | undefined | null> {
    if (!this.visible()) return null;
    const run = this.machine!.taskRun(taskRunId);
    if (!run) return undefined;
    return evaluateForTaskRun(this.host(), run, templates);
  }

  async markDeleted(): Promise<boolean> {
    if (!this.machine) return false;
    this.machine.execution.deleted = true;
    this.store.transaction(() => this.store.saveExecution(this.machine!.state));
    await this.drain();
    return true;
  }

  /** Resolves with the execution once it is terminal (PAUSED does not count), or at the timeout. */
  async waitForEnd(timeoutMs: number): Promise<ExecutionJson | null> {
    if (!this.machine) return null;
    await this.watchers.waitForEnd(this.watched(), timeoutMs);
    return this.json();
  }

  async logs(filter: LogFilter = {}): Promise<LogRow[] | null> {
    if (!this.machine) return null;
    return this.store.logs({
      taskId: filter.taskId,
      taskRunId: filter.taskRunId,
      attempt: filter.attempt,
      afterSeq: filter.afterSeq,
      minLevelRank: filter.minLevel ? levelRank(filter.minLevel) : undefined,
    });
  }

  /** Kestra's DELETE /logs/{executionId}: the lines the filter names leave this object (D1 is the caller's). */
  async deleteLogs(filter: { taskId?: string; taskRunId?: string; attempt?: number }): Promise<boolean> {
    if (!this.machine) return false;
    this.store.deleteLogs(filter);
    return true;
  }

  async metrics(): Promise<MetricRow[] | null> {
    return this.machine ? this.store.metrics() : null;
  }

  // Task-run lookups (./taskrun-lookup.ts); null when there is no such execution (or it was deleted).
  async taskRun(id: string): Promise<lookup.TaskRunViewJson | undefined | null> {
    return this.visible() ? lookup.findTaskRun(this.machine!, id) : null;
  }

  async matchTaskRuns(match: lookup.TaskRunMatch, paging: lookup.Paging): Promise<lookup.TaskRunPage | null> {
    return this.visible() ? lookup.matchTaskRuns(this.machine!, match, paging) : null;
  }

  async childTaskRuns(parentId: string, paging: lookup.Paging) {
    return this.visible() ? lookup.childrenPage(this.machine!, parentId, paging) : null;
  }

  private visible(): boolean {
    return !!this.machine && !this.machine.execution.deleted;
  }

  /** Server-sent events: the execution now, then one event per change, `end` when terminal. */
  async follow(): Promise<ReadableStream<Uint8Array> | null> {
    return this.machine ? this.watchers.follow(this.watched()) : null;
  }

  private watched(): Watched {
    const machine = this.machine!;
    return { state: () => machine.execution.state.current, json: () => this.json(), busy: () => this.inflight > 0 };
  }

  /** For tests: pretend `ms` have passed, so that work due by then runs at the next alarm. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  private now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  /** From the sweeper: finish whatever a lost alarm or an eviction left undone. */
  async poke(): Promise<void> {
    await this.wakeUp();
  }

  /** From the sweeper, whose stale index row says `indexState`: projects this object again if it differs. */
  async reconcile(indexState: string): Promise<Reconciled> {
    if (!this.machine) return "missing";
    const differs = this.machine.execution.state.current !== indexState;
    if (differs) this.store.transaction(() => this.store.remarkAll());
    await this.wakeUp();
    return differs ? "reprojected" : "poked";
  }

  override async alarm(): Promise<void> {
    await this.wakeUp();
  }

  /** The alarm, or the sweeper's poke: does whatever is due or was left undone. */
  private async wakeUp(): Promise<void> {
    const machine = this.machine;
    if (!machine) return;
    if (machine.execution.state.current === "CREATED" && machine.state.taskRuns.length === 0) {
      await this.admit();
    } else if (machine.execution.state.current === "QUEUED") {
      // Waiting for a slot: the flow's concurrency object will call dequeue().
    } else if (this.inflight) {
      await this.pump([{ type: "alarm" }]);
    } else {
      await this.pump([{ type: "recover" }, { type: "alarm" }]);
    }
    await Promise.all([this.drain(), this.deliverNotices()]);
  }

  // ── the loop ──────────────────────────────────────────────────────────────────────────────

  /**
   * Applies events and the events their commands produce until nothing is left but alarms.
   * In-process tasks resolve within microtasks, so a chain of them runs in one turn.
   */
  private pump(initial: EngineEvent[]): Promise<void> {
    const machine = this.machine!;
    const queue = [...initial];
    let wake: (() => void) | undefined;
    let mine = 0;
    let nextAlarm: number | undefined;
    const launch = (work: Promise<EngineEvent>) => {
      mine++;
      this.inflight++;
      work
        .then(
          (event) => queue.push(event),
          (error: unknown) => this.log(null, "ERROR", `Internal error: ${String(error)}`),
        )
        .finally(() => {
          mine--;
          this.inflight--;
          wake?.();
        });
    };
    const host = this.host();
    const batch = new StepBatch(this.store, machine);
    const apply = (events: EngineEvent[]) => {
      const result = machine.stepAll(events, { now: this.now(), newId, random: Math.random });
      batch.add(result, events);
      nextAlarm = result.nextAlarm;
      for (const command of result.commands) {
        carryOut(command, { host, items: this.items, waitUntil: (p) => this.ctx.waitUntil(p), launch });
      }
    };
    let sliceStart = Date.now();
    let watchdog = false;
    const settle = () => {
      batch.flush();
      this.watchers.notify();
    };
    const loop = async () => {
      for (;;) {
        // What arrived together is applied together (one decision for a loop's many results).
        while (queue.length) apply(queue.splice(0));
        if (!mine) break;
        // A long chain of in-process tasks settles in microtasks only; yield now and then so the
        // object can answer other requests (a GET, a kill) in between.
        if (Date.now() - sliceStart > SLICE_MS) {
          settle();
          await new Promise((r) => setTimeout(r, 0));
          sliceStart = Date.now();
          continue;
        }
        // Single-threaded: nothing can settle between this check and the resolver's assignment.
        const woken = new Promise<true>((r) => {
          wake = () => r(true);
        });
        // In-process tasks settle within this turn's microtasks, and their steps stay in the batch
        // (a task run written once, not once per state). Work still pending when the turn ends
        // waits on I/O: the steps so far are written first, and the watchdog guards the wait.
        if (await Promise.race([woken, this.turnEnd()])) continue;
        settle();
        if (!watchdog) {
          watchdog = true;
          void this.background.armAlarm(nextAlarm, true);
        }
        await woken;
      }
      settle();
      await this.background.armAlarm(nextAlarm, this.inflight > 0);
      this.background.drainSoon(this.subject()!);
      this.deliverNotices();
    };
    return loop();
  }

  private turnMarker?: Promise<false>;

  /** Settles (false) once the current turn's microtasks have run out: shared by every wait of the turn. */
  private turnEnd(): Promise<false> {
    this.turnMarker ??= new Promise<false>((r) =>
      setTimeout(() => {
        this.turnMarker = undefined;
        r(false);
      }, 0),
    );
    return this.turnMarker;
  }

  private host(): RunnerHost {
    return {
      machine: this.machine!,
      env: this.env,
      scope: this.scope(),
      controllers: this.controllers,
      log: this.log,
      logs: (minLevel) => this.store.logs({ minLevelRank: levelRank(minLevel) }),
      errorLogs: () =>
        this.store.logs({ minLevelRank: levelRank("ERROR") }).map((l) => ({
          taskId: l.taskId,
          taskRunId: l.taskRunId,
          timestamp: l.timestamp,
          level: l.level,
          message: l.message,
        })),
    };
  }

  private readonly log = (taskRunId: string | null, level: LogLevel, message: string): void => {
    const run = taskRunId ? this.machine?.taskRun(taskRunId) : undefined;
    this.store.appendLog({
      taskRunId,
      taskId: run?.taskId ?? null,
      attemptNumber: run ? Math.max(0, run.attempts.length - 1) : null,
      level,
      timestamp: new Date().toISOString(),
      message,
    });
  };

  /** What the background work needs to know of this execution, or undefined before it exists. */
  private subject(): Subject | undefined {
    const machine = this.machine;
    if (!machine) return undefined;
    return {
      state: machine.state,
      scope: this.scope(),
      json: () => this.json(),
      // A scheduled execution not started yet keeps its alarm at its scheduleDate: a wake-up before
      // it (the sweeper's poke, an early delivery) must not leave it without one.
      dueAt: () => machine.nextDue() ?? scheduledAt(machine.execution),
      working: () => this.inflight > 0,
    };
  }

  private drain(): Promise<void> {
    const subject = this.subject();
    return subject ? this.background.drain(subject) : Promise.resolve();
  }

  private deliverNotices(): Promise<void> {
    const subject = this.subject();
    return subject ? this.background.deliverNotices(subject) : Promise.resolve();
  }

  private scope(): ExecutionScope {
    const ex = this.machine!.execution;
    return { tenantId: ex.tenantId, namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id };
  }

  private json(): ExecutionJson {
    const { execution, taskRuns } = this.machine!.state;
    return executionJson(execution, taskRuns);
  }
}

/** When a CREATED execution with a scheduleDate is to start, if it is still waiting for it. */
function scheduledAt(execution: Execution): number | undefined {
  if (execution.state.current !== "CREATED" || !execution.scheduleDate) return undefined;
  return Date.parse(execution.scheduleDate);
}
