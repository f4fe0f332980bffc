// The tenant's trigger state in its Durable Object's SQLite: one row per (flow, trigger) with the
// schedule cursor, its lock and operator overrides, the outbox of executions to start, and a few
// settings (tables: store-schema.ts). Every method is synchronous, so a caller's read-modify-write
// between two awaits is one atomic step of the object.
import type { Trigger } from "../../schema/flow/types";
import type { Label } from "../engine/types";
import type { Sealed } from "../secrets/crypto";
import { migrate } from "./store-schema";

export interface TriggerRow {
  namespace: string;
  flowId: string;
  triggerId: string;
  type: string;
  revision: number;
  definition: Trigger;
  /** The flow, or the trigger in the flow, is disabled: nothing fires, nothing is recovered. */
  inactive: boolean;
  /** Disabled through the API, or by stopAfter. */
  disabled: boolean;
  /** Schedules: the next occurrence not yet handled (epoch ms). */
  nextDate: number | null;
  /** Schedules: the last occurrence handled (fired or passed over). */
  lastDate: number | null;
  /**
   * Schedules: the execution holding the trigger's lock (started, not yet ended), as Kestra's
   * triggerContext.executionId; null when unlocked.
   */
  lastExecutionId: string | null;
  lastRunDate: number | null;
  lastError: string | null;
  backfill: Backfill | null;
  updatedAt: number;
}

export interface Backfill {
  id: string;
  start: number;
  end: number;
  currentDate: number;
  paused: boolean;
  /** SECRET ones hold the mask: their values are in `sealedInputs` (backfill-inputs.ts). */
  inputs?: Record<string, unknown>;
  sealedInputs?: Record<string, Sealed>;
  labels?: Label[];
  /** Executions started so far. */
  done: number;
  /** Occurrences in [start, end], counted up to a cap when the backfill was created. */
  total: number;
}

export interface PendingStart {
  executionId: string;
  namespace: string;
  flowId: string;
  trigger: Trigger;
  variables: Record<string, unknown>;
  labels?: Label[];
  inputs?: Record<string, unknown>;
  /** A backfill's SECRET inputs, sealed; opened over `inputs` when the firing is launched. */
  sealedInputs?: { backfillId: string; inputs: Record<string, Sealed> };
  /** Schedules: conditions are evaluated when the firing is launched, against this date. */
  calendar?: { date: number; timezone?: string };
  /** Flow triggers: the depth of the execution to start in its chain (launch/limits.ts). */
  chainDepth?: number;
}

type Raw = Record<string, SqlStorageValue>;

const num = (v: SqlStorageValue | undefined): number | null => (typeof v === "number" ? v : null);
const str = (v: SqlStorageValue | undefined): string | null => (typeof v === "string" ? v : null);

function fromRaw(r: Raw): TriggerRow {
  const backfill = str(r.backfill);
  return {
    namespace: String(r.namespace),
    flowId: String(r.flow_id),
    triggerId: String(r.trigger_id),
    type: String(r.type),
    revision: Number(r.revision),
    definition: JSON.parse(String(r.definition)) as Trigger,
    inactive: r.inactive === 1,
    disabled: r.disabled === 1,
    nextDate: num(r.next_date),
    lastDate: num(r.last_date),
    lastExecutionId: str(r.last_execution_id),
    lastRunDate: num(r.last_run_date),
    lastError: str(r.last_error),
    backfill: backfill ? (JSON.parse(backfill) as Backfill) : null,
    updatedAt: Number(r.updated_at),
  };
}

export class TriggerStore {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    migrate(this.sql);
  }

  transaction<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }

  all(): TriggerRow[] {
    return this.sql.exec<Raw>("SELECT * FROM triggers ORDER BY namespace, flow_id, trigger_id").toArray().map(fromRaw);
  }

  ofType(type: string): TriggerRow[] {
    return this.sql.exec<Raw>("SELECT * FROM triggers WHERE type = ?", type).toArray().map(fromRaw);
  }

  ofFlow(namespace: string, flowId: string): TriggerRow[] {
    return this.sql
      .exec<Raw>("SELECT * FROM triggers WHERE namespace = ? AND flow_id = ?", namespace, flowId)
      .toArray()
      .map(fromRaw);
  }

  get(namespace: string, flowId: string, triggerId: string): TriggerRow | undefined {
    const [r] = this.sql
      .exec<Raw>(
        "SELECT * FROM triggers WHERE namespace = ? AND flow_id = ? AND trigger_id = ?",
        namespace,
        flowId,
        triggerId,
      )
      .toArray();
    return r && fromRaw(r);
  }

  put(row: TriggerRow): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO triggers (namespace, flow_id, trigger_id, type, revision, definition, inactive, disabled,
         next_date, last_date, last_execution_id, last_run_date, last_error, backfill, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.namespace,
      row.flowId,
      row.triggerId,
      row.type,
      row.revision,
      JSON.stringify(row.definition),
      row.inactive ? 1 : 0,
      row.disabled ? 1 : 0,
      row.nextDate,
      row.lastDate,
      row.lastExecutionId,
      row.lastRunDate,
      row.lastError,
      row.backfill ? JSON.stringify(row.backfill) : null,
      row.updatedAt,
    );
  }

  remove(namespace: string, flowId: string, triggerId: string): void {
    this.sql.exec(
      "DELETE FROM triggers WHERE namespace = ? AND flow_id = ? AND trigger_id = ?",
      namespace,
      flowId,
      triggerId,
    );
    this.sql.exec(
      "DELETE FROM windows WHERE namespace = ? AND flow_id = ? AND trigger_id = ?",
      namespace,
      flowId,
      triggerId,
    );
  }

  /** The earliest schedule occurrence any active trigger waits for. */
  earliestNext(): number | null {
    const [r] = this.sql
      .exec<Raw>(
        "SELECT MIN(next_date) AS at FROM triggers WHERE next_date IS NOT NULL AND inactive = 0 AND disabled = 0",
      )
      .toArray();
    return num(r?.at);
  }

  hasRunningBackfill(): boolean {
    return (
      this.sql
        .exec<Raw>(
          "SELECT 1 FROM triggers WHERE backfill IS NOT NULL AND json_extract(backfill, '$.paused') = 0 LIMIT 1",
        )
        .toArray().length > 0
    );
  }

  // ---- outbox of executions to start -------------------------------------------------------

  enqueue(start: PendingStart): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO pending (execution_id, payload) VALUES (?, ?)",
      start.executionId,
      JSON.stringify(start),
    );
  }

  pending(limit: number): { start: PendingStart; attempts: number }[] {
    return this.sql
      .exec<Raw>("SELECT payload, attempts FROM pending ORDER BY rowid LIMIT ?", limit)
      .toArray()
      .map((r) => ({ start: JSON.parse(String(r.payload)) as PendingStart, attempts: Number(r.attempts) }));
  }

  pendingCount(): number {
    const [r] = this.sql.exec<Raw>("SELECT COUNT(*) AS n FROM pending").toArray();
    return Number(r?.n ?? 0);
  }

  isPending(executionId: string): boolean {
    return this.sql.exec<Raw>("SELECT 1 FROM pending WHERE execution_id = ?", executionId).toArray().length > 0;
  }

  done(executionId: string): void {
    this.sql.exec("DELETE FROM pending WHERE execution_id = ?", executionId);
  }

  failedAttempt(executionId: string): void {
    this.sql.exec("UPDATE pending SET attempts = attempts + 1 WHERE execution_id = ?", executionId);
  }

  // ---- settings ----------------------------------------------------------------------------

  meta(key: string): string | undefined {
    const [r] = this.sql.exec<Raw>("SELECT value FROM meta WHERE key = ?", key).toArray();
    return str(r?.value) ?? undefined;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}
