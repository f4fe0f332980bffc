// How one route is described for the OpenAPI document: its Hono path, query and body (the zod
// schemas the route validates with, where it has them), and its answers. The tables in
// operations-*.ts list every route; document.ts turns them into OpenAPI 3.1.
import type * as z from "zod";

export type Method = "get" | "post" | "put" | "delete";

export const TAGS = {
  Flows: "Flows: YAML sources saved as revisions, searched, validated.",
  Executions: "Executions: start, read, search, follow (server-sent events), control and bulk actions.",
  "Task runs": "Task runs: the search index, and lookups read from the execution's object.",
  Files: "Files of an execution (outputs, inputs) stored in R2.",
  Logs: "Logs of an execution, searched, downloaded or followed (server-sent events).",
  Metrics: "Metrics of executions and their aggregates.",
  Triggers: "Triggers: schedules, webhooks and flow triggers, their state and backfills.",
  "KV store": "The namespace key-value store.",
  Secrets: "Namespace secrets (write-only values).",
  "Namespace files": "Files kept per namespace.",
  Webhook: "Webhook triggers: authenticated by the trigger's own key, no API key.",
  "API keys": "The tenant's API keys.",
  Auth: "Dashboard sign-in: a session cookie from an API key or a one-time code.",
  Settings: "Tenant settings.",
  Operator: "Operator endpoints (sign up tenants), guarded by the operator secret.",
  Meta: "Liveness and this document.",
} as const;

export type Tag = keyof typeof TAGS;

/** How a request is authenticated: an API key or session (the default), nothing, or the operator secret. */
export type Auth = "key" | "public" | "operator";

export type Body =
  | { kind: "json"; schema: z.ZodType; required?: boolean }
  | { kind: "yaml"; description: string }
  | { kind: "form"; description: string }
  | { kind: "any"; description: string };

export type Answer =
  | { description: string; json?: z.ZodType }
  | { description: string; stream: { events: string } }
  | { description: string; media: string };

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;

export interface Operation {
  method: Method;
  /** Hono's form, as the app registers it: `/api/v1/:tenant/flows/:namespace/:id`. */
  path: string;
  tag: Tag;
  summary: string;
  description?: string;
  auth?: Auth;
  query?: z.ZodObject;
  /** Request headers the route reads, name → description. */
  headers?: Record<string, string>;
  body?: Body;
  responses: Partial<Record<200 | 201 | 202 | 204, Answer>>;
  /** Failures beyond those every route may answer (401 without a key, 404, 422 on a bad query or body). */
  errors?: readonly ErrorStatus[];
}

/** Path parameters: one description per name, shared by every route that has it. */
export const PATH_PARAMS: Record<string, string> = {
  tenant: "The tenant; the API key or session must belong to it.",
  namespace: "A flow namespace, e.g. `company.team`.",
  id: "The flow id (flows) or the API key id (api-keys).",
  flowId: "The flow id.",
  executionId: "The execution id.",
  taskRunId: "The task run id.",
  taskId: "The task id.",
  triggerId: "The trigger id.",
  metric: "The metric name.",
  key: "The key: a KV key, a secret's name, or the webhook trigger's key.",
};
