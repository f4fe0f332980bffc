// The Worker's entry: the HTTP app, the cron handler and the Durable Object classes it exports.
import { app } from "./api/app";
import { sweepStalledExecutions } from "./execution/sweeper";
import { rearmSchedulers } from "./triggers/client";

export { FlowConcurrencyDurableObject } from "./concurrency/durable-object";
export { TenantLimitsDurableObject } from "./concurrency/tenant-limits-object";
export { ExecutionDurableObject } from "./execution/durable-object";
export { TriggersDurableObject } from "./triggers/durable-object";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweepStalledExecutions(env));
    ctx.waitUntil(rearmSchedulers(env));
  },
} satisfies ExportedHandler<Env>;
