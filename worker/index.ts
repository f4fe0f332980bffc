// The Worker's entry: the HTTP app, the cron handler and the Durable Object classes it exports.
import { app } from "./api/app";
import { sweepStalledExecutions } from "./execution/sweeper";

export { ExecutionDurableObject } from "./execution/durable-object";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweepStalledExecutions(env));
  },
} satisfies ExportedHandler<Env>;
