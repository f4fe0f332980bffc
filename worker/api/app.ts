// The Hono application: one middleware authenticates every request (worker/auth), each resource
// is a sub-app with chained routes, and one onError/notFound pair shapes every failure.
import { Hono } from "hono";
import { authenticate } from "../auth/middleware";
import { routingPath } from "../auth/tenantless";
import { limitBodies } from "./body-limit";
import type { AppEnv } from "./context";
import { docsApi } from "./docs";
import { onError, onNotFound } from "./errors";
import { evalApi } from "./eval";
import { executions } from "./executions";
import { filesApi } from "./files";
import { flowGraphApi } from "./flow-graph";
import { flows } from "./flows";
import { flowsBulkApi } from "./flows-bulk";
import { apiKeys } from "./keys";
import { kvApi } from "./kv";
import { logsApi, metricsApi } from "./logs";
import { metricsIndexApi } from "./metrics";
import { namespaceFilesApi } from "./namespace-files";
import { operator } from "./operator";
import { secretsApi } from "./secrets";
import { loginCodesApi, sessionApi } from "./session";
import { settingsApi } from "./settings";
import { executionTaskRunsApi, taskRunsApi } from "./taskruns";
import { triggersApi } from "./triggers";
import { webhooks } from "./webhook";

// The router sees tenant-less paths (Kestra 0.21's `/api/v1/flows/…`) with a tenant segment put in.
export const app = new Hono<AppEnv>({ getPath: routingPath })
  .use(authenticate)
  .use(limitBodies)
  .get("/health", (c) => c.json({ status: "UP" as const }, 200))
  .route("/api/v1/operator", operator)
  .route("/api/v1/auth", sessionApi)
  .route("/api/v1", docsApi)
  // Tenant resources: the auth middleware has already checked that the key belongs to `:tenant`.
  // Mount each resource sub-app here, one line each (executions, taskruns, logs, metrics, …).
  // Before flows: its POST /:namespace would take /graph.
  .route("/api/v1/:tenant/flows", flowGraphApi)
  // Before flows: its DELETE /:namespace/:id would take /delete/by-ids.
  .route("/api/v1/:tenant/flows", flowsBulkApi)
  .route("/api/v1/:tenant/flows", flows)
  .route("/api/v1/:tenant/api-keys", apiKeys)
  .route("/api/v1/:tenant/login-codes", loginCodesApi)
  .route("/api/v1/:tenant/executions/webhook", webhooks)
  .route("/api/v1/:tenant/executions", filesApi)
  .route("/api/v1/:tenant/executions", executionTaskRunsApi)
  .route("/api/v1/:tenant/executions", evalApi)
  .route("/api/v1/:tenant/executions", executions)
  .route("/api/v1/:tenant/taskruns", taskRunsApi)
  .route("/api/v1/:tenant/logs", logsApi)
  .route("/api/v1/:tenant/metrics", metricsIndexApi)
  .route("/api/v1/:tenant/metrics", metricsApi)
  .route("/api/v1/:tenant/namespaces", kvApi)
  .route("/api/v1/:tenant/namespaces", secretsApi)
  .route("/api/v1/:tenant/namespaces", namespaceFilesApi)
  .route("/api/v1/:tenant/triggers", triggersApi)
  .route("/api/v1/:tenant/settings", settingsApi);

app.onError(onError);
app.notFound(onNotFound);

export type AppType = typeof app;
