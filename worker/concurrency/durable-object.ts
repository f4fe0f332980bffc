// One Durable Object per flow with a `concurrency` limit: the slots (RUNNING and PAUSED
// executions hold one) and the queue of executions waiting for one. Being a single writer, it can
// never hand out more slots than the limit, whatever the burst. A promoted execution is told to
// start, and told again on an alarm until it confirms, so a lost message cannot leak a slot.
import { DurableObject } from "cloudflare:workers";
import { executionStub } from "../execution/object";
import type { Admission, ConcurrencyBehavior, FlowConcurrencyObject } from "./object";

const RESEND_MS = 5_000;

export class FlowConcurrencyDurableObject extends DurableObject<Env> implements FlowConcurrencyObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS slots (execution_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, confirmed INTEGER NOT NULL)",
    );
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT UNIQUE NOT NULL, tenant_id TEXT NOT NULL)",
    );
    this.sql.exec("CREATE TABLE IF NOT EXISTS stats (k INTEGER PRIMARY KEY, high_water INTEGER NOT NULL)");
  }

  private count(table: "slots" | "queue"): number {
    return Number(this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n);
  }

  private noteHighWater(): void {
    this.sql.exec(
      "INSERT INTO stats (k, high_water) VALUES (1, ?) ON CONFLICT(k) DO UPDATE SET high_water = MAX(high_water, excluded.high_water)",
      this.count("slots"),
    );
  }

  /** Asks for a slot. Idempotent: an execution that holds one, or waits for one, keeps its place. */
  async acquire(
    tenantId: string,
    executionId: string,
    limit: number,
    behavior: ConcurrencyBehavior,
  ): Promise<Admission> {
    if (this.sql.exec("SELECT 1 FROM slots WHERE execution_id = ?", executionId).toArray().length) {
      this.sql.exec("UPDATE slots SET confirmed = 1 WHERE execution_id = ?", executionId);
      return "run";
    }
    if (this.sql.exec("SELECT 1 FROM queue WHERE execution_id = ?", executionId).toArray().length) return "queued";
    if (this.count("slots") < limit) {
      this.sql.exec("INSERT INTO slots (execution_id, tenant_id, confirmed) VALUES (?, ?, 1)", executionId, tenantId);
      this.noteHighWater();
      return "run";
    }
    switch (behavior) {
      case "QUEUE":
        this.sql.exec("INSERT INTO queue (execution_id, tenant_id) VALUES (?, ?)", executionId, tenantId);
        return "queued";
      case "CANCEL":
        return "cancel";
      case "FAIL":
        return "fail";
    }
  }

  /** Frees whatever the execution holds (a slot, or its place in the queue) and promotes waiters. */
  async release(executionId: string, limit: number): Promise<void> {
    this.sql.exec("DELETE FROM slots WHERE execution_id = ?", executionId);
    this.sql.exec("DELETE FROM queue WHERE execution_id = ?", executionId);
    while (this.count("slots") < limit) {
      const next = this.sql
        .exec<{ seq: number; execution_id: string; tenant_id: string }>("SELECT * FROM queue ORDER BY seq LIMIT 1")
        .toArray()[0];
      if (!next) break;
      this.sql.exec("DELETE FROM queue WHERE seq = ?", next.seq);
      this.sql.exec(
        "INSERT INTO slots (execution_id, tenant_id, confirmed) VALUES (?, ?, 0)",
        next.execution_id,
        next.tenant_id,
      );
      this.noteHighWater();
    }
    await this.promote();
  }

  /** Tells promoted executions to start; whatever does not confirm is retried on an alarm. */
  private async promote(): Promise<void> {
    const pending = this.sql
      .exec<{ execution_id: string; tenant_id: string }>(
        "SELECT execution_id, tenant_id FROM slots WHERE confirmed = 0",
      )
      .toArray();
    const results = await Promise.allSettled(
      pending.map(async (p) => {
        await executionStub(this.env, p.tenant_id, p.execution_id).dequeue();
        this.sql.exec("UPDATE slots SET confirmed = 1 WHERE execution_id = ?", p.execution_id);
      }),
    );
    if (results.some((r) => r.status === "rejected")) await this.ctx.storage.setAlarm(Date.now() + RESEND_MS);
  }

  override async alarm(): Promise<void> {
    await this.promote();
  }

  async stats(): Promise<{ running: number; queued: number; highWater: number }> {
    const row = this.sql.exec<{ high_water: number }>("SELECT high_water FROM stats WHERE k = 1").toArray()[0];
    return { running: this.count("slots"), queued: this.count("queue"), highWater: row?.high_water ?? 0 };
  }
}
