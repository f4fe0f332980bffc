// A deterministic stand-in for the Durable Object around the pure engine: it owns an
// ExecutionMachine, a fake clock, seeded ids and random, and carries out the engine's commands as a
// discrete-event simulation (task runs take scripted time, alarms fire at `nextAlarm`). Resolutions
// use literal values instead of the expression engine, which has its own tests.
import { parseFlow } from "../../schema/flow";
import type { Flow, Task } from "../../schema/flow/types";
import { flowableKind } from "../../worker/engine/flow-index";
import { ExecutionMachine } from "../../worker/engine/machine";
import { newState } from "../../worker/engine/state";
import type {
  Command,
  EngineContext,
  EngineEvent,
  EngineState,
  Resolution,
  StepResult,
  TaskResult,
  TaskRun,
} from "../../worker/engine/types";

export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);

/** What one `run` of a task does: how long it takes and what it reports. */
export interface Outcome {
  state?: TaskResult["state"];
  /** Simulated work time before the result arrives (default 1000 ms). */
  durationMs?: number;
  sleepMs?: number;
  outputs?: Record<string, unknown>;
  error?: string;
}

/** Per task id: one outcome for every run, a queue consumed run after run, or a function of the run. */
export type Script = Record<string, Outcome | Outcome[] | ((run: TaskRun, machine: ExecutionMachine) => Outcome)>;

export interface DriverOptions {
  script?: Script;
  /** Per task id: a resolution that replaces the literal one. */
  resolutions?: Record<string, Resolution>;
  outputsError?: string;
  seed?: number;
  /** Task run ids are `${idPrefix}-n`; a second driver over the same state needs its own prefix. */
  idPrefix?: string;
  /** Results due at the same moment are applied together (`stepAll`), as the object does with one turn's results. */
  together?: boolean;
  attemptNumber?: number;
  originalCreatedDate?: string;
}

export function flowOf(yaml: string): Flow {
  const parsed = parseFlow(yaml);
  if (!parsed.ok) throw new Error(`Invalid test flow: ${JSON.stringify(parsed.violations)}`);
  return parsed.flow;
}

/** mulberry32: a tiny seeded PRNG, so that random retry delays are replayable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function initialState(flow: Flow, opts: DriverOptions = {}): EngineState {
  const now = new Date(T0);
  return {
    flow,
    taskRuns: [],
    execution: {
      id: "exec-1",
      tenantId: "t1",
      namespace: flow.namespace,
      flowId: flow.id,
      flowRevision: 1,
      labels: [],
      state: newState(now),
      originalId: "exec-1",
      metadata: {
        attemptNumber: opts.attemptNumber ?? 1,
        originalCreatedDate: opts.originalCreatedDate ?? now.toISOString(),
      },
      deleted: false,
    },
  };
}

const FALSY = new Set(["false", "0", "-0", ""]);
const truthy = (text: unknown) => !FALSY.has(String(text ?? ""));

/** The literal counterpart of worker/tasks/flowables.ts#resolveTask. */
export function literalResolution(task: Task): Resolution {
  if (task.runIf !== undefined && !truthy(task.runIf)) return { ok: true, skip: true };
  switch (flowableKind(task.type)) {
    case "foreach": {
      const source = task.values ?? task.value;
      const raw: unknown[] = typeof source === "string" ? (JSON.parse(source) as unknown[]) : (source as unknown[]);
      if (raw.some((v) => v === null || v === undefined)) return { ok: false, error: "null values on Each" };
      const values = raw.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));
      return { ok: true, values: [...new Set(values)] };
    }
    case "switch": {
      const value = String(task.value ?? "");
      if (Object.hasOwn(task.cases ?? {}, value))
        return { ok: true, branch: value, outputs: { value, defaults: false } };
      if (task.defaults?.length) return { ok: true, branch: "defaults", outputs: { value, defaults: true } };
      return { ok: false, error: `No task found for the Switch value '${value}' and no defaults` };
    }
    case "if":
      return { ok: true, branch: truthy(task.condition) ? "then" : task.else?.length ? "else" : "none" };
    default:
      return { ok: true };
  }
}

interface Work {
  at: number;
  seq: number;
  event: EngineEvent;
  /** The task run whose work this is, so that an abort can drop it. */
  taskRunId?: string;
}

export interface FedEvent {
  event: EngineEvent;
  now: number;
}

export class Driver {
  readonly machine: ExecutionMachine;
  now = T0;
  readonly fed: FedEvent[] = [];
  readonly commands: Command[] = [];
  readonly aborted: string[] = [];
  readonly retryExecutionsAt: number[] = [];
  endedAt?: number;
  steps = 0;
  private queue: Work[] = [];
  private seq = 0;
  private alarmAt?: number;
  private idCounter = 0;
  private readonly random: () => number;
  private readonly used = new Map<string, number>();
  private readonly observers: Array<(d: Driver, r: StepResult) => void> = [];

  constructor(
    flow: Flow | string,
    readonly opts: DriverOptions = {},
    state?: EngineState,
  ) {
    const f = typeof flow === "string" ? flowOf(flow) : flow;
    this.machine = new ExecutionMachine(state ?? initialState(f, opts));
    this.random = seededRandom(opts.seed ?? 42);
  }

  get state() {
    return this.machine.state;
  }

  get execution() {
    return this.machine.state.execution;
  }

  /** Every task run of a task id, in creation order. */
  runs(taskId: string): TaskRun[] {
    return this.state.taskRuns.filter((r) => r.taskId === taskId);
  }

  run(taskId: string): TaskRun {
    const [run, extra] = this.runs(taskId);
    if (!run || extra) throw new Error(`expected exactly one task run of ${taskId}`);
    return run;
  }

  observe(fn: (d: Driver, r: StepResult) => void): this {
    this.observers.push(fn);
    return this;
  }

  ctx(): EngineContext {
    return {
      now: new Date(this.now),
      newId: () => `${this.opts.idPrefix ?? "tr"}-${++this.idCounter}`,
      random: this.random,
    };
  }

  /** Applies one event now and carries out the commands it returns. */
  feed(event: EngineEvent): StepResult {
    return this.feedAll([event]);
  }

  /** Applies events that arrived together, with one decision after them. */
  feedAll(events: EngineEvent[]): StepResult {
    for (const event of events) this.fed.push({ event, now: this.now });
    this.steps++;
    const result = this.machine.stepAll(events, this.ctx());
    this.alarmAt = result.nextAlarm;
    for (const command of result.commands) this.carryOut(command);
    for (const fn of this.observers) fn(this, result);
    return result;
  }

  private schedule(at: number, event: EngineEvent, taskRunId?: string): void {
    this.queue.push({ at, seq: this.seq++, event, taskRunId });
  }

  private carryOut(command: Command): void {
    this.commands.push(command);
    switch (command.type) {
      case "run": {
        const run = this.machine.taskRun(command.taskRunId);
        if (!run) throw new Error(`run of unknown task run ${command.taskRunId}`);
        const outcome = this.outcomeFor(run);
        const result: TaskResult = { state: outcome.state ?? "SUCCESS" };
        if (outcome.sleepMs !== undefined) result.sleepMs = outcome.sleepMs;
        if (outcome.outputs) result.outputs = outcome.outputs;
        if (outcome.error) result.error = outcome.error;
        const at = this.now + (outcome.durationMs ?? 1000);
        this.schedule(at, { type: "task-result", taskRunId: run.id, result }, run.id);
        break;
      }
      case "resolve": {
        const run = this.machine.taskRun(command.taskRunId);
        if (!run) throw new Error(`resolve of unknown task run ${command.taskRunId}`);
        const task = this.machine.taskOf(run);
        const resolution = this.opts.resolutions?.[task.id] ?? literalResolution(task);
        this.schedule(this.now, { type: "resolved", taskRunId: run.id, resolution }, run.id);
        break;
      }
      case "render-outputs": {
        const error = this.opts.outputsError;
        const outputs: Record<string, unknown> = {};
        for (const o of this.state.flow.outputs ?? []) outputs[o.id] = o.value;
        this.schedule(this.now, error ? { type: "outputs-rendered", error } : { type: "outputs-rendered", outputs });
        break;
      }
      case "abort":
        this.aborted.push(command.taskRunId);
        this.queue = this.queue.filter((w) => w.taskRunId !== command.taskRunId);
        break;
      case "create-retry-execution":
        this.retryExecutionsAt.push(this.now);
        break;
      case "ended":
        this.endedAt = this.now;
        break;
      case "follow-up":
        this.schedule(this.now, command.event);
        break;
      case "log":
        break;
    }
  }

  private outcomeFor(run: TaskRun): Outcome {
    const entry = this.opts.script?.[run.taskId];
    if (entry === undefined) return {};
    if (typeof entry === "function") return entry(run, this.machine);
    if (!Array.isArray(entry)) return entry;
    const n = this.used.get(run.taskId) ?? 0;
    this.used.set(run.taskId, n + 1);
    return entry[n] ?? {};
  }

  /** Carries out the next piece of due work (a result, a resolution or the alarm); false when idle. */
  advance(): boolean {
    const alarm = this.alarmAt;
    let next: Work | undefined;
    for (const w of this.queue) if (!next || w.at < next.at || (w.at === next.at && w.seq < next.seq)) next = w;
    if (alarm !== undefined && (!next || alarm < next.at)) {
      this.now = Math.max(this.now, alarm);
      this.feed({ type: "alarm" });
      return true;
    }
    if (!next) return false;
    const due = this.opts.together ? this.queue.filter((w) => w.at === next.at) : [next];
    this.queue = this.queue.filter((w) => !due.includes(w));
    this.now = Math.max(this.now, next.at);
    this.feedAll(due.sort((a, b) => a.seq - b.seq).map((w) => w.event));
    return true;
  }

  /** Starts (unless started) and runs until nothing is left to do; throws past `maxSteps`. */
  runToEnd(maxSteps = 5000): this {
    if (this.execution.state.current === "CREATED" && this.fed.length === 0) this.feed({ type: "start" });
    return this.runUntil(() => false, maxSteps);
  }

  /** Runs until `stop` holds (checked after every step) or nothing is left to do. */
  runUntil(stop: (d: Driver) => boolean, maxSteps = 5000): this {
    if (this.fed.length === 0) this.feed({ type: "start" });
    let n = 0;
    while (!stop(this) && this.advance()) {
      if (++n > maxSteps) throw new Error(`no end after ${maxSteps} steps (execution ${this.execution.state.current})`);
    }
    return this;
  }

  /** Pending work, for tests that check what is in flight. */
  pendingWork(): EngineEvent[] {
    return this.queue.map((w) => w.event);
  }

  stateOf(taskId: string): string {
    return this.run(taskId).state.current;
  }

  historyOf(run: TaskRun | { state: { histories: { state: string }[] } }): string[] {
    return run.state.histories.map((h) => h.state);
  }
}

/** Replays recorded events against a fresh machine with the same seeds; returns its state. */
export function replay(flow: Flow, opts: DriverOptions, fed: FedEvent[]): EngineState {
  const prefix = opts.idPrefix ?? "tr";
  const state = initialState(flow, opts);
  const machine = new ExecutionMachine(state);
  const random = seededRandom(opts.seed ?? 42);
  let id = 0;
  for (const { event, now } of fed)
    machine.step(event, { now: new Date(now), newId: () => `${prefix}-${++id}`, random });
  return machine.state;
}
