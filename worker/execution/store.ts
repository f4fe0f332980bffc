// The execution Durable Object's own SQLite: the authoritative execution, its task runs, logs and
// metrics, and the outbox of keys whose current value D1 has not seen yet. The outbox holds only
// (key, version): the drain reads the current row when it runs, so many changes of one task run
// between two drains cost one D1 write.
import { LOG_LEVELS } from "../../schema/flow/common";
import type { Flow } from "../../schema/flow/types";
import type { EngineState, Execution, MetricEntry, TaskRun } from "../engine/types";

export interface LogRow {
  seq: number;
  taskRunId: string | null;
  taskId: string | null;
  attemptNumber: number | null;
  level: string;
  timestamp: string;
  message: string;
}

export interface MetricRow extends MetricEntry {
  seq: number;
  taskRunId: string | null;
  taskId: string | null;
}

/** Characters of JSON per statement: well under SQLite's limit on one bound string, even once escaped. */
const STATEMENT_JSON_CHARS = 256 * 1024;
/** Outbox keys per statement (each is a short `kind:id`). */
const KEYS_PER_STATEMENT = 4096;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS execution (k INTEGER PRIMARY KEY CHECK (k = 1), doc TEXT NOT NULL, flow TEXT NOT NULL, pending_end TEXT)`,
  `CREATE TABLE IF NOT EXISTS task_runs (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS logs (seq INTEGER PRIMARY KEY, task_run_id TEXT, task_id TEXT, attempt INTEGER, level TEXT NOT NULL, timestamp TEXT NOT NULL, message TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS metrics (seq INTEGER PRIMARY KEY, task_run_id TEXT, task_id TEXT, type TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, tags TEXT NOT NULL, timestamp TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, version INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS outbox_version ON outbox (version)`,
  `CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, created_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sent (stream TEXT PRIMARY KEY, upto INTEGER NOT NULL)`,
];

/** Append-only streams need no outbox keys: their sequence numbers are the outbox. */
export type Stream = "logs" | "metrics";

export class ExecutionStore {
  private readonly sql: SqlStorage;
  private lastVersion = 0;
  private nextPos = 0;
  private nextLog = 0;
  private nextMetric = 0;

  /** The highest sequence number of each stream that D1 has (-1: none). */
  private readonly sentUpto: Record<Stream, number> = { logs: -1, metrics: -1 };

  /** False until the first execution is stored: an object only looked up stays without storage. */
  private hasTables = false;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    // Most objects are new: one statement tells, and a new one gets its tables in one call and
    // counters at zero. Every statement is parsed afresh in a new object, so fewer is faster.
    const tables = new Set(
      this.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('execution', 'sent')")
        .toArray()
        .map((r) => r.name),
    );
    // Nothing stored yet: the tables come with create(), so that looking up an unknown id (every
    // lookup reaches its object) leaves no storage behind.
    if (!tables.has("execution")) return;
    if (!tables.has("sent")) this.sql.exec(SCHEMA.join(";\n"));
    this.hasTables = true;
    this.nextPos = this.scalar("SELECT COALESCE(MAX(pos), -1) + 1 AS n FROM task_runs");
    this.nextLog = this.scalar("SELECT COALESCE(MAX(seq), -1) + 1 AS n FROM logs");
    this.nextMetric = this.scalar("SELECT COALESCE(MAX(seq), -1) + 1 AS n FROM metrics");
    if (!tables.has("sent")) {
      // An object from before the streams: its lines so far went through outbox keys.
      this.markSent("logs", this.nextLog - 1);
      this.markSent("metrics", this.nextMetric - 1);
      return;
    }
    for (const row of this.sql.exec<{ stream: Stream; upto: number }>("SELECT stream, upto FROM sent")) {
      this.sentUpto[row.stream] = row.upto;
    }
  }

  private scalar(query: string): number {
    return Number(this.sql.exec<{ n: number }>(query).one().n);
  }

  /** Versions only grow, across restarts too: they start from the clock. */
  private version(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    return this.lastVersion;
  }

  private mark(key: string): void {
    this.markAll([key]);
  }

  /** One statement for any number of keys: a turn of forty steps marks forty keys. */
  private markAll(keys: readonly string[]): void {
    if (!keys.length) return;
    const first = this.version();
    this.lastVersion = first + keys.length - 1;
    for (let at = 0; at < keys.length; at += KEYS_PER_STATEMENT) {
      this.sql.exec(
        `INSERT INTO outbox (key, version) SELECT value, ? + key FROM json_each(?) WHERE true
         ON CONFLICT(key) DO UPDATE SET version = excluded.version`,
        first + at,
        JSON.stringify(keys.slice(at, at + KEYS_PER_STATEMENT)),
      );
    }
  }

  load(): EngineState | undefined {
    if (!this.hasTables) return undefined;
    const row = this.sql
      .exec<{ doc: string; flow: string; pending_end: string | null }>("SELECT doc, flow, pending_end FROM execution")
      .toArray()[0];
    if (!row) return undefined;
    const taskRuns = this.sql
      .exec<{ doc: string }>("SELECT doc FROM task_runs ORDER BY pos")
      .toArray()
      .map((r) => JSON.parse(r.doc) as TaskRun);
    const state: EngineState = {
      flow: JSON.parse(row.flow) as Flow,
      execution: JSON.parse(row.doc) as Execution,
      taskRuns,
    };
    if (row.pending_end) state.pendingEnd = row.pending_end as NonNullable<EngineState["pendingEnd"]>;
    return state;
  }

  executionDoc(): Execution | undefined {
    if (!this.hasTables) return undefined;
    const row = this.sql.exec<{ doc: string }>("SELECT doc FROM execution").toArray()[0];
    return row ? (JSON.parse(row.doc) as Execution) : undefined;
  }

  create(state: EngineState): void {
    if (!this.hasTables) {
      this.sql.exec(SCHEMA.join(";\n"));
      this.hasTables = true;
    }
    this.sql.exec(
      "INSERT INTO execution (k, doc, flow, pending_end) VALUES (1, ?, ?, NULL)",
      JSON.stringify(state.execution),
      JSON.stringify(state.flow),
    );
    this.mark("execution");
  }

  saveExecution(state: EngineState): void {
    this.sql.exec(
      "UPDATE execution SET doc = ?, pending_end = ? WHERE k = 1",
      JSON.stringify(state.execution),
      state.pendingEnd ?? null,
    );
    this.mark("execution");
  }

  /**
   * Writes task runs in as few statements as their size allows (rows travel as one JSON array per
   * statement; SQLite unpacks it), which in a turn of many steps costs far less than a statement
   * each. A string bound to SQLite must stay under its length limit, so a turn that creates a
   * 10,000-value loop at once is split into parts of at most STATEMENT_JSON_CHARS.
   * A new run takes the next position.
   */
  saveTaskRuns(runs: readonly TaskRun[]): void {
    if (!runs.length) return;
    let part: [string, string][] = [];
    let chars = 0;
    const flush = () => {
      if (!part.length) return;
      const first = this.nextPos;
      this.nextPos += part.length;
      this.sql.exec(
        `INSERT INTO task_runs (id, pos, doc)
         SELECT value ->> 0, ? + key, value ->> 1 FROM json_each(?) WHERE true
         ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`,
        first,
        JSON.stringify(part),
      );
      part = [];
      chars = 0;
    };
    for (const run of runs) {
      const doc = JSON.stringify(run);
      if (part.length && chars + doc.length > STATEMENT_JSON_CHARS) flush();
      part.push([run.id, doc]);
      chars += doc.length + run.id.length + 8;
    }
    flush();
    this.markAll(runs.map((run) => `taskrun:${run.id}`));
  }

  /** Marks the execution and every task run for D1 again: the sweeper found the index behind. */
  remarkAll(): void {
    const runs = this.sql.exec<{ id: string }>("SELECT id FROM task_runs").toArray();
    this.markAll(["execution", ...runs.map((r) => `taskrun:${r.id}`)]);
  }

  removeTaskRun(id: string): void {
    this.sql.exec("DELETE FROM task_runs WHERE id = ?", id);
    this.mark(`taskrun:${id}`);
  }

  appendLog(log: Omit<LogRow, "seq">): LogRow {
    const row = { ...log, seq: this.nextLog++ };
    this.sql.exec(
      "INSERT INTO logs (seq, task_run_id, task_id, attempt, level, timestamp, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
      row.seq,
      row.taskRunId,
      row.taskId,
      row.attemptNumber,
      row.level,
      row.timestamp,
      row.message,
    );
    return row;
  }

  /** Appends metrics in one statement, in order. */
  appendMetrics(metrics: readonly Omit<MetricRow, "seq">[]): void {
    if (!metrics.length) return;
    const first = this.nextMetric;
    this.nextMetric += metrics.length;
    this.sql.exec(
      `INSERT INTO metrics (seq, task_run_id, task_id, type, name, value, tags, timestamp)
       SELECT ? + key, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
       FROM json_each(?)`,
      first,
      JSON.stringify(
        metrics.map((m) => [m.taskRunId, m.taskId, m.type, m.name, m.value, JSON.stringify(m.tags), m.timestamp]),
      ),
    );
  }

  logs(
    filter: {
      minLevelRank?: number;
      taskId?: string;
      taskRunId?: string;
      attempt?: number;
      seq?: number;
      afterSeq?: number;
      limit?: number;
    } = {},
  ): LogRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const when = (clause: string, ...values: (string | number)[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (filter.seq !== undefined) when("seq = ?", filter.seq);
    if (filter.afterSeq !== undefined) when("seq > ?", filter.afterSeq);
    if (filter.taskId !== undefined) when("task_id = ?", filter.taskId);
    if (filter.taskRunId !== undefined) when("task_run_id = ?", filter.taskRunId);
    if (filter.attempt !== undefined) when("attempt = ?", filter.attempt);
    if (filter.minLevelRank !== undefined) {
      const levels = LOG_LEVELS.slice(filter.minLevelRank);
      when(`level IN (${levels.map(() => "?").join(", ")})`, ...levels);
    }
    const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const query = `SELECT * FROM logs${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY seq${limit}`;
    return this.sql
      .exec<{
        seq: number;
        task_run_id: string | null;
        task_id: string | null;
        attempt: number | null;
        level: string;
        timestamp: string;
        message: string;
      }>(query, ...args)
      .toArray()
      .map((r) => ({
        seq: r.seq,
        taskRunId: r.task_run_id,
        taskId: r.task_id,
        attemptNumber: r.attempt,
        level: r.level,
        timestamp: r.timestamp,
        message: r.message,
      }));
  }

  /** Deletes the log lines a filter names (all of them without one); the stream's sequence goes on. */
  deleteLogs(filter: { taskId?: string; taskRunId?: string; attempt?: number }): void {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const when = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    when("task_id = ?", filter.taskId);
    when("task_run_id = ?", filter.taskRunId);
    when("attempt = ?", filter.attempt);
    this.sql.exec(`DELETE FROM logs${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`, ...args);
  }

  /** One log line by its sequence number (outbox keys of objects from before the streams). */
  log(seq: number): LogRow | undefined {
    return this.logs({ seq })[0];
  }

  /** Log lines D1 does not have yet, after `afterSeq`, in order. */
  unsentLogs(limit: number, afterSeq = this.sentUpto.logs): LogRow[] {
    return this.logs({ afterSeq, limit });
  }

  /** Metrics D1 does not have yet, after `afterSeq`, in order. */
  unsentMetrics(limit: number, afterSeq = this.sentUpto.metrics): MetricRow[] {
    return this.metricRows("SELECT * FROM metrics WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit);
  }

  metrics(seq?: number): MetricRow[] {
    return seq === undefined
      ? this.metricRows("SELECT * FROM metrics ORDER BY seq")
      : this.metricRows("SELECT * FROM metrics WHERE seq = ?", seq);
  }

  private metricRows(query: string, ...args: number[]): MetricRow[] {
    const rows = this.sql
      .exec<{
        seq: number;
        task_run_id: string | null;
        task_id: string | null;
        type: "counter" | "timer";
        name: string;
        value: number;
        tags: string;
        timestamp: string;
      }>(query, ...args)
      .toArray();
    return rows.map((r) => ({
      seq: r.seq,
      taskRunId: r.task_run_id,
      taskId: r.task_id,
      type: r.type,
      name: r.name,
      value: r.value,
      tags: JSON.parse(r.tags) as Record<string, string>,
      timestamp: r.timestamp,
    }));
  }

  taskRunDoc(id: string): TaskRun | undefined {
    const row = this.sql.exec<{ doc: string }>("SELECT doc FROM task_runs WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.doc) as TaskRun) : undefined;
  }

  /** Pending keys in version order, after `afterVersion`, so a drain walks forward without writing. */
  pendingOutbox(limit: number, afterVersion = -1): { key: string; version: number }[] {
    return this.sql
      .exec<{ key: string; version: number }>(
        "SELECT key, version FROM outbox WHERE version > ? ORDER BY version LIMIT ?",
        afterVersion,
        limit,
      )
      .toArray();
  }

  /** Whether anything is still to be written to D1. */
  hasUnsent(): boolean {
    if (this.sentUpto.logs < this.nextLog - 1 || this.sentUpto.metrics < this.nextMetric - 1) return true;
    return this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0;
  }

  /** Forgets drained keys, unless they changed again while the drain was in flight. */
  acknowledge(entries: { key: string; version: number }[], streams: Partial<Record<Stream, number>> = {}): void {
    if (entries.length) {
      this.sql.exec(
        `DELETE FROM outbox WHERE (key, version) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
        JSON.stringify(entries.map((e) => [e.key, e.version])),
      );
    }
    for (const [stream, upto] of Object.entries(streams) as [Stream, number][]) {
      if (upto > this.sentUpto[stream]) this.markSent(stream, upto);
    }
  }

  private markSent(stream: Stream, upto: number): void {
    this.sql.exec("INSERT OR REPLACE INTO sent (stream, upto) VALUES (?, ?)", stream, upto);
    this.sentUpto[stream] = upto;
  }

  /** Records that others must hear of something (the end, for now); kept until delivered. */
  addNotice(key: string): void {
    this.sql.exec("INSERT OR IGNORE INTO notices (key, created_at) VALUES (?, ?)", key, new Date().toISOString());
  }

  notices(): string[] {
    return this.sql
      .exec<{ key: string }>("SELECT key FROM notices ORDER BY created_at")
      .toArray()
      .map((r) => r.key);
  }

  removeNotice(key: string): void {
    this.sql.exec("DELETE FROM notices WHERE key = ?", key);
  }

  transaction<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }
}

export function levelRank(level: string): number {
  const i = (LOG_LEVELS as readonly string[]).indexOf(level.toUpperCase());
  return i < 0 ? 2 : i;
}
