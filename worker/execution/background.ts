// The execution Durable Object's work that never sits between two task runs: draining the outbox
// to D1, announcing the end, and keeping the alarm armed for what is due (retries, sleeps), for a
// watchdog while work is in flight, and as a backstop while anything is still unsent.
//
// Each commit of a new object's SQLite costs a file sync locally, so the tail of a run is folded
// into as few as possible: a delivered end notice is forgotten in the same transaction that
// acknowledges the drained outbox, and the alarm is cleared in that same turn.
import type { EngineState } from "../engine/types";
import type { ExecutionScope } from "../storage/files";
import type { ExecutionJson } from "./json";
import { announce } from "./notices";
import { drainOutbox } from "./outbox";
import type { ExecutionStore } from "./store";

/** If the object is evicted mid-run, this alarm brings it back to finish the work. */
const WATCHDOG_MS = 60_000;
const RETRY_MS = 5_000;
/** The drain starts a moment after a run settles, so replies waiting for the run go out first. */
const DRAIN_DELAY_MS = 50;

export interface Subject {
  state: EngineState;
  scope: ExecutionScope;
  json(): ExecutionJson;
  /** The earliest retry, sleep or timeout still due. */
  dueAt(): number | undefined;
  /** Whether tasks are in flight (the watchdog stays armed). */
  working(): boolean;
}

export class Background {
  private draining?: Promise<void>;
  private drainScheduled = false;
  private arming: Promise<void> = Promise.resolve();
  /** End notices delivered but still stored: forgotten with the next acknowledgement. */
  private readonly delivered = new Set<string>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly store: ExecutionStore,
  ) {}

  /** Arms the alarm for the earliest of what is due; calls run one after another, last one wins. */
  armAlarm(dueAt: number | undefined, working: boolean): Promise<void> {
    this.arming = this.arming.then(() => this.armNow(dueAt, working));
    return this.arming;
  }

  private async armNow(dueAt: number | undefined, working: boolean): Promise<void> {
    const unsent = this.store.hasUnsent() || this.pendingNotices().length > 0;
    const candidates = [
      dueAt,
      working ? Date.now() + WATCHDOG_MS : undefined,
      unsent ? Date.now() + RETRY_MS : undefined,
    ].filter((t): t is number => t !== undefined);
    const current = await this.ctx.storage.getAlarm();
    // An alarm already due is being delivered: moving or deleting it now races that delivery, and
    // workerd cancels the delivered run ("alarm handler canceled"). Let it run; wakeUp re-arms.
    if (current !== null && current <= Date.now()) return;
    if (!candidates.length) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    const at = Math.min(...candidates);
    // A backstop or watchdog already set a little later is good enough: rewriting it costs a commit.
    if (current !== null && !dueAt && current >= Date.now() && current <= at) return;
    if (current !== at) await this.ctx.storage.setAlarm(at);
  }

  private pendingNotices(): string[] {
    return this.store.notices().filter((key) => !this.delivered.has(key));
  }

  /** Tells the rest of the system of this execution's end and transitions; retried on an alarm until done. */
  deliverNotices(subject: Subject): Promise<void> {
    const keys = this.pendingNotices();
    if (!keys.length) return Promise.resolve();
    const work = (async () => {
      for (const key of keys) {
        try {
          await announce(this.env, subject.state, subject.json(), key);
          this.delivered.add(key);
        } catch (error) {
          console.error("delivering the end of an execution failed; retrying on an alarm", error);
          await this.retryLater();
          return;
        }
      }
      // With a drain on its way, the notice goes with its acknowledgement; otherwise now.
      if (!this.drainScheduled && !this.draining) this.forgetDelivered(subject);
    })();
    this.ctx.waitUntil(work);
    return work;
  }

  private forgetDelivered(subject: Subject): void {
    if (!this.delivered.size) return;
    const keys = [...this.delivered];
    this.store.transaction(() => {
      for (const key of keys) this.store.removeNotice(key);
    });
    for (const key of keys) this.delivered.delete(key);
    void this.armAlarm(subject.dueAt(), subject.working());
  }

  drainSoon(subject: Subject): void {
    if (!this.store.hasUnsent() || this.drainScheduled) return;
    this.drainScheduled = true;
    setTimeout(() => {
      this.drainScheduled = false;
      this.ctx.waitUntil(this.drain(subject));
    }, DRAIN_DELAY_MS);
  }

  drain(subject: Subject): Promise<void> {
    this.draining ??= (async () => {
      try {
        const forgotten = [...this.delivered];
        await drainOutbox(this.env.DB, this.store, subject.scope, () => {
          for (const key of forgotten) this.store.removeNotice(key);
        });
        for (const key of forgotten) this.delivered.delete(key);
        // A notice delivered while this drain was in flight has no drain left to go with.
        if (this.delivered.size && !this.drainScheduled) this.forgetDelivered(subject);
        else void this.armAlarm(subject.dueAt(), subject.working());
      } catch (error) {
        console.error("outbox drain failed; retrying on an alarm", error);
        await this.retryLater();
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  /** An alarm soon, in line with every other arming, so a later clear cannot overtake it. */
  private retryLater(): Promise<void> {
    this.arming = this.arming.then(async () => {
      const current = await this.ctx.storage.getAlarm();
      const retryAt = Date.now() + RETRY_MS;
      if (current === null || current > retryAt) await this.ctx.storage.setAlarm(retryAt);
    });
    return this.arming;
  }
}
