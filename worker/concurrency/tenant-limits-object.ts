// One Durable Object per tenant, named by the tenant id: the tenant's start limits, exact across
// isolates because this object is their single writer. It keeps the creation-rate bucket (in
// memory; a restart refills it), the executions holding a running place (SQLite), and the
// settings. Every start asks it once (launch/limits.ts); an execution's end notice frees its place,
// so it is never asked between two task runs. An alarm re-checks places held for a long time
// against their executions, so a lost end notice or a start that never reached its object cannot
// leak a place.
import { DurableObject } from "cloudflare:workers";
import { isTerminal } from "../engine/state";
import type { StateType } from "../engine/types";
import { executionStub } from "../execution/object";
import {
  DEFAULT_TENANT_LIMITS,
  type StartAdmission,
  type TenantLimitsObject,
  type TenantLimitsSettings,
} from "./tenant-limits";

/** A place held longer than this is checked against its execution (at most once per period). */
const RECHECK_MS = 10 * 60_000;
const RECHECK_BATCH = 100;
/** Nothing says when a running place frees; a caller told to wait this long may try again. */
const RUNNING_RETRY_SECONDS = 5;

export class TenantLimitsDurableObject extends DurableObject<Env> implements TenantLimitsObject {
  private readonly sql: SqlStorage;
  private cached?: TenantLimitsSettings;
  private bucket?: { tokens: number; at: number };
  private runningCount: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS running (execution_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, checked_at INTEGER NOT NULL)",
    );
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    this.runningCount = Number(this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM running").one().n);
  }

  async admit(tenantId: string, executionId: string, chainDepth: number): Promise<StartAdmission> {
    const settings = await this.settings();
    if (chainDepth > settings.maxChainDepth) return { kind: "too-deep", maxChainDepth: settings.maxChainDepth };
    if (this.sql.exec("SELECT 1 FROM running WHERE execution_id = ?", executionId).toArray().length) {
      return { kind: "admitted", fresh: false };
    }
    if (this.runningCount >= settings.maxRunning) {
      return {
        kind: "limited",
        limit: "maxRunning",
        max: settings.maxRunning,
        retryAfterSeconds: RUNNING_RETRY_SECONDS,
      };
    }
    const wait = this.takeToken(settings, Date.now());
    if (wait > 0) {
      return { kind: "limited", limit: "creationRate", max: settings.creationRate.perSecond, retryAfterSeconds: wait };
    }
    const now = Date.now();
    this.sql.exec(
      "INSERT INTO running (execution_id, tenant_id, checked_at) VALUES (?, ?, ?)",
      executionId,
      tenantId,
      now,
    );
    this.runningCount++;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + RECHECK_MS);
    return { kind: "admitted", fresh: true };
  }

  async release(executionId: string): Promise<void> {
    const cursor = this.sql.exec("DELETE FROM running WHERE execution_id = ?", executionId);
    this.runningCount -= cursor.rowsWritten > 0 ? 1 : 0;
  }

  /** Spends a token: 0 when one was there, else the seconds until one will be (for Retry-After). */
  private takeToken(settings: TenantLimitsSettings, now: number): number {
    const { burst, perSecond } = settings.creationRate;
    const b = this.bucket ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond);
    b.at = now;
    this.bucket = b;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }

  async settings(): Promise<TenantLimitsSettings> {
    if (!this.cached) {
      const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'settings'").toArray()[0];
      this.cached = row ? (JSON.parse(row.v) as TenantLimitsSettings) : DEFAULT_TENANT_LIMITS;
    }
    return this.cached;
  }

  /** Replaces the settings; the bucket starts full at the new size. */
  async setSettings(settings: TenantLimitsSettings): Promise<TenantLimitsSettings> {
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('settings', ?)", JSON.stringify(settings));
    this.cached = settings;
    this.bucket = undefined;
    return settings;
  }

  async usage(): Promise<{ running: number }> {
    return { running: this.runningCount };
  }

  /** Frees the places of executions that ended without telling, or were never created. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.sql
      .exec<{ execution_id: string; tenant_id: string }>(
        "SELECT execution_id, tenant_id FROM running WHERE checked_at <= ? ORDER BY checked_at LIMIT ?",
        now - RECHECK_MS,
        RECHECK_BATCH,
      )
      .toArray();
    await Promise.allSettled(
      due.map(async (row) => {
        const summary = await executionStub(this.env, row.tenant_id, row.execution_id).summary();
        if (!summary || isTerminal(summary.state.current as StateType)) await this.release(row.execution_id);
        else this.sql.exec("UPDATE running SET checked_at = ? WHERE execution_id = ?", now, row.execution_id);
      }),
    );
    if (this.runningCount > 0) {
      const more = due.length === RECHECK_BATCH;
      await this.ctx.storage.setAlarm(more ? Date.now() : now + RECHECK_MS);
    }
  }
}
