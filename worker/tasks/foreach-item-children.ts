// Where an execution's Durable Object keeps the executions ForEachItem's `_items` started: one
// SQLite row per batch (its execution, its end state and outputs), and per `_items` task run the
// attempt and the number of batches. Kept out of the engine's state, which stays small however
// many batches there are; every write is idempotent, so redelivered ends change nothing.

type ChildRow = { execution_id: string; started: number };

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS foreach_item_runs (task_run_id TEXT PRIMARY KEY, attempt INTEGER NOT NULL, batches INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS foreach_item_children (task_run_id TEXT NOT NULL, iteration INTEGER NOT NULL, execution_id TEXT NOT NULL, started INTEGER NOT NULL DEFAULT 0, state TEXT, outputs TEXT, PRIMARY KEY (task_run_id, iteration))`,
];

export interface ItemsProgress {
  batches: number;
  ended: number;
  /** Ended executions by state, e.g. `{SUCCESS: 98, FAILED: 2}`. */
  iterations: Record<string, number>;
}

export class ForEachItemChildren {
  private created = false;

  constructor(private readonly storage: SqlStorage) {}

  /** The tables, made on first use: most executions never run a ForEachItem. */
  private get sql(): SqlStorage {
    if (!this.created) {
      this.storage.exec(SCHEMA.join(";\n"));
      this.created = true;
    }
    return this.storage;
  }

  /** A new attempt of `_items` forgets the previous attempt's executions. */
  expect(taskRunId: string, attempt: number, batches: number): void {
    const known = this.sql
      .exec<{ attempt: number }>("SELECT attempt FROM foreach_item_runs WHERE task_run_id = ?", taskRunId)
      .toArray()[0];
    if (known?.attempt === attempt) return;
    this.sql.exec("DELETE FROM foreach_item_children WHERE task_run_id = ?", taskRunId);
    this.sql.exec(
      "INSERT OR REPLACE INTO foreach_item_runs (task_run_id, attempt, batches) VALUES (?, ?, ?)",
      taskRunId,
      attempt,
      batches,
    );
  }

  /** Whether this batch's execution `executionId` was already started. */
  started(taskRunId: string, iteration: number, executionId: string): boolean {
    const row = this.sql
      .exec<ChildRow>(
        "SELECT execution_id, started FROM foreach_item_children WHERE task_run_id = ? AND iteration = ?",
        taskRunId,
        iteration,
      )
      .toArray()[0];
    return row?.execution_id === executionId && row.started === 1;
  }

  /** Recorded before the execution is created, so that its end can never arrive unannounced. */
  record(taskRunId: string, iteration: number, executionId: string): void {
    this.sql.exec(
      `INSERT INTO foreach_item_children (task_run_id, iteration, execution_id) VALUES (?, ?, ?)
       ON CONFLICT (task_run_id, iteration) DO UPDATE SET execution_id = excluded.execution_id, started = 0, state = NULL, outputs = NULL
       WHERE execution_id <> excluded.execution_id`,
      taskRunId,
      iteration,
      executionId,
    );
  }

  markStarted(taskRunId: string, iteration: number): void {
    this.sql.exec(
      "UPDATE foreach_item_children SET started = 1 WHERE task_run_id = ? AND iteration = ?",
      taskRunId,
      iteration,
    );
  }

  /** True only the first time this execution's end is recorded. */
  ended(taskRunId: string, executionId: string, state: string, outputs: Record<string, unknown>): boolean {
    const cursor = this.sql.exec(
      "UPDATE foreach_item_children SET state = ?, outputs = ? WHERE task_run_id = ? AND execution_id = ? AND state IS NULL",
      state,
      JSON.stringify(outputs),
      taskRunId,
      executionId,
    );
    return cursor.rowsWritten > 0;
  }

  progress(taskRunId: string): ItemsProgress | undefined {
    const run = this.sql
      .exec<{ batches: number }>("SELECT batches FROM foreach_item_runs WHERE task_run_id = ?", taskRunId)
      .toArray()[0];
    if (!run) return undefined;
    // Kestra counts every state it tracks, zeros included: batches not ended yet count as CREATED.
    const iterations: Record<string, number> = { CREATED: 0, RUNNING: 0 };
    let ended = 0;
    const rows = this.sql.exec<{ state: string; n: number }>(
      "SELECT state, COUNT(*) AS n FROM foreach_item_children WHERE task_run_id = ? AND state IS NOT NULL GROUP BY state ORDER BY state",
      taskRunId,
    );
    for (const { state, n } of rows) {
      iterations[state] = n;
      ended += n;
    }
    iterations.CREATED = run.batches - ended;
    return { batches: run.batches, ended, iterations };
  }

  /** Executions of batches that have not ended (to kill them). */
  running(taskRunId: string): string[] {
    return this.sql
      .exec<{ execution_id: string }>(
        "SELECT execution_id FROM foreach_item_children WHERE task_run_id = ? AND state IS NULL ORDER BY iteration",
        taskRunId,
      )
      .toArray()
      .map((r) => r.execution_id);
  }

  /** Each ended batch's outputs as JSON text, in batch order, a page at a time. */
  *outputs(taskRunId: string): Generator<string> {
    // Pages are read whole, so no cursor stays open across the caller's awaits.
    for (let after = 0; ; ) {
      const page = this.sql
        .exec<{ iteration: number; outputs: string }>(
          "SELECT iteration, outputs FROM foreach_item_children WHERE task_run_id = ? AND iteration > ? AND state IS NOT NULL ORDER BY iteration LIMIT 500",
          taskRunId,
          after,
        )
        .toArray();
      if (!page.length) return;
      for (const row of page) yield row.outputs;
      after = page[page.length - 1]!.iteration;
    }
  }
}
