// Kestra's JSON shapes for executions and task runs (see shared/examples/README.md): derived
// dates and ISO durations are computed here, at the edge, never stored.
import { endDate, isoDuration, startDate } from "../engine/state";
import type { Execution, MetricEntry, State, TaskRun } from "../engine/types";
import type { LogRow } from "./store";

export interface StateJson {
  current: State["current"];
  histories: State["histories"];
  startDate: string;
  endDate?: string;
  duration: string;
}

export function stateJson(state: State, now = new Date()): StateJson {
  const json: StateJson = {
    current: state.current,
    histories: state.histories,
    startDate: startDate(state),
    duration: isoDuration(state, now),
  };
  const end = endDate(state);
  if (end) json.endDate = end;
  return json;
}

function metricJson(m: MetricEntry) {
  return {
    name: m.name,
    tags: m.tags,
    type: m.type,
    value: m.type === "timer" ? `PT${m.value / 1000}S` : m.value,
    timestamp: m.timestamp,
  };
}

export function taskRunJson(run: TaskRun, now = new Date()) {
  return {
    id: run.id,
    executionId: run.executionId,
    namespace: run.namespace,
    flowId: run.flowId,
    taskId: run.taskId,
    ...(run.parentTaskRunId ? { parentTaskRunId: run.parentTaskRunId } : {}),
    ...(run.value !== undefined ? { value: run.value } : {}),
    ...(run.iteration !== undefined ? { iteration: run.iteration } : {}),
    attempts: run.attempts.map((a) => ({
      state: stateJson(a.state, now),
      ...(a.metrics?.length ? { metrics: a.metrics.map(metricJson) } : {}),
    })),
    outputs: run.outputs,
    state: stateJson(run.state, now),
  };
}

export type TaskRunJson = ReturnType<typeof taskRunJson>;

/** The execution without its task runs: what the search index keeps. */
export function executionSummaryJson(ex: Execution, now = new Date()) {
  return {
    id: ex.id,
    tenantId: ex.tenantId,
    namespace: ex.namespace,
    flowId: ex.flowId,
    flowRevision: ex.flowRevision,
    ...(ex.inputs && Object.keys(ex.inputs).length ? { inputs: ex.inputs } : {}),
    ...(ex.outputs && Object.keys(ex.outputs).length ? { outputs: ex.outputs } : {}),
    labels: ex.labels,
    state: stateJson(ex.state, now),
    ...(ex.parentId ? { parentId: ex.parentId } : {}),
    originalId: ex.originalId,
    ...(ex.trigger ? { trigger: ex.trigger } : {}),
    deleted: ex.deleted,
    metadata: ex.metadata,
    ...(ex.scheduleDate ? { scheduleDate: ex.scheduleDate } : {}),
  };
}

export type ExecutionSummaryJson = ReturnType<typeof executionSummaryJson>;

export function executionJson(ex: Execution, runs: TaskRun[], now = new Date()) {
  const summary = executionSummaryJson(ex, now);
  return { ...summary, taskRunList: runs.map((r) => taskRunJson(r, now)) };
}

export type ExecutionJson = ReturnType<typeof executionJson>;

/** One log line as the API returns it and as log.Fetch writes it into its file. */
export function logJson(executionId: string, namespace: string, flowId: string, row: LogRow) {
  return {
    namespace,
    flowId,
    taskId: row.taskId,
    executionId,
    taskRunId: row.taskRunId,
    attemptNumber: row.attemptNumber,
    timestamp: row.timestamp,
    level: row.level,
    message: row.message,
  };
}

export type LogJson = ReturnType<typeof logJson>;
