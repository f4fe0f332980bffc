// The execution Durable Object's work that never sits between two task runs: draining the outbox
// to D1, announcing the end, and keeping the alarm armed for what is due (retries, sleeps), for a
// watchdog while work is in flight, and as a backstop while anything is still unsent.
import type { EngineState } from "../engine/types";
import type { ExecutionScope } from "../storage/files";
import type { ExecutionJson } from "./json";
import { announceEnd } from "./notices";
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
}

export class Background {
  private draining?: Promise<void>;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly store: ExecutionStore,
  ) {}

  async armAlarm(dueAt: number | undefined, working: boolean): Promise<void> {
    const unsent = this.store.outboxSize() > 0 || this.store.notices().length > 0;
    const candidates = [
      dueAt,
      working ? Date.now() + WATCHDOG_MS : undefined,
      unsent ? Date.now() + RETRY_MS : undefined,
    ].filter((t): t is number => t !== undefined);
    const current = await this.ctx.storage.getAlarm();
    if (!candidates.length) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    const at = Math.min(...candidates);
    if (current === null || current !== at) await this.ctx.storage.setAlarm(at);
  }

  /** Tells the rest of the system that this execution ended; retried on an alarm until done. */
  deliverNotices(subject: Subject): Promise<void> {
    const keys = this.store.notices();
    if (!keys.length) return Promise.resolve();
    const work = (async () => {
      for (const key of keys) {
        try {
          await announceEnd(this.env, subject.state, subject.json());
          this.store.removeNotice(key);
        } catch (error) {
          console.error("delivering the end of an execution failed; retrying on an alarm", error);
          await this.retryLater();
          return;
        }
      }
    })();
    this.ctx.waitUntil(work);
    return work;
  }

  drainSoon(subject: Subject): void {
    if (this.store.outboxSize()) setTimeout(() => this.ctx.waitUntil(this.drain(subject)), DRAIN_DELAY_MS);
  }

  drain(subject: Subject): Promise<void> {
    this.draining ??= (async () => {
      try {
        await drainOutbox(this.env.DB, this.store, subject.scope);
      } catch (error) {
        console.error("outbox drain failed; retrying on an alarm", error);
        await this.retryLater();
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  private async retryLater(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const retryAt = Date.now() + RETRY_MS;
    if (current === null || current > retryAt) await this.ctx.storage.setAlarm(retryAt);
  }
}
