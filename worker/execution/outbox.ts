// Drains an execution's outbox into the D1 index with Drizzle: one `db.batch` per chunk,
// idempotent upserts keyed by id that only apply a newer version, so a replayed batch (after a
// crash between the D1 write and the acknowledgement) changes nothing.
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../schema/db";
import { executionSummaryJson, taskRunJson } from "./json";
import { type ExecutionStore, levelRank } from "./store";

const CHUNK = 100;

export interface DrainScope {
  tenantId: string;
  executionId: string;
  namespace: string;
  flowId: string;
  triggerExecutionId?: string;
}

/** Drains everything pending; returns how many keys were written. Throws when D1 fails. */
export async function drainOutbox(db: D1Database, store: ExecutionStore, scope: DrainScope): Promise<number> {
  const orm = drizzle(db, { schema });
  // Acknowledged once at the end: a write to the object's storage between two D1 batches would
  // hold the object's replies until it is confirmed, again and again for a long drain. A crash
  // mid-drain only means the next drain re-sends what D1 already has, which the versions ignore.
  const sent: { key: string; version: number }[] = [];
  try {
    for (let after = -1; ; ) {
      const entries = store.pendingOutbox(CHUNK, after);
      if (!entries.length) return sent.length;
      const statements: BatchItem<"sqlite">[] = [];
      for (const entry of entries) {
        const statement = statementFor(orm, store, scope, entry.key, entry.version);
        if (statement) statements.push(statement);
      }
      if (statements.length) await orm.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
      sent.push(...entries);
      after = entries[entries.length - 1]!.version;
    }
  } finally {
    if (sent.length) store.transaction(() => store.acknowledge(sent));
  }
}

type Orm = ReturnType<typeof drizzle<typeof schema>>;

function statementFor(
  orm: Orm,
  store: ExecutionStore,
  scope: DrainScope,
  key: string,
  version: number,
): BatchItem<"sqlite"> | undefined {
  const [kind, id] = splitKey(key);
  const now = new Date().toISOString();
  switch (kind) {
    case "execution": {
      const ex = store.executionDoc();
      if (!ex) return undefined;
      const doc = executionSummaryJson(ex);
      const row = {
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
        triggerExecutionId: scope.triggerExecutionId ?? null,
        doc: JSON.stringify(doc),
        version,
        deleted: ex.deleted,
        updatedAt: now,
      };
      return orm
        .insert(schema.executions)
        .values(row)
        .onConflictDoUpdate({
          target: [schema.executions.tenantId, schema.executions.id],
          set: { ...row, tenantId: undefined, id: undefined },
          setWhere: sql`excluded.version > ${schema.executions.version}`,
        });
    }
    case "taskrun": {
      const run = store.taskRunDoc(id);
      if (!run) {
        return orm
          .delete(schema.taskRuns)
          .where(and(eq(schema.taskRuns.tenantId, scope.tenantId), eq(schema.taskRuns.id, id)));
      }
      const doc = taskRunJson(run);
      const row = {
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
        doc: JSON.stringify(doc),
        version,
      };
      return orm
        .insert(schema.taskRuns)
        .values(row)
        .onConflictDoUpdate({
          target: [schema.taskRuns.tenantId, schema.taskRuns.id],
          set: { ...row, tenantId: undefined, id: undefined },
          setWhere: sql`excluded.version > ${schema.taskRuns.version}`,
        });
    }
    case "log": {
      const log = store.log(Number(id));
      if (!log) return undefined;
      return orm
        .insert(schema.logs)
        .values({
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
        })
        .onConflictDoNothing();
    }
    case "metric": {
      const metric = store.metrics(Number(id))[0];
      if (!metric) return undefined;
      return orm
        .insert(schema.metrics)
        .values({
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
        })
        .onConflictDoNothing();
    }
    default:
      return undefined;
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(":");
  return i < 0 ? [key, ""] : [key.slice(0, i), key.slice(i + 1)];
}
