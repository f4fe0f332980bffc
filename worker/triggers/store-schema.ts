// The tables of a tenant's trigger object and their migrations, in one place: TriggerStore (rows,
// outbox, settings), WindowStore (Flow-trigger windows, sightings) and WebhookGate (idempotency)
// each read and write their own tables, all in the same SQLite, so one transaction spans them.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS triggers (
  namespace TEXT NOT NULL, flow_id TEXT NOT NULL, trigger_id TEXT NOT NULL,
  type TEXT NOT NULL, revision INTEGER NOT NULL, definition TEXT NOT NULL,
  inactive INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
  next_date INTEGER, last_date INTEGER, last_execution_id TEXT, last_run_date INTEGER, last_error TEXT,
  backfill TEXT, updated_at INTEGER NOT NULL,
  PRIMARY KEY (namespace, flow_id, trigger_id)
);
CREATE TABLE IF NOT EXISTS pending (execution_id TEXT PRIMARY KEY, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, execution_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS windows (
  namespace TEXT NOT NULL, flow_id TEXT NOT NULL, trigger_id TEXT NOT NULL, grp TEXT NOT NULL, state TEXT NOT NULL,
  PRIMARY KEY (namespace, flow_id, trigger_id, grp)
);
CREATE TABLE IF NOT EXISTS seen_ends (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The window group of a Flow trigger's `preconditions`; a MultipleCondition's group is its id. */
export const PRECONDITIONS_GROUP = "preconditions";

const VERSION = 2;

/** Creates the tables, then brings an object written by an older Worker up to VERSION. */
export function migrate(sql: SqlStorage): void {
  sql.exec(SCHEMA);
  const [row] = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema'").toArray();
  const version = row ? Number(row.value) : 1;
  if (version >= VERSION) return;
  // v2: one window state per (trigger, group) instead of one per trigger, since a trigger may carry
  // preconditions and MultipleConditions; and last_execution_id became the Schedule's lock, so the
  // ids older Workers left there (every execution ever started, never cleared) must not lock anything.
  const old = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'preconditions'").toArray();
  if (old.length) {
    sql.exec(
      `INSERT OR IGNORE INTO windows (namespace, flow_id, trigger_id, grp, state)
       SELECT namespace, flow_id, trigger_id, ?, state FROM preconditions`,
      PRECONDITIONS_GROUP,
    );
    sql.exec("DROP TABLE preconditions");
  }
  sql.exec("UPDATE triggers SET last_execution_id = NULL");
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", String(VERSION));
}
