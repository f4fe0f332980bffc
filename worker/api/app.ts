// The Hono application: one middleware authenticates every request (worker/auth), each resource
// is a sub-app with chained routes, and one onError/notFound pair shapes every failure.
import { Hono } from "hono";
import { authenticate } from "../auth/middleware";
import type { AppEnv } from "./context";
import { onError, onNotFound } from "./errors";
import { flows } from "./flows";
import { apiKeys } from "./keys";
import { operator } from "./operator";

export const app = new Hono<AppEnv>()
  .use(authenticate)
  .get("/health", (c) => c.json({ status: "UP" as const }, 200))
  .route("/api/v1/operator", operator)
  // Tenant resources: the auth middleware has already checked that the key belongs to `:tenant`.
  // Mount each resource sub-app here, one line each (executions, taskruns, logs, metrics, …).
  .route("/api/v1/:tenant/flows", flows)
  .route("/api/v1/:tenant/api-keys", apiKeys);

app.onError(onError);
app.notFound(onNotFound);

export type AppType = typeof app;
