// One Durable Object per tenant (name = tenant id) owns that tenant's triggers: each Schedule's
// next date and lock with ONE alarm for the earliest, the outbox of executions to start,
// Flow-trigger windows, and the webhook gate (idempotency, rate limit and its setting). D1 keeps
// the flows; this object keeps only trigger state, in its own SQLite.
import { DurableObject } from "cloudflare:workers";
import { newId } from "../ids";
import { launch } from "../launch/trigger";
import { sealBackfillInputs } from "./backfill-inputs";
import type { UpstreamView } from "./conditions";
import { evaluateFlowTriggers } from "./flow-trigger";
import { nonTerminalStates } from "./listened-states";
import { releaseStaleLocks } from "./locks";
import type { BackfillRequest, TriggerOutcome, TriggersObject, TriggerTarget, WebhookAnswer } from "./object";
import { advanceSchedules, countOccurrences, triggerKey } from "./schedule";
import { type Backfill, type TriggerRow, TriggerStore } from "./store";
import { applyFlow, FLOW, firstAfter, readFlow, reconcile, SCHEDULE } from "./sync";
import { WebhookGate, type WebhookSettings } from "./webhook-gate";
import { WindowStore } from "./window-store";

/** An outbox row that failed for a transient reason is retried this much later. */
const RETRY_MS = 5_000;
/** How long an upstream end is remembered per trigger: far longer than any redelivery. */
const SIGHTING_TTL_MS = 7 * 24 * 3_600_000;
/** Schedule passes in one turn when skipped firings keep releasing locks; the rest go to the next alarm. */
const MAX_PASSES = 20;

export class TriggersDurableObject extends DurableObject<Env> implements TriggersObject {
  private readonly store: TriggerStore;
  private readonly windows: WindowStore;
  private readonly gate: WebhookGate;
  private tenantId: string | undefined;
  private draining: Promise<boolean> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new TriggerStore(ctx.storage);
    this.windows = new WindowStore(ctx.storage.sql);
    this.gate = new WebhookGate(ctx.storage.sql, this.store);
    this.tenantId = this.store.meta("tenant");
  }

  // ---- clock: real time, unless a test has set it (then it moves only when told to) --------

  private now(): number {
    const frozen = this.store.meta("clock");
    return frozen === undefined ? Date.now() : Number(frozen);
  }

  /** Test hook: stops this object's clock at `at` (epoch ms); from then on only advanceClock moves it. */
  async setClock(at: number): Promise<void> {
    this.store.setMeta("clock", String(at));
  }

  /** Test hook: moves the clock forward, as if `ms` had passed. */
  async advanceClock(ms: number): Promise<number> {
    this.store.setMeta("clock", String(this.now() + ms));
    return this.now();
  }

  async clock(): Promise<number> {
    return this.now();
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Learns its tenant, and on first use loads every trigger of the tenant's flows from D1. */
  private async ready(tenantId: string): Promise<string> {
    if (this.tenantId && this.tenantId !== tenantId) throw new Error("trigger object used for another tenant");
    if (!this.tenantId) {
      this.tenantId = tenantId;
      this.store.setMeta("tenant", tenantId);
    }
    if (!this.store.meta("loaded")) {
      await reconcile(this.env, tenantId, this.store, () => this.now());
      this.store.setMeta("loaded", "1");
    }
    return tenantId;
  }

  /** A flow was written: apply its current definition from D1, then re-arm. Answers listenedStates. */
  async syncFlow(tenantId: string, namespace: string, flowId: string): Promise<string[]> {
    await this.ready(tenantId);
    applyFlow(this.store, namespace, flowId, await readFlow(this.env, tenantId, namespace, flowId), this.now());
    await this.arm();
    return this.listened();
  }

  /** The non-terminal states the tenant's active Flow triggers list (RUNNING, PAUSED…). */
  async listenedStates(tenantId: string): Promise<string[]> {
    await this.ready(tenantId);
    return this.listened();
  }

  private listened(): string[] {
    const states = new Set<string>();
    for (const row of this.store.ofType(FLOW)) {
      if (row.inactive || row.disabled) continue;
      for (const s of nonTerminalStates(row.definition.states)) states.add(s);
    }
    return [...states];
  }

  /** The minute cron: reconcile with D1, release stale locks, catch up on anything due, re-arm. */
  async rearm(tenantId: string): Promise<void> {
    await this.ready(tenantId);
    await reconcile(this.env, tenantId, this.store, () => this.now());
    await releaseStaleLocks(this.env, tenantId, this.store);
    this.windows.sweep(this.now(), SIGHTING_TTL_MS);
    this.gate.sweep(this.now());
    await this.work();
  }

  override async alarm(): Promise<void> {
    if (!this.tenantId) return;
    await this.work();
  }

  /**
   * Advances schedules and backfills, starts what is pending, and sets the next alarm. A firing
   * that could not start releases its Schedule's lock, so the schedule is looked at again at once.
   */
  private async work(): Promise<void> {
    const tenantId = this.tenantId;
    if (!tenantId) return;
    for (let pass = 1; ; pass++) {
      const more = await advanceSchedules(this.store, tenantId, this.now());
      const released = await this.drain();
      if (!released || pass >= MAX_PASSES) {
        await this.arm(more || released);
        return;
      }
    }
  }

  private async arm(immediately = false): Promise<void> {
    const candidates: number[] = [];
    const next = this.store.earliestNext();
    // In real time, however the object's clock reads: a frozen test clock then finds nothing new due.
    if (next !== null) candidates.push(Date.now() + Math.max(0, next - this.now()));
    if (immediately || this.store.hasRunningBackfill()) candidates.push(Date.now());
    if (this.store.pendingCount() > 0) candidates.push(Date.now() + RETRY_MS);
    const current = await this.ctx.storage.getAlarm();
    // An alarm already due is being delivered: moving or deleting it races that delivery (workerd
    // cancels the delivered run and logs it). Let it run; its work() arms again.
    if (current !== null && current <= Date.now()) return;
    if (!candidates.length) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    const at = Math.max(Math.min(...candidates), Date.now());
    if (current !== at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Starts every pending firing, one drain at a time; transient failures stay for the next alarm.
   * Says whether a firing that will never start released its Schedule's lock.
   */
  private async drain(): Promise<boolean> {
    while (this.draining) await this.draining;
    const run = this.drainOnce();
    this.draining = run;
    try {
      return await run;
    } finally {
      if (this.draining === run) this.draining = undefined;
    }
  }

  private async drainOnce(): Promise<boolean> {
    const tenantId = this.tenantId;
    if (!tenantId) return false;
    let released = false;
    for (let batch = this.store.pending(50); batch.length; batch = this.store.pending(50)) {
      let progressed = false;
      await Promise.all(
        batch.map(async ({ start }) => {
          try {
            const outcome = await launch(this.env, tenantId, start);
            // Read after the launch: the execution may already have ended and unlocked the row.
            const row = this.store.get(start.namespace, start.flowId, start.trigger.id);
            if (row) {
              const error = outcome.ok || outcome.skipped ? null : outcome.reason;
              const release = !outcome.ok && row.lastExecutionId === start.executionId;
              released ||= release;
              this.store.put({
                ...row,
                lastRunDate: outcome.ok ? this.now() : row.lastRunDate,
                lastExecutionId: release ? null : row.lastExecutionId,
                lastError: error,
              });
            }
            this.store.done(start.executionId);
            progressed = true;
          } catch (e) {
            console.error("starting a triggered execution failed; retrying", e);
            this.store.failedAttempt(start.executionId);
          }
        }),
      );
      if (!progressed) break;
    }
    return released;
  }

  // ---- Flow triggers -----------------------------------------------------------------------

  /**
   * An execution of the tenant ended: its own trigger may stop (stopAfter) or unlock (the end of
   * the execution holding a Schedule's lock, after which the ticks that fell meanwhile are handled
   * per recoverMissedSchedules), and every Flow trigger is evaluated against it.
   */
  async executionEnded(tenantId: string, upstream: UpstreamView & { trigger?: { id: string } }): Promise<number> {
    await this.ready(tenantId);
    const now = this.now();
    const own = upstream.trigger && this.store.get(upstream.namespace, upstream.flowId, upstream.trigger.id);
    const stop = !!own && !own.disabled && (own.definition.stopAfter ?? []).includes(upstream.state);
    const unlock = !!own && own.lastExecutionId === upstream.id;
    if (own && (stop || unlock)) {
      this.store.put({
        ...own,
        disabled: own.disabled || stop,
        lastExecutionId: unlock ? null : own.lastExecutionId,
        updatedAt: now,
      });
    }
    const fired = await evaluateFlowTriggers(this.store, this.windows, upstream, now);
    if (unlock) await this.work();
    else if (fired || stop) {
      if (fired) await this.drain();
      await this.arm();
    }
    // Nothing fired and nothing changed: the alarm already stands for what it stood for.
    return fired;
  }

  /** An execution of the tenant moved to a non-terminal state: Flow triggers listing it fire. */
  async executionStateChanged(tenantId: string, upstream: UpstreamView): Promise<number> {
    await this.ready(tenantId);
    const fired = await evaluateFlowTriggers(this.store, this.windows, upstream, this.now());
    if (fired) {
      await this.drain();
      await this.arm();
    }
    return fired;
  }

  // ---- webhooks ----------------------------------------------------------------------------

  /** The tenant's webhook settings (rate limit). */
  async webhookSettings(tenantId: string): Promise<WebhookSettings> {
    await this.ready(tenantId);
    return this.gate.settings();
  }

  async setWebhookSettings(tenantId: string, settings: WebhookSettings): Promise<WebhookSettings> {
    await this.ready(tenantId);
    return this.gate.setSettings(settings);
  }

  /**
   * Decides the execution id of a webhook delivery. A repeated Idempotency-Key within 24 hours gets
   * the first delivery's id (and spends no token); a new delivery spends one token of the bucket.
   * `knownRevision` is the revision of a flow the Worker kept from an earlier delivery: if this
   * object has seen a newer one (or the trigger is gone or inactive), nothing is taken and the
   * answer is "stale", so the Worker reads the flow from D1 and tries once more.
   */
  async admitWebhook(
    tenantId: string,
    target: TriggerTarget,
    idempotencyKey?: string,
    knownRevision?: number,
  ): Promise<WebhookAnswer> {
    await this.ready(tenantId);
    const row = this.store.get(target.namespace, target.flowId, target.triggerId);
    if (knownRevision !== undefined && (!row || row.inactive || row.revision > knownRevision)) return { kind: "stale" };
    if (row?.disabled) return { kind: "disabled" };
    const key = idempotencyKey ? `${triggerKey(tenantId, target)}|${idempotencyKey}` : undefined;
    return this.gate.admit(key, this.now());
  }

  // ---- triggers API ------------------------------------------------------------------------

  async list(tenantId: string): Promise<TriggerRow[]> {
    await this.ready(tenantId);
    return this.store.all();
  }

  private async update(
    tenantId: string,
    t: TriggerTarget,
    change: (row: TriggerRow, now: number) => TriggerRow | string,
  ): Promise<TriggerOutcome> {
    await this.ready(tenantId);
    const row = this.store.get(t.namespace, t.flowId, t.triggerId);
    if (!row)
      return { ok: false, reason: "not_found", message: `Trigger ${t.namespace}.${t.flowId}.${t.triggerId} not found` };
    const next = change(row, this.now());
    if (typeof next === "string") return { ok: false, reason: "invalid", message: next };
    this.store.put({ ...next, updatedAt: this.now() });
    await this.work();
    return { ok: true, row: this.store.get(t.namespace, t.flowId, t.triggerId) ?? next };
  }

  /** Enabling again starts from the next occurrence after now: a disabled period is not "missed". */
  setDisabled(tenantId: string, t: TriggerTarget, disabled: boolean): Promise<TriggerOutcome> {
    return this.update(tenantId, t, (row, now) => {
      if (row.disabled === disabled) return row;
      const reopened = row.type === SCHEDULE && !disabled ? firstAfter(row.definition, now) : undefined;
      return {
        ...row,
        disabled,
        nextDate: reopened ? reopened.next : row.nextDate,
        lastError: reopened?.error ?? null,
      };
    });
  }

  /**
   * Clears a stuck lock and the last error, as if the locking execution had ended: the ticks that
   * fell meanwhile are handled per recoverMissedSchedules. A schedule with no next date is planned
   * afresh from now.
   */
  unlock(tenantId: string, t: TriggerTarget): Promise<TriggerOutcome> {
    return this.update(tenantId, t, (row, now) => {
      const planned =
        row.type === SCHEDULE && !row.inactive && row.nextDate === null ? firstAfter(row.definition, now) : undefined;
      return {
        ...row,
        lastExecutionId: null,
        lastError: planned?.error ?? null,
        nextDate: planned ? planned.next : row.nextDate,
      };
    });
  }

  async createBackfill(tenantId: string, t: TriggerTarget, req: BackfillRequest): Promise<TriggerOutcome> {
    await this.ready(tenantId);
    const id = newId();
    // Sealed before anything is stored: the flow as it is now says which inputs are SECRET.
    const declared = req.inputs && (await readFlow(this.env, tenantId, t.namespace, t.flowId))?.flow.inputs;
    const secret = await sealBackfillInputs(this.env, { tenantId, ...t, backfillId: id }, declared, req.inputs);
    return this.update(tenantId, t, (row, now) => {
      if (row.type !== SCHEDULE) return "Only Schedule triggers can be backfilled";
      if (row.backfill && row.backfill.currentDate <= row.backfill.end) return "A backfill is already running";
      const start = Date.parse(req.start);
      const end = req.end ? Date.parse(req.end) : now;
      if (Number.isNaN(start) || Number.isNaN(end) || start > end) return "backfill: start must be a date before end";
      const backfill: Backfill = {
        id,
        start,
        end,
        currentDate: start,
        paused: false,
        inputs: secret.inputs,
        ...(Object.keys(secret.sealed).length ? { sealedInputs: secret.sealed } : {}),
        labels: req.labels,
        done: 0,
        total: countOccurrences(row.definition, start, end, 100_000),
      };
      return { ...row, backfill };
    });
  }

  setBackfillPaused(tenantId: string, t: TriggerTarget, paused: boolean): Promise<TriggerOutcome> {
    return this.update(tenantId, t, (row) =>
      row.backfill ? { ...row, backfill: { ...row.backfill, paused } } : "This trigger has no backfill",
    );
  }

  deleteBackfill(tenantId: string, t: TriggerTarget): Promise<TriggerOutcome> {
    return this.update(tenantId, t, (row) =>
      row.backfill ? { ...row, backfill: null } : "This trigger has no backfill",
    );
  }
}
