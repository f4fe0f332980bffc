// @peregrine/sdk: a typed client for Peregrine's API. ESM, no dependency beyond fetch; runs in
// Node 22, browsers and Workers.
//
//   const p = new Peregrine({ url: "http://127.0.0.1:8787", tenant: "main", apiKey });
//   await p.flows.save(yaml);
//   const ex = await p.executions.create("dev", "hello", { inputs: { n: 3 }, wait: true });
import { ExecutionsBulk } from "./bulk.ts";
import { Executions } from "./executions.ts";
import { Flows } from "./flows.ts";
import { Http, type PeregrineOptions } from "./http.ts";
import { ApiKeys } from "./keys.ts";
import { Namespaces } from "./namespaces.ts";
import { TaskRuns } from "./taskruns.ts";
import { Triggers } from "./triggers.ts";

export class Peregrine {
  readonly flows: Flows;
  readonly executions: Executions;
  readonly taskRuns: TaskRuns;
  /** Kill, restart, replay, delete or label many executions, by ids or by filter. */
  readonly bulk: ExecutionsBulk;
  readonly triggers: Triggers;
  /** KV, secrets and files of a namespace. */
  readonly namespaces: Namespaces;
  /** The tenant's API keys. */
  readonly apiKeys: ApiKeys;
  /** The transport, for calls the SDK has no method for yet: `p.http.json("kv/...")`. */
  readonly http: Http;

  constructor(options: PeregrineOptions) {
    this.http = new Http(options);
    this.flows = new Flows(this.http);
    this.executions = new Executions(this.http);
    this.taskRuns = new TaskRuns(this.http, this.executions);
    this.bulk = new ExecutionsBulk(this.http);
    this.triggers = new Triggers(this.http);
    this.namespaces = new Namespaces(this.http);
    this.apiKeys = new ApiKeys(this.http);
  }

  get tenant(): string {
    return this.http.tenant;
  }
}

export type * from "./api-types.ts";
export {
  type BulkAction,
  type BulkOutcome,
  type BulkReport,
  type BulkTarget,
  ExecutionsBulk,
} from "./bulk.ts";
export { isPeregrineError, PeregrineError, type PeregrineErrorCode } from "./errors.ts";
export { Executions, isTerminalState } from "./executions.ts";
export { Flows } from "./flows.ts";
export type { CallInit, FetchLike, PeregrineOptions, Query } from "./http.ts";
export { Http } from "./http.ts";
export { ApiKeys } from "./keys.ts";
export { type KvEntry, type KvType, type NamespaceFile, Namespaces, type SecretEntry } from "./namespaces.ts";
export { readEvents, type ServerSentEvent } from "./sse.ts";
export { type IterationResult, type ResultOptions, type TaskRunMatch, TaskRuns, TaskRunView } from "./taskruns.ts";
export { type BackfillOptions, Triggers, type TriggerTarget } from "./triggers.ts";
export type * from "./types.ts";
