// D1 schema: what is shared and queryable across executions. Tenancy, keys and flows are written by
// the API; the execution index (executions, task_runs, logs, metrics) only by the execution Durable
// Objects' outboxes, with a `version` so that a replayed batch never moves a row backwards.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    /** The first characters of the key, shown to the user and used to find the row. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    hash: text("hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_prefix").on(t.prefix), index("api_keys_tenant").on(t.tenantId)],
);

export const flows = sqliteTable(
  "flows",
  {
    tenantId: text("tenant_id").notNull(),
    namespace: text("namespace").notNull(),
    id: text("id").notNull(),
    revision: integer("revision").notNull(),
    /** The YAML exactly as sent, comments included. */
    source: text("source").notNull(),
    /** The parsed flow as JSON, so that the engine never parses YAML on the hot path. */
    model: text("model").notNull(),
    description: text("description"),
    labels: text("labels").notNull().default("{}"),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    /** The flow declares at least one trigger: the trigger objects and the cron look for these. */
    hasTriggers: integer("has_triggers", { mode: "boolean" }).notNull().default(false),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.namespace, t.id] }),
    index("flows_tenant_updated").on(t.tenantId, t.deleted, t.updatedAt),
    index("flows_with_triggers").on(t.hasTriggers, t.deleted, t.tenantId),
  ],
);

export const flowRevisions = sqliteTable(
  "flow_revisions",
  {
    tenantId: text("tenant_id").notNull(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    revision: integer("revision").notNull(),
    source: text("source").notNull(),
    model: text("model").notNull(),
    /** A deletion is recorded as a revision too, so history shows it. */
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.namespace, t.flowId, t.revision] })],
);

export const executions = sqliteTable(
  "executions",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    flowRevision: integer("flow_revision").notNull(),
    state: text("state").notNull(),
    startDate: text("start_date").notNull(),
    endDate: text("end_date"),
    durationMs: real("duration_ms"),
    labels: text("labels").notNull().default("[]"),
    parentId: text("parent_id"),
    originalId: text("original_id"),
    triggerExecutionId: text("trigger_execution_id"),
    /** The execution JSON without task runs, as the search API returns it. */
    doc: text("doc").notNull(),
    version: integer("version").notNull(),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("executions_flow").on(t.tenantId, t.namespace, t.flowId, t.startDate),
    index("executions_state").on(t.tenantId, t.state, t.startDate),
    index("executions_start").on(t.tenantId, t.startDate),
    index("executions_trigger").on(t.tenantId, t.triggerExecutionId),
    index("executions_stalled").on(t.state, t.updatedAt),
  ],
);

export const taskRuns = sqliteTable(
  "task_runs",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    executionId: text("execution_id").notNull(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    taskId: text("task_id").notNull(),
    parentTaskRunId: text("parent_task_run_id"),
    value: text("value"),
    iteration: integer("iteration"),
    state: text("state").notNull(),
    startDate: text("start_date").notNull(),
    endDate: text("end_date"),
    /** End minus start once ended, for the search's sort by duration. */
    durationMs: real("duration_ms"),
    /** The task run JSON in Kestra's shape. */
    doc: text("doc").notNull(),
    version: integer("version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // A loop parent's children, and the search's parentTaskRunId filter.
    index("task_runs_parent").on(t.tenantId, t.parentTaskRunId, t.startDate, t.id),
    index("task_runs_duration").on(t.tenantId, t.durationMs, t.id),
    // The Task Runs page: sorted by end date, and "the slowest runs of this task" (task id, by duration).
    index("task_runs_end").on(t.tenantId, t.endDate, t.id),
    index("task_runs_task_duration").on(t.tenantId, t.taskId, t.durationMs, t.id),
    // The search orders by start date, then id: with the id in the index a page is read in index
    // order, without sorting every task run of a big execution for each page (101 pages of 10,001
    // children: 2.2 s → 55 ms in SQLite).
    index("task_runs_execution").on(t.tenantId, t.executionId, t.startDate, t.id),
    index("task_runs_flow").on(t.tenantId, t.namespace, t.flowId, t.startDate, t.id),
    index("task_runs_state").on(t.tenantId, t.state, t.startDate, t.id),
  ],
);

export const logs = sqliteTable(
  "logs",
  {
    tenantId: text("tenant_id").notNull(),
    /** `{executionId}-{sequence}`: stable, so a replayed outbox batch inserts nothing twice. */
    id: text("id").notNull(),
    executionId: text("execution_id").notNull(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    taskId: text("task_id"),
    taskRunId: text("task_run_id"),
    attemptNumber: integer("attempt_number"),
    triggerId: text("trigger_id"),
    level: text("level").notNull(),
    /** TRACE=0 … ERROR=4, for minLevel filters. */
    levelRank: integer("level_rank").notNull(),
    timestamp: text("timestamp").notNull(),
    message: text("message").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("logs_execution").on(t.tenantId, t.executionId, t.timestamp),
    index("logs_flow").on(t.tenantId, t.namespace, t.flowId, t.timestamp),
    index("logs_time").on(t.tenantId, t.timestamp),
  ],
);

export const metrics = sqliteTable(
  "metrics",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    executionId: text("execution_id").notNull(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    taskId: text("task_id"),
    taskRunId: text("task_run_id"),
    type: text("type", { enum: ["counter", "timer"] }).notNull(),
    name: text("name").notNull(),
    /** Counters as given; timers in milliseconds. */
    value: real("value").notNull(),
    tags: text("tags").notNull().default("{}"),
    timestamp: text("timestamp").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("metrics_execution").on(t.tenantId, t.executionId),
    index("metrics_flow").on(t.tenantId, t.namespace, t.flowId, t.name, t.timestamp),
  ],
);

/** The KV store: one row per tenant, namespace and key. Expired rows stay until overwritten but are invisible. */
export const kv = sqliteTable(
  "kv",
  {
    tenantId: text("tenant_id").notNull(),
    namespace: text("namespace").notNull(),
    key: text("key").notNull(),
    /** The value as JSON, whatever its type. */
    value: text("value").notNull(),
    /** STRING | NUMBER | BOOLEAN | DATETIME | DATE | DURATION | JSON */
    type: text("type").notNull(),
    expiresAt: text("expires_at"),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.namespace, t.key] })],
);

/** Secrets, AES-GCM encrypted with the Worker's SECRETS_KEY; the plaintext is never stored. */
export const secrets = sqliteTable(
  "secrets",
  {
    tenantId: text("tenant_id").notNull(),
    namespace: text("namespace").notNull(),
    key: text("key").notNull(),
    /** Base64; the additional data binds it to tenant, namespace and key. */
    ciphertext: text("ciphertext").notNull(),
    iv: text("iv").notNull(),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.namespace, t.key] })],
);

/**
 * Dashboard sign-in sessions, made by exchanging an API key (or a one-time login code). Only the
 * SHA-256 of the cookie's token is stored; a session lives no longer than its key (revoking the
 * key ends it) and reaches only the key's tenant.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    /** Hex SHA-256 of the session token the cookie carries. */
    hash: text("hash").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    apiKeyId: text("api_key_id")
      .notNull()
      .references(() => apiKeys.id),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("sessions_api_key").on(t.apiKeyId), index("sessions_expires").on(t.expiresAt)],
);

/**
 * One-time login codes: `npm start` writes one (hashed) and prints a link carrying the code in its
 * URL fragment; the dashboard exchanges it once for a session, so the key itself never travels.
 */
export const loginCodes = sqliteTable("login_codes", {
  /** Hex SHA-256 of the code. */
  hash: text("hash").primaryKey(),
  apiKeyId: text("api_key_id")
    .notNull()
    .references(() => apiKeys.id),
  createdAt: createdAt(),
  expiresAt: text("expires_at").notNull(),
});
