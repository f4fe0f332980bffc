// Drains an execution's outbox into the D1 index: per chunk of keys, one statement per table (built
// with Drizzle from the schema) that reads its rows from a single JSON parameter (`json_each`), all
// in one D1 batch.
// Upserts are keyed by id and only apply a newer version, so a replayed batch (after a crash
// between the D1 write and the acknowledgement) changes nothing. One statement per table instead
// of one per row: a 10,000-task execution is a few hundred statements, not 20,000, and no row
// count ever meets D1's limit on bound parameters.
import { and, eq, getTableName, inArray, sql } from "drizzle-orm";
import { type SQLiteColumn, SQLiteSyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "../../schema/db";
import type { Execution } from "../engine/types";
import { executionSummaryJson, taskRunJson } from "./json";
import { type ExecutionStore, type LogRow, levelRank, type MetricRow, type Stream } from "./store";

const CHUNK = 100;
/** Rows per JSON parameter stay well under D1's 2 MB value limit. */
const MAX_JSON_BYTES = 512 * 1024;

export interface DrainScope {
  tenantId: string;
  executionId: string;
  namespace: string;
  flowId: string;
  triggerExecutionId?: string;
}

type Row = Record<string, string | number | boolean | null>;

interface Pending {
  executions: Row[];
  taskRuns: Row[];
  removedTaskRuns: string[];
  logs: Row[];
  metrics: Row[];
}

/**
 * Drains everything pending; returns how many keys and lines were written. Throws when D1 fails.
 * `withAcknowledgement` runs in the transaction that acknowledges the sent keys.
 */
export async function drainOutbox(
  db: D1Database,
  store: ExecutionStore,
  scope: DrainScope,
  withAcknowledgement?: () => void,
): Promise<number> {
  // Acknowledged once at the end: a write to the object's storage between two D1 batches would
  // hold the object's replies until it is confirmed, again and again for a long drain. A crash
  // mid-drain only means the next drain re-sends what D1 already has, which the versions ignore.
  const sent: { key: string; version: number }[] = [];
  const streams: Partial<Record<Stream, number>> = {};
  let written = 0;
  try {
    for (let after = -1; ; ) {
      const entries = store.pendingOutbox(CHUNK, after);
      const logs = store.unsentLogs(CHUNK, streams.logs);
      const metrics = store.unsentMetrics(CHUNK, streams.metrics);
      if (!entries.length && !logs.length && !metrics.length) return written;
      written += entries.length + logs.length + metrics.length;
      const pending: Pending = { executions: [], taskRuns: [], removedTaskRuns: [], logs: [], metrics: [] };
      for (const entry of entries) collect(pending, store, scope, entry.key, entry.version);
      for (const log of logs) pending.logs.push(logRow(scope, log));
      for (const metric of metrics) pending.metrics.push(metricRow(scope, metric));
      const statements = statementsFor(scope, pending).map((q) => db.prepare(q.sql).bind(...q.params));
      if (statements.length) await db.batch(statements);
      sent.push(...entries);
      if (entries.length) after = entries[entries.length - 1]!.version;
      if (logs.length) streams.logs = logs[logs.length - 1]!.seq;
      if (metrics.length) streams.metrics = metrics[metrics.length - 1]!.seq;
    }
  } finally {
    if (sent.length || streams.logs !== undefined || streams.metrics !== undefined || withAcknowledgement) {
      store.transaction(() => {
        store.acknowledge(sent, streams);
        withAcknowledgement?.();
      });
    }
  }
}

function logRow(scope: DrainScope, log: LogRow): Row {
  return {
    tenantId: scope.tenantId,
    id: `${scope.executionId}-${log.seq}`,
    executionId: scope.executionId,
    namespace: scope.namespace,
    flowId: scope.flowId,
    taskId: log.taskId,
    taskRunId: log.taskRunId,
    attemptNumber: log.attemptNumber,
    level: log.level,
    levelRank: levelRank(log.level),
    timestamp: log.timestamp,
    message: log.message,
  };
}

function metricRow(scope: DrainScope, metric: MetricRow): Row {
  return {
    tenantId: scope.tenantId,
    id: `${scope.executionId}-${metric.seq}`,
    executionId: scope.executionId,
    namespace: scope.namespace,
    flowId: scope.flowId,
    taskId: metric.taskId,
    taskRunId: metric.taskRunId,
    type: metric.type,
    name: metric.name,
    value: metric.value,
    tags: JSON.stringify(metric.tags),
    timestamp: metric.timestamp,
  };
}

/** Reads the current value behind one outbox key into the row lists. */
function collect(pending: Pending, store: ExecutionStore, scope: DrainScope, key: string, version: number): void {
  const [kind, id] = splitKey(key);
  switch (kind) {
    case "execution": {
      const ex = store.executionDoc();
      if (!ex) return;
      const doc = executionSummaryJson(ex);
      pending.executions.push({
        tenantId: scope.tenantId,
        id: ex.id,
        namespace: ex.namespace,
        flowId: ex.flowId,
        flowRevision: ex.flowRevision,
        state: ex.state.current,
        startDate: doc.state.startDate,
        endDate: doc.state.endDate ?? null,
        durationMs: doc.state.endDate ? Date.parse(doc.state.endDate) - Date.parse(doc.state.startDate) : null,
        labels: JSON.stringify(ex.labels),
        parentId: ex.parentId ?? null,
        originalId: ex.originalId,
        // A subflow's or a Flow trigger's execution names the execution that started it.
        triggerExecutionId: scope.triggerExecutionId ?? triggeringExecution(ex) ?? null,
        doc: JSON.stringify(doc),
        version,
        deleted: ex.deleted,
        updatedAt: new Date().toISOString(),
      });
      return;
    }
    case "taskrun": {
      const run = store.taskRunDoc(id);
      if (!run) {
        pending.removedTaskRuns.push(id);
        return;
      }
      const doc = taskRunJson(run);
      pending.taskRuns.push({
        tenantId: scope.tenantId,
        id: run.id,
        executionId: run.executionId,
        namespace: run.namespace,
        flowId: run.flowId,
        taskId: run.taskId,
        parentTaskRunId: run.parentTaskRunId ?? null,
        value: run.value ?? null,
        iteration: run.iteration ?? null,
        state: run.state.current,
        startDate: doc.state.startDate,
        endDate: doc.state.endDate ?? null,
        durationMs: doc.state.endDate ? Date.parse(doc.state.endDate) - Date.parse(doc.state.startDate) : null,
        doc: JSON.stringify(doc),
        version,
      });
      return;
    }
    // Objects from before the log and metric streams still hold keys for their lines.
    case "log": {
      const log = store.log(Number(id));
      if (log) pending.logs.push(logRow(scope, log));
      return;
    }
    case "metric": {
      const metric = store.metrics(Number(id))[0];
      if (metric) pending.metrics.push(metricRow(scope, metric));
      return;
    }
    default:
      return;
  }
}

function triggeringExecution(ex: Execution): string | undefined {
  const id = ex.trigger?.variables?.executionId;
  return typeof id === "string" ? id : undefined;
}

/** Drizzle's SQL for raw statements; its `batch` cannot bind parameters of raw SQL. */
const dialect = new SQLiteSyncDialect();

function statementsFor(scope: DrainScope, pending: Pending): { sql: string; params: unknown[] }[] {
  const out: { sql: string; params: unknown[] }[] = [];
  const upserts: [SQLiteTable, Row[], "versioned" | "once"][] = [
    [schema.executions, pending.executions, "versioned"],
    [schema.taskRuns, pending.taskRuns, "versioned"],
    [schema.logs, pending.logs, "once"],
    [schema.metrics, pending.metrics, "once"],
  ];
  for (const [table, rows, mode] of upserts) {
    if (!rows.length) continue;
    const text = upsertText(table, Object.keys(rows[0]!), mode);
    for (const part of byJsonSize(rows)) out.push({ sql: text, params: [JSON.stringify(part)] });
  }
  if (pending.removedTaskRuns.length) {
    const ids = sql`(SELECT value FROM json_each(${JSON.stringify(pending.removedTaskRuns)}))`;
    const { tenantId, id } = schema.taskRuns;
    out.push(
      dialect.sqlToQuery(
        sql`DELETE FROM ${schema.taskRuns} WHERE ${and(eq(tenantId, scope.tenantId), inArray(id, ids))}`,
      ),
    );
  }
  return out;
}

/** The statement text per table, columns and mode: built once, it only ever binds new rows. */
const upsertTexts = new Map<string, string>();

/**
 * `INSERT INTO t (cols) SELECT json_extract(value, '$.col')… FROM json_each(?)`, with rows keyed by
 * the table's property names. Versioned rows replace older versions only; the others are written
 * once (log lines and metrics never change).
 */
function upsertText(table: SQLiteTable, keys: string[], mode: "versioned" | "once"): string {
  const cacheKey = `${getTableName(table)}:${mode}:${keys.join(",")}`;
  const known = upsertTexts.get(cacheKey);
  if (known) return known;
  const columns = table as unknown as Record<string, SQLiteColumn>;
  const column = (k: string) => sql.identifier(columns[k]!.name);
  const values = keys.map((k) => sql.raw(`json_extract(value, '$.${k}')`));
  const insert = sql`INSERT INTO ${table} (${sql.join(keys.map(column), sql`, `)}) SELECT ${sql.join(values, sql`, `)} FROM json_each(${"[]"}) WHERE true`;
  const updates = keys
    .filter((k) => k !== "tenantId" && k !== "id")
    .map((k) => sql`${column(k)} = excluded.${column(k)}`);
  const statement =
    mode === "once"
      ? sql`${insert} ON CONFLICT DO NOTHING`
      : sql`${insert} ON CONFLICT (${column("tenantId")}, ${column("id")}) DO UPDATE SET ${sql.join(updates, sql`, `)} WHERE excluded.${column("version")} > ${table}.${column("version")}`;
  const text = dialect.sqlToQuery(statement).sql;
  upsertTexts.set(cacheKey, text);
  return text;
}

function* byJsonSize(rows: Row[]): Generator<Row[]> {
  let part: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = JSON.stringify(row).length;
    if (part.length && bytes + size > MAX_JSON_BYTES) {
      yield part;
      part = [];
      bytes = 0;
    }
    part.push(row);
    bytes += size;
  }
  if (part.length) yield part;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(":");
  return i < 0 ? [key, ""] : [key.slice(0, i), key.slice(i + 1)];
}
