// Triggers: search the tenant's triggers, enable or disable one (it stays so across flow saves),
// unlock a schedule whose execution holds its lock, and backfill a schedule (start, pause,
// resume, delete). A webhook trigger's URL is built here too, from the server and the key.
import { type Http, seg } from "./http.ts";
import type { Label, Paged, TriggerContextJson, TriggerItemJson } from "./types.ts";

export interface TriggerTarget {
  namespace: string;
  flowId: string;
  triggerId: string;
}

export interface BackfillOptions {
  start: Date | string;
  /** Default: now. */
  end?: Date | string;
  inputs?: Record<string, unknown>;
  labels?: Label[];
}

const iso = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : d);
const targetOf = (t: TriggerTarget): TriggerTarget => ({
  namespace: t.namespace,
  flowId: t.flowId,
  triggerId: t.triggerId,
});

export class Triggers {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  search(
    query: { q?: string; namespace?: string; flowId?: string; page?: number; size?: number } = {},
  ): Promise<Paged<TriggerItemJson>> {
    return this.http.json("triggers/search", { query });
  }

  setDisabled(target: TriggerTarget, disabled: boolean): Promise<TriggerContextJson> {
    return this.http.json("triggers", { method: "PUT", json: { ...targetOf(target), disabled } });
  }

  unlock(target: TriggerTarget): Promise<TriggerContextJson> {
    return this.http.json(`triggers/${seg(target.namespace)}/${seg(target.flowId)}/${seg(target.triggerId)}/unlock`, {
      method: "POST",
    });
  }

  /** Starts a backfill of a schedule: one execution per occurrence from `start` to `end`. */
  backfill(target: TriggerTarget, options: BackfillOptions): Promise<TriggerContextJson> {
    const backfill = {
      start: iso(options.start),
      end: iso(options.end) ?? null,
      inputs: options.inputs ?? null,
      labels: options.labels ?? null,
    };
    return this.http.json("triggers", { method: "PUT", json: { ...targetOf(target), backfill } });
  }

  pauseBackfill(target: TriggerTarget): Promise<TriggerContextJson> {
    return this.http.json("triggers/backfill/pause", { method: "PUT", json: targetOf(target) });
  }

  resumeBackfill(target: TriggerTarget): Promise<TriggerContextJson> {
    return this.http.json("triggers/backfill/unpause", { method: "PUT", json: targetOf(target) });
  }

  deleteBackfill(target: TriggerTarget): Promise<TriggerContextJson> {
    return this.http.json("triggers/backfill/delete", { method: "POST", json: targetOf(target) });
  }

  /** The URL that starts the flow through its Webhook trigger (anyone holding the key may call it); `origin` defaults to the client's server. */
  webhookUrl(namespace: string, flowId: string, key: string, origin?: string): string {
    const path = `/api/v1/${seg(this.http.tenant)}/executions/webhook/${seg(namespace)}/${seg(flowId)}/${seg(key)}`;
    return `${(origin ?? this.http.base).replace(/\/+$/, "")}${path}`;
  }
}
