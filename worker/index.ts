// The Worker's entry: the HTTP app, the cron handler and the Durable Object classes it exports.
import { app } from "./api/app";

export { ExecutionDurableObject } from "./execution/durable-object";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
