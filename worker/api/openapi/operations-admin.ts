// The OpenAPI description of the namespace stores (KV, secrets, files), triggers, the webhook,
// API keys, sign-in, settings, the operator endpoints and this document itself.
import * as z from "zod";
import { tenantLimitsSettings } from "../../concurrency/tenant-limits";
import { createBody } from "../keys";
import { createKeyBody, createTenantBody } from "../operator";
import { signInBody } from "../session";
import { webhookSettings } from "../settings";
import { bulkDisable, target, updateBody } from "../triggers";
import {
  executionSummarySchema,
  labelSchema,
  objectSchema,
  stateSchema,
  triggerContextSchema,
  triggerItemSchema,
} from "./shapes";
import type { Operation } from "./spec";

const T = "/api/v1/:tenant";
const ok = (description: string, json?: z.ZodType) => ({ 200: { description, json } });
const gone = { 204: { description: "Done." } };

const apiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const newApiKey = apiKey.extend({ key: z.string().meta({ description: "The key itself, shown once, never stored." }) });

const kvEntry = z.object({
  key: z.string(),
  type: z.string(),
  creationDate: z.string(),
  updateDate: z.string(),
  expirationDate: z.string().optional(),
});

const fileAttributes = z.object({
  fileName: z.string(),
  type: z.enum(["File", "Directory"]),
  size: z.number(),
  lastModifiedTime: z.number().nullable(),
  creationTime: z.number().nullable(),
  metadata: z.record(z.string(), z.string()),
});

const limits = tenantLimitsSettings.extend({ usage: z.object({ running: z.number().int() }) });
const session = z.object({ tenant: z.string(), expiresAt: z.string() });
const filePath = (required: boolean) =>
  z.object({
    path: required
      ? z.string().meta({ description: "The file's path, e.g. `/scripts/a.py`." })
      : z.string().optional().meta({ description: "A directory's path (default `/`)." }),
  });

const webhookAnswer = executionSummarySchema
  .pick({ tenantId: true, id: true, namespace: true, flowId: true, flowRevision: true, trigger: true, outputs: true })
  .extend({ labels: z.array(labelSchema), state: stateSchema.partial(), url: z.string() });

const webhook = (method: "get" | "post" | "put"): Operation => ({
  method,
  path: `${T}/executions/webhook/:namespace/:flowId/:key`,
  tag: "Webhook",
  auth: "public",
  summary: `Start an execution from a Webhook trigger (${method.toUpperCase()})`,
  description:
    "No API key: the last segment is the trigger's key. The body (JSON when it parses), headers and query are the trigger's variables. An `Idempotency-Key` header maps repeats to the first delivery's execution for 24 hours.",
  headers: { "Idempotency-Key": "Repeats with the same key start one execution." },
  ...(method === "get" ? {} : { body: { kind: "any", description: "Any body: JSON, text or form." } }),
  responses: {
    200: {
      description: "The execution started (or, with `wait` and `returnOutputs`, the flow's outputs).",
      json: webhookAnswer,
    },
    204: { description: "The trigger's conditions did not match: nothing started." },
  },
  errors: [409, 413, 429],
});

const nsFiles = (method: "get" | "post" | "delete", summary: string): Operation => ({
  method,
  path: `${T}/namespaces/:namespace/files`,
  tag: "Namespace files",
  summary,
  query: filePath(true),
  ...(method === "post"
    ? { body: { kind: "form", description: "multipart/form-data with the file as part `fileContent`." } }
    : {}),
  responses:
    method === "get"
      ? { 200: { description: "The file's bytes.", media: "application/octet-stream" } }
      : { 200: { description: "Done." } },
  errors: [400, 413],
});

const backfill = (path: string, summary: string, method: "put" | "post"): Operation => ({
  method,
  path: `${T}/triggers/backfill/${path}`,
  tag: "Triggers",
  summary,
  body: { kind: "json", required: true, schema: target },
  responses: ok("The trigger's context.", triggerContextSchema),
});

export const adminOperations: Operation[] = [
  // KV store
  {
    method: "get",
    path: `${T}/namespaces/:namespace/kv`,
    tag: "KV store",
    summary: "List a namespace's keys",
    responses: ok("The keys, without values.", z.array(kvEntry)),
  },
  {
    method: "get",
    path: `${T}/namespaces/:namespace/kv/:key`,
    tag: "KV store",
    summary: "Read a value",
    responses: ok("The value and its type.", z.object({ type: z.string(), value: z.unknown() })),
  },
  {
    method: "put",
    path: `${T}/namespaces/:namespace/kv/:key`,
    tag: "KV store",
    summary: "Write a value",
    query: z.object({ ttl: z.string().optional().meta({ description: "ISO-8601 duration, e.g. PT1H." }) }),
    headers: { ttl: "ISO-8601 duration; the same as the query parameter." },
    body: { kind: "any", description: "The value: JSON when it parses as JSON, text otherwise." },
    responses: gone,
  },
  {
    method: "delete",
    path: `${T}/namespaces/:namespace/kv/:key`,
    tag: "KV store",
    summary: "Delete a value",
    responses: ok("Whether a value was deleted.", z.boolean()),
  },
  // Secrets
  {
    method: "get",
    path: `${T}/namespaces/:namespace/secrets`,
    tag: "Secrets",
    summary: "List a namespace's secret names (never values)",
    responses: ok(
      "The names.",
      z.object({
        readOnly: z.boolean(),
        results: z.array(z.object({ key: z.string(), updateDate: z.string() })),
        total: z.number().int(),
      }),
    ),
  },
  {
    method: "put",
    path: `${T}/namespaces/:namespace/secrets/:key`,
    tag: "Secrets",
    summary: "Set a secret",
    body: { kind: "any", description: "The value, as text (not empty)." },
    responses: gone,
  },
  {
    method: "delete",
    path: `${T}/namespaces/:namespace/secrets/:key`,
    tag: "Secrets",
    summary: "Delete a secret",
    responses: gone,
  },
  // Namespace files
  nsFiles("get", "Download a namespace file"),
  nsFiles("post", "Upload a namespace file"),
  nsFiles("delete", "Delete a namespace file or directory"),
  {
    method: "get",
    path: `${T}/namespaces/:namespace/files/directory`,
    tag: "Namespace files",
    summary: "List a directory",
    query: filePath(false),
    responses: ok("Its files and directories.", z.array(fileAttributes)),
  },
  {
    method: "get",
    path: `${T}/namespaces/:namespace/files/stats`,
    tag: "Namespace files",
    summary: "A file's or directory's attributes",
    query: filePath(false),
    responses: ok("The attributes.", fileAttributes),
  },
  // Triggers
  {
    method: "get",
    path: `${T}/triggers/search`,
    tag: "Triggers",
    summary: "Search triggers",
    query: z.object({
      q: z.string().optional(),
      namespace: z.string().optional(),
      flowId: z.string().optional(),
      page: z.coerce.number().int().min(1).optional(),
      size: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    responses: ok("A page of triggers.", z.object({ results: z.array(triggerItemSchema), total: z.number().int() })),
  },
  {
    method: "get",
    path: `${T}/triggers/:namespace/:flowId`,
    tag: "Triggers",
    summary: "A flow's triggers",
    responses: ok("Its triggers.", z.object({ results: z.array(triggerItemSchema), total: z.number().int() })),
  },
  {
    method: "put",
    path: `${T}/triggers`,
    tag: "Triggers",
    summary: "Enable or disable a trigger, or start a backfill",
    body: { kind: "json", required: true, schema: updateBody },
    responses: ok("The trigger's context.", triggerContextSchema),
  },
  {
    method: "post",
    path: `${T}/triggers/set-disabled/by-triggers`,
    tag: "Triggers",
    summary: "Enable or disable several triggers",
    body: { kind: "json", required: true, schema: bulkDisable },
    responses: ok("How many changed.", z.object({ count: z.number().int() })),
  },
  {
    method: "post",
    path: `${T}/triggers/:namespace/:flowId/:triggerId/unlock`,
    tag: "Triggers",
    summary: "Unlock a trigger",
    responses: ok("The trigger's context.", triggerContextSchema),
  },
  backfill("pause", "Pause a backfill", "put"),
  backfill("unpause", "Resume a paused backfill", "put"),
  backfill("delete", "Delete a backfill", "post"),
  webhook("get"),
  webhook("post"),
  webhook("put"),
  // API keys, sign-in, settings
  {
    method: "get",
    path: `${T}/api-keys`,
    tag: "API keys",
    summary: "List the tenant's API keys",
    responses: ok("The keys (never the secrets).", z.object({ results: z.array(apiKey) })),
  },
  {
    method: "post",
    path: `${T}/api-keys`,
    tag: "API keys",
    summary: "Create an API key",
    body: { kind: "json", schema: createBody },
    responses: { 201: { description: "The key, shown once.", json: newApiKey } },
  },
  {
    method: "delete",
    path: `${T}/api-keys/:id`,
    tag: "API keys",
    summary: "Revoke an API key (and every session made from it)",
    responses: gone,
  },
  {
    method: "post",
    path: `${T}/login-codes`,
    tag: "Auth",
    summary: "Mint a one-time sign-in code for the dashboard (API key only)",
    responses: { 201: { description: "The code.", json: z.object({ code: z.string(), expiresAt: z.string() }) } },
    errors: [403],
  },
  {
    method: "post",
    path: "/api/v1/auth/session",
    tag: "Auth",
    auth: "public",
    summary: "Sign in: exchange an API key or a one-time code for a session cookie",
    headers: { "X-Peregrine-Csrf": "Must be `1`." },
    body: { kind: "json", required: true, schema: signInBody },
    responses: ok("The session; the cookie is set.", session),
    errors: [403],
  },
  {
    method: "get",
    path: "/api/v1/auth/session",
    tag: "Auth",
    auth: "public",
    summary: "The current session",
    responses: ok("The session.", session),
  },
  {
    method: "delete",
    path: "/api/v1/auth/session",
    tag: "Auth",
    auth: "public",
    summary: "Sign out",
    headers: { "X-Peregrine-Csrf": "Must be `1`." },
    responses: gone,
    errors: [403],
  },
  {
    method: "get",
    path: `${T}/settings/webhooks`,
    tag: "Settings",
    summary: "The tenant's webhook rate limit",
    responses: ok("The settings.", webhookSettings),
  },
  {
    method: "put",
    path: `${T}/settings/webhooks`,
    tag: "Settings",
    summary: "Set the tenant's webhook rate limit",
    body: { kind: "json", required: true, schema: webhookSettings },
    responses: ok("The settings.", webhookSettings),
  },
  {
    method: "get",
    path: `${T}/settings/limits`,
    tag: "Settings",
    summary: "What the tenant may start (creation rate, running executions, chain depth) and how many run now",
    responses: ok("The limits and the usage.", limits),
  },
  {
    method: "put",
    path: `${T}/settings/limits`,
    tag: "Settings",
    summary: "Set the tenant's start limits",
    body: { kind: "json", required: true, schema: tenantLimitsSettings },
    responses: ok("The limits and the usage.", limits),
  },
  // Operator
  {
    method: "post",
    path: "/api/v1/operator/tenants",
    tag: "Operator",
    auth: "operator",
    summary: "Sign up a tenant with its first API key",
    body: { kind: "json", required: true, schema: createTenantBody },
    responses: {
      201: {
        description: "The tenant and its key (shown once).",
        json: z.object({
          tenant: z.object({ id: z.string(), name: z.string(), createdAt: z.string() }),
          apiKey: newApiKey,
        }),
      },
    },
    errors: [409],
  },
  {
    method: "post",
    path: "/api/v1/operator/tenants/:tenant/api-keys",
    tag: "Operator",
    auth: "operator",
    summary: "Mint an API key for a tenant",
    body: { kind: "json", schema: createKeyBody },
    responses: { 201: { description: "The key, shown once.", json: newApiKey } },
  },
  // Meta
  {
    method: "get",
    path: "/health",
    tag: "Meta",
    auth: "public",
    summary: "Liveness",
    responses: ok("Up.", z.object({ status: z.literal("UP") })),
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    tag: "Meta",
    auth: "public",
    summary: "This document (OpenAPI 3.1)",
    responses: ok("The document.", objectSchema),
  },
  {
    method: "get",
    path: "/api/v1/docs",
    tag: "Meta",
    auth: "public",
    summary: "The API reference: this document as an HTML page",
    responses: { 200: { description: "The page.", media: "text/html" } },
  },
];
