// What the rest of the Worker may ask of a tenant's trigger object, and how it reaches one: the
// flows API after a write, the minute cron, the webhook route, the triggers API and the end of
// every execution. TriggersDurableObject implements this interface; callers hold only the interface.
import type { UpstreamView } from "./conditions";
import type { TriggerRow } from "./store";
import type { WebhookAdmission, WebhookSettings } from "./webhook-gate";

export type { WebhookAdmission, WebhookSettings } from "./webhook-gate";
export type WebhookAnswer = WebhookAdmission | { kind: "stale" };

export interface TriggerTarget {
  namespace: string;
  flowId: string;
  triggerId: string;
}

export interface BackfillRequest {
  start: string;
  end?: string;
  inputs?: Record<string, unknown>;
  labels?: { key: string; value: string }[];
}

export type TriggerOutcome =
  | { ok: true; row: TriggerRow }
  | { ok: false; reason: "not_found" | "invalid"; message: string };

export interface TriggersObject {
  /** A flow was written: apply its current definition from D1, then re-arm; answers listenedStates. */
  syncFlow(tenantId: string, namespace: string, flowId: string): Promise<string[]>;
  /** The non-terminal states (RUNNING, PAUSED…) the tenant's active Flow triggers list. */
  listenedStates(tenantId: string): Promise<string[]>;
  /** An execution of the tenant moved to a non-terminal state: the Flow triggers listing it fire. */
  executionStateChanged(tenantId: string, upstream: UpstreamView): Promise<number>;
  /** The minute cron: reconcile with D1, release stale locks, catch up on anything due, re-arm. */
  rearm(tenantId: string): Promise<void>;
  /** An execution of the tenant ended: Flow triggers listening for it fire; its lock is released. */
  executionEnded(tenantId: string, upstream: UpstreamView & { trigger?: { id: string } }): Promise<number>;
  admitWebhook(
    tenantId: string,
    target: TriggerTarget,
    idempotencyKey?: string,
    knownRevision?: number,
  ): Promise<WebhookAnswer>;
  webhookSettings(tenantId: string): Promise<WebhookSettings>;
  setWebhookSettings(tenantId: string, settings: WebhookSettings): Promise<WebhookSettings>;
  list(tenantId: string): Promise<TriggerRow[]>;
  setDisabled(tenantId: string, t: TriggerTarget, disabled: boolean): Promise<TriggerOutcome>;
  unlock(tenantId: string, t: TriggerTarget): Promise<TriggerOutcome>;
  createBackfill(tenantId: string, t: TriggerTarget, req: BackfillRequest): Promise<TriggerOutcome>;
  setBackfillPaused(tenantId: string, t: TriggerTarget, paused: boolean): Promise<TriggerOutcome>;
  deleteBackfill(tenantId: string, t: TriggerTarget): Promise<TriggerOutcome>;
  /** Test hooks: stop this object's clock at `at`, move it forward, read it. */
  setClock(at: number): Promise<void>;
  advanceClock(ms: number): Promise<number>;
  clock(): Promise<number>;
}

export function triggersStub(env: Env, tenantId: string): TriggersObject {
  return env.TRIGGERS.get(env.TRIGGERS.idFromName(tenantId));
}
