// Searches over the execution index in D1 (filled by the execution Durable Objects' outboxes):
// executions, task runs and logs by tenant, namespace, flow, state, time and labels, paged.
import { and, asc, desc, eq, gte, inArray, like, lte, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { executions, logs, taskRuns } from "../../schema/db";
import type { Page } from "../api/query";
import type { Label, StateType } from "../engine/types";
import type { TaskRunJson } from "../execution/json";
import type { Db } from "./client";

export interface ExecutionFilter extends Page {
  q?: string;
  namespace?: string;
  /** This namespace only, not its children (a flow's executions). */
  exactNamespace?: string;
  flowId?: string;
  executionId?: string;
  taskId?: string;
  states?: StateType[];
  startDate?: string;
  endDate?: string;
  labels?: Label[];
  triggerExecutionId?: string;
}

/** `namespace` matches itself and its children, as in Kestra. */
function namespaceFilter(column: SQLiteColumn, namespace: string): SQL | undefined {
  return or(eq(column, namespace), like(column, `${namespace.replace(/[%_]/g, "")}.%`));
}

function paged<T>(rows: { doc: string }[], total: number): { results: T[]; total: number } {
  return { results: rows.map((r) => JSON.parse(r.doc) as T), total };
}

export async function searchExecutions(db: Db, tenantId: string, f: ExecutionFilter) {
  const t = executions;
  const where = and(
    eq(t.tenantId, tenantId),
    eq(t.deleted, false),
    f.namespace ? namespaceFilter(t.namespace, f.namespace) : undefined,
    f.exactNamespace ? eq(t.namespace, f.exactNamespace) : undefined,
    f.flowId ? eq(t.flowId, f.flowId) : undefined,
    f.states?.length ? inArray(t.state, f.states) : undefined,
    f.startDate ? gte(t.startDate, f.startDate) : undefined,
    f.endDate ? lte(t.startDate, f.endDate) : undefined,
    f.triggerExecutionId ? eq(t.triggerExecutionId, f.triggerExecutionId) : undefined,
    f.q ? or(like(t.id, `%${f.q}%`), like(t.flowId, `%${f.q}%`), like(t.namespace, `%${f.q}%`)) : undefined,
    ...(f.labels ?? []).map(
      (l) =>
        sql`EXISTS (SELECT 1 FROM json_each(${t.labels}) WHERE json_extract(value, '$.key') = ${l.key} AND json_extract(value, '$.value') = ${l.value})`,
    ),
  );
  const columns: Record<string, SQLiteColumn> = {
    id: t.id,
    namespace: t.namespace,
    flowId: t.flowId,
    "state.current": t.state,
    state: t.state,
    "state.startDate": t.startDate,
    startDate: t.startDate,
    "state.endDate": t.endDate,
    endDate: t.endDate,
    "state.duration": t.durationMs,
  };
  const sortColumn = (f.sort && columns[f.sort.field]) || t.startDate;
  const order = f.sort && !f.sort.desc ? asc(sortColumn) : desc(sortColumn);
  const [rows, count] = await db.batch([
    db
      .select({ doc: t.doc })
      .from(t)
      .where(where)
      .orderBy(order)
      .limit(f.size)
      .offset((f.page - 1) * f.size),
    db.select({ n: sql<number>`count(*)` }).from(t).where(where),
  ]);
  return paged(rows, count[0]?.n ?? 0);
}

export interface TaskRunFilter extends ExecutionFilter {
  value?: string;
  parentTaskRunId?: string;
}

/** The execution a task run belongs to, from the index (it lags the objects by a drain). */
export async function taskRunExecutionId(db: Db, tenantId: string, taskRunId: string): Promise<string | undefined> {
  const t = taskRuns;
  const [row] = await db
    .select({ executionId: t.executionId })
    .from(t)
    .where(and(eq(t.tenantId, tenantId), eq(t.id, taskRunId)))
    .limit(1);
  return row?.executionId;
}

/** Filters on the task run's execution (labels, the execution that triggered it), through its index row. */
function executionMatches(t: typeof taskRuns, f: TaskRunFilter): SQL | undefined {
  const e = executions;
  if (!f.labels?.length && !f.triggerExecutionId) return undefined;
  return sql`EXISTS (SELECT 1 FROM ${e} WHERE ${and(
    sql`${e.tenantId} = ${t.tenantId}`,
    sql`${e.id} = ${t.executionId}`,
    f.triggerExecutionId ? sql`${e.triggerExecutionId} = ${f.triggerExecutionId}` : undefined,
    ...(f.labels ?? []).map(
      (l) =>
        sql`EXISTS (SELECT 1 FROM json_each(${e.labels}) WHERE json_extract(value, '$.key') = ${l.key} AND json_extract(value, '$.value') = ${l.value})`,
    ),
  )})`;
}

export async function searchTaskRuns(db: Db, tenantId: string, f: TaskRunFilter) {
  const t = taskRuns;
  const where = and(
    eq(t.tenantId, tenantId),
    f.namespace ? namespaceFilter(t.namespace, f.namespace) : undefined,
    f.flowId ? eq(t.flowId, f.flowId) : undefined,
    f.executionId ? eq(t.executionId, f.executionId) : undefined,
    f.taskId ? eq(t.taskId, f.taskId) : undefined,
    f.states?.length ? inArray(t.state, f.states) : undefined,
    f.startDate ? gte(t.startDate, f.startDate) : undefined,
    f.endDate ? lte(t.startDate, f.endDate) : undefined,
    f.value !== undefined ? eq(t.value, f.value) : undefined,
    f.parentTaskRunId ? eq(t.parentTaskRunId, f.parentTaskRunId) : undefined,
    executionMatches(t, f),
    f.q ? or(like(t.taskId, `%${f.q}%`), like(t.executionId, `%${f.q}%`)) : undefined,
  );
  const columns: Record<string, SQLiteColumn> = {
    startDate: t.startDate,
    "state.startDate": t.startDate,
    endDate: t.endDate,
    "state.endDate": t.endDate,
    duration: t.durationMs,
    "state.duration": t.durationMs,
    taskId: t.taskId,
    state: t.state,
  };
  const sortColumn = (f.sort && columns[f.sort.field]) || t.startDate;
  const direction = f.sort?.desc ? desc : asc;
  const [rows, count] = await db.batch([
    db
      .select({ doc: t.doc })
      .from(t)
      .where(where)
      .orderBy(direction(sortColumn), direction(t.id))
      .limit(f.size)
      .offset((f.page - 1) * f.size),
    db.select({ n: sql<number>`count(*)` }).from(t).where(where),
  ]);
  return paged<TaskRunJson>(rows, count[0]?.n ?? 0);
}

export interface LogFilter extends Page {
  q?: string;
  namespace?: string;
  flowId?: string;
  executionId?: string;
  minLevelRank?: number;
  startDate?: string;
  endDate?: string;
}

export async function searchLogs(db: Db, tenantId: string, f: LogFilter) {
  const t = logs;
  const where = and(
    eq(t.tenantId, tenantId),
    f.namespace ? namespaceFilter(t.namespace, f.namespace) : undefined,
    f.flowId ? eq(t.flowId, f.flowId) : undefined,
    f.executionId ? eq(t.executionId, f.executionId) : undefined,
    f.minLevelRank !== undefined ? gte(t.levelRank, f.minLevelRank) : undefined,
    f.startDate ? gte(t.timestamp, f.startDate) : undefined,
    f.endDate ? lte(t.timestamp, f.endDate) : undefined,
    f.q ? like(t.message, `%${f.q}%`) : undefined,
  );
  const order = f.sort?.desc === false ? asc(t.timestamp) : desc(t.timestamp);
  const [rows, count] = await db.batch([
    db
      .select()
      .from(t)
      .where(where)
      .orderBy(order)
      .limit(f.size)
      .offset((f.page - 1) * f.size),
    db.select({ n: sql<number>`count(*)` }).from(t).where(where),
  ]);
  return {
    results: rows.map((r) => ({
      namespace: r.namespace,
      flowId: r.flowId,
      taskId: r.taskId,
      executionId: r.executionId,
      taskRunId: r.taskRunId,
      attemptNumber: r.attemptNumber,
      triggerId: r.triggerId,
      timestamp: r.timestamp,
      level: r.level,
      message: r.message,
    })),
    total: count[0]?.n ?? 0,
  };
}

/** DELETE /logs/{executionId}: the indexed lines of one execution, narrowed like the request. */
export async function deleteIndexedLogs(
  db: Db,
  tenantId: string,
  executionId: string,
  f: { taskId?: string; taskRunId?: string; attempt?: number },
): Promise<void> {
  await db
    .delete(logs)
    .where(
      and(
        eq(logs.tenantId, tenantId),
        eq(logs.executionId, executionId),
        f.taskId !== undefined ? eq(logs.taskId, f.taskId) : undefined,
        f.taskRunId !== undefined ? eq(logs.taskRunId, f.taskRunId) : undefined,
        f.attempt !== undefined ? eq(logs.attemptNumber, f.attempt) : undefined,
      ),
    );
}
