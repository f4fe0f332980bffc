// The variables a task run renders against (spec §7.1): flow, execution, task, taskrun, parents,
// outputs (nested by every looping ancestor's value, §3.7), inputs, vars, labels, trigger.
// Pure; the outputs view is kept per machine and follows the outputs changes it has not seen yet.
import type { ExecutionMachine } from "./machine";
import { startDate } from "./state";
import type { Execution, TaskRun } from "./types";

type Vars = Record<string, unknown>;

/** A task run holding sealed outputs, and where its outputs sit in the outputs view. */
export interface SealedOutputsAt {
  run: TaskRun;
  path: string[];
}

interface OutputsCache {
  epoch: number;
  /** How many of the machine's outputs changes the view holds. */
  applied: number;
  view: Vars;
  sealed: SealedOutputsAt[];
}

const outputsCache = new WeakMap<ExecutionMachine, OutputsCache>();

function isEmpty(outputs: Record<string, unknown> | null): boolean {
  return !outputs || Object.keys(outputs).length === 0;
}

/** Values of the looping ancestors, outermost first, then the task run's own. */
function valuePath(m: ExecutionMachine, run: TaskRun): string[] {
  const path: string[] = [];
  if (run.value !== undefined) path.push(run.value);
  for (let p = m.parentOf(run); p; p = m.parentOf(p)) if (p.value !== undefined) path.unshift(p.value);
  return path;
}

/** Puts a task run's outputs at its place in the view (task id, then its loop values). */
function place(cache: OutputsCache, m: ExecutionMachine, run: TaskRun): void {
  if (isEmpty(run.outputs)) return;
  const path = [run.taskId, ...valuePath(m, run)];
  let node = cache.view;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== "object") node[key] = {};
    node = node[key] as Vars;
  }
  node[path[path.length - 1]!] = run.outputs;
  if (run.meta?.sealedOutputs && !cache.sealed.some((s) => s.run === run)) cache.sealed.push({ run, path });
}

function outputsCached(m: ExecutionMachine): OutputsCache {
  let cache = outputsCache.get(m);
  if (!cache || cache.epoch !== m.outputsEpoch) {
    cache = { epoch: m.outputsEpoch, applied: m.outputsChanges.length, view: {}, sealed: [] };
    for (const run of m.state.taskRuns) place(cache, m, run);
    outputsCache.set(m, cache);
  }
  for (; cache.applied < m.outputsChanges.length; cache.applied++) place(cache, m, m.outputsChanges[cache.applied]!);
  return cache;
}

export function outputsView(m: ExecutionMachine): Vars {
  return outputsCached(m).view;
}

/**
 * The task runs whose outputs hold sealed values (masked in the view), found in the same pass
 * that builds the view, so that an execution without any pays nothing more per render.
 */
export function sealedOutputs(m: ExecutionMachine): SealedOutputsAt[] {
  return outputsCached(m).sealed;
}

/** Ancestors with a value or outputs, closest first, each `{taskrun: {value}?, outputs?}`. */
export function parentsOf(m: ExecutionMachine, run: TaskRun): Vars[] {
  const parents: Vars[] = [];
  for (let p = m.parentOf(run); p; p = m.parentOf(p)) {
    if (p.value === undefined && isEmpty(p.outputs)) continue;
    const entry: Vars = {};
    if (p.value !== undefined) entry.taskrun = { value: p.value };
    if (!isEmpty(p.outputs)) entry.outputs = p.outputs;
    parents.push(entry);
  }
  return parents;
}

const labelMaps = new WeakMap<Execution["labels"], Vars>();

/**
 * Labels as a map; `system.x` keys nest as `labels.system.x`. Built once per labels array: the
 * machine replaces the array whenever labels change, and every task run renders with the map.
 */
export function labelsMap(execution: Execution): Vars {
  const cached = labelMaps.get(execution.labels);
  if (cached) return cached;
  const map: Vars = {};
  for (const { key, value } of execution.labels) {
    const parts = key.split(".");
    if (parts[0] === "system" && parts.length > 1) {
      map.system ??= {};
      (map.system as Vars)[parts.slice(1).join(".")] = value;
    } else map[key] = value;
  }
  labelMaps.set(execution.labels, map);
  return map;
}

/** Kestra's `tasks` variable: each task's current state, by its task run's own value when it has one. */
function taskStates(m: ExecutionMachine): Vars {
  const out: Vars = {};
  for (const run of m.state.taskRuns) {
    const state = { state: run.state.current };
    if (run.value === undefined) out[run.taskId] = state;
    else {
      const byValue = (out[run.taskId] ?? {}) as Vars;
      byValue[run.value] = state;
      out[run.taskId] = byValue;
    }
  }
  return out;
}

/** What the instance gives every execution: `envs` (Worker variables) and `globals`. */
export interface InstanceVariables {
  envs: Vars;
  globals: Vars;
}

/** Kestra's configuration keys in camelCase read as hyphenated (`myVar` → `my-var`), at every level. */
function hyphenated(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hyphenated);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase(), hyphenated(v)]),
  );
}

/** The `GLOBALS` Worker variable: a JSON object (or a binding that is one); anything else is none. */
export function parseGlobals(raw: unknown): Vars {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      console.error("GLOBALS is not JSON: {{ globals }} is empty");
      return {};
    }
  }
  return value && typeof value === "object" && !Array.isArray(value) ? (hyphenated(value) as Vars) : {};
}

export function executionVariables(m: ExecutionMachine, instance: InstanceVariables = { envs: {}, globals: {} }): Vars {
  const { flow, execution } = m.state;
  const executionVar: Vars = {
    id: execution.id,
    startDate: startDate(execution.state),
    originalId: execution.originalId,
    state: execution.state.current,
  };
  // The flow outputs exist once the execution has ended: afterExecution tasks read them.
  if (execution.outputs) executionVar.outputs = execution.outputs;
  const vars: Vars = {
    flow: { id: flow.id, namespace: flow.namespace, revision: execution.flowRevision, tenantId: execution.tenantId },
    execution: executionVar,
    outputs: outputsView(m),
    vars: flow.variables ?? {},
    labels: labelsMap(execution),
    envs: instance.envs,
    globals: instance.globals,
  };
  // Built only when an expression reads it: `{taskId: {state}}`, or `{taskId: {value: {state}}}`.
  Object.defineProperty(vars, "tasks", { enumerable: true, configurable: true, get: () => taskStates(m) });
  if (execution.inputs && Object.keys(execution.inputs).length) vars.inputs = execution.inputs;
  if (execution.trigger?.variables) vars.trigger = execution.trigger.variables;
  return vars;
}

export function taskRunVariables(
  m: ExecutionMachine,
  run: TaskRun,
  instance: InstanceVariables = { envs: {}, globals: {} },
): Vars {
  const task = m.taskOf(run);
  const taskrun: Vars = {
    id: run.id,
    startDate: startDate(run.state),
    attemptsCount: Math.max(0, run.attempts.length - 1),
  };
  if (run.parentTaskRunId) taskrun.parentId = run.parentTaskRunId;
  if (run.value !== undefined) taskrun.value = run.value;
  if (run.iteration !== undefined) taskrun.iteration = run.iteration;
  const parents = parentsOf(m, run);
  const vars = executionVariables(m, instance);
  vars.task = { id: task.id, type: task.type };
  vars.taskrun = taskrun;
  vars.parents = parents;
  if (parents.length) vars.parent = parents[0];
  return vars;
}
