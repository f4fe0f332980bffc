// The OpenAPI 3.1 document, built once per isolate from the operation tables: query parameters
// and JSON bodies from the routes' zod schemas (zod's own JSON Schema output, which is OpenAPI
// 3.1's dialect), responses from shapes.ts, and every failure as the one Error body.

import * as z from "zod";
import { adminOperations } from "./operations-admin";
import { executionOperations } from "./operations-executions";
import { flowsBulkOperations } from "./operations-flows-bulk";
import { inspectOperations } from "./operations-inspect";
import { errorSchema } from "./shapes";
import { type Answer, type Body, type ErrorStatus, type Operation, PATH_PARAMS, TAGS } from "./spec";

export const OPERATIONS: readonly Operation[] = [
  ...executionOperations,
  ...flowsBulkOperations,
  ...inspectOperations,
  ...adminOperations,
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ERROR_TEXT: Record<ErrorStatus | 500, string> = {
  400: "Bad request (`bad_request`).",
  401: "No valid API key or session (`unauthorized`).",
  403: "Forbidden (`forbidden`), e.g. a session request without the CSRF header.",
  404: "Not found in this tenant (`not_found`).",
  409: "Conflict with the current state (`conflict`).",
  413: "The body is too large (`payload_too_large`).",
  422: "Invalid input (`invalid`); `details` names the field or lists the violations.",
  429: "Rate limited (`rate_limited`); see Retry-After.",
  500: "Internal error (`internal`).",
};

/** `/api/v1/:tenant/flows/:id` → `/api/v1/{tenant}/flows/{id}` */
export const openApiPath = (honoPath: string): string => honoPath.replace(/:([A-Za-z]+)/g, "{$1}");

/** Schemas shared by several operations, keyed by component name. */
const defs: Record<string, Json> = {};

/** A zod schema as JSON Schema (`.meta()` descriptions included); named schemas become `$ref`s into components.schemas. */
function schemaOf(schema: z.ZodType): JsonObject {
  const out = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  }) as JsonObject;
  const { $schema: _s, $defs, ...rest } = out;
  if ($defs && typeof $defs === "object" && !Array.isArray($defs)) {
    for (const [name, def] of Object.entries($defs)) defs[name] = rewriteRefs(def);
  }
  return rewriteRefs(rest) as JsonObject;
}

function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === "$ref" && typeof v === "string" ? v.replace("#/$defs/", "#/components/schemas/") : rewriteRefs(v);
  }
  return out;
}

function parameters(op: Operation): Json[] {
  const names = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
  const list: Json[] = names.map((name) => ({
    name,
    in: "path",
    required: true,
    description: PATH_PARAMS[name] ?? name,
    schema: { type: "string" },
  }));
  if (op.query) {
    const json = schemaOf(op.query);
    const props = (json.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, schema] of Object.entries(props)) {
      const { description, ...rest } = schema;
      list.push({
        name,
        in: "query",
        required: required.has(name),
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  for (const [name, description] of Object.entries(op.headers ?? {})) {
    list.push({ name, in: "header", required: false, description, schema: { type: "string" } });
  }
  return list;
}

function requestBody(body: Body): JsonObject {
  switch (body.kind) {
    case "json":
      return { required: body.required ?? false, content: { "application/json": { schema: schemaOf(body.schema) } } };
    case "yaml":
      return {
        required: true,
        description: body.description,
        content: { "application/x-yaml": { schema: { type: "string" } } },
      };
    case "form":
      return {
        required: false,
        description: body.description,
        content: {
          "multipart/form-data": { schema: { type: "object", additionalProperties: true } },
          "application/x-www-form-urlencoded": { schema: { type: "object", additionalProperties: true } },
          "application/json": { schema: { type: "object", additionalProperties: true } },
        },
      };
    case "any":
      return { required: false, description: body.description, content: { "*/*": { schema: {} } } };
    default: {
      const never: never = body;
      throw new Error(`Unknown body kind ${String(never)}`);
    }
  }
}

function response(answer: Answer): JsonObject {
  if ("stream" in answer) {
    return {
      description: `${answer.description} Events: ${answer.stream.events}`,
      content: { "text/event-stream": { schema: { type: "string" } } },
    };
  }
  if ("media" in answer) {
    return { description: answer.description, content: { [answer.media]: { schema: { type: "string" } } } };
  }
  if (!answer.json) return { description: answer.description };
  return { description: answer.description, content: { "application/json": { schema: schemaOf(answer.json) } } };
}

function errorStatuses(op: Operation): (ErrorStatus | 500)[] {
  const auth = op.auth ?? "key";
  const all = new Set<ErrorStatus | 500>(op.errors ?? []);
  if (auth !== "public") all.add(401);
  if (auth === "key" || op.path.includes(":")) all.add(404);
  if (op.query || op.body) all.add(422);
  all.add(500);
  return [...all].sort((a, b) => a - b);
}

function operationObject(op: Operation): JsonObject {
  const responses: JsonObject = {};
  for (const [status, answer] of Object.entries(op.responses)) if (answer) responses[status] = response(answer);
  for (const status of errorStatuses(op)) responses[String(status)] = { $ref: `#/components/responses/E${status}` };
  const auth = op.auth ?? "key";
  const security: Json[] =
    auth === "public" ? [] : auth === "operator" ? [{ operatorSecret: [] }] : [{ apiKey: [] }, { session: [] }];
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    parameters: parameters(op),
    ...(op.body ? { requestBody: requestBody(op.body) } : {}),
    responses,
    security,
  };
}

function build(): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const op of OPERATIONS) {
    const path = openApiPath(op.path);
    const item = paths[path] ?? {};
    paths[path] = item;
    if (item[op.method]) throw new Error(`OpenAPI: ${op.method} ${op.path} is described twice`);
    item[op.method] = operationObject(op);
  }
  const error = schemaOf(errorSchema);
  const responses: JsonObject = {};
  for (const [status, description] of Object.entries(ERROR_TEXT)) {
    responses[`E${status}`] = { description, content: { "application/json": { schema: error } } };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Peregrine API",
      version: "1",
      description:
        "Kestra-compatible workflow orchestration. Every tenant route is `/api/v1/{tenant}/…`; Kestra 0.21's paths without a tenant mean the API key's own tenant. Every failure answers the Error body.",
    },
    servers: [{ url: "/" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: defs,
      responses,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "`Authorization: Bearer pgr_…`, a key of the path's tenant.",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "__Host-pgr_session",
          description: "The dashboard's session cookie (`pgr_session` on plain-http loopback).",
        },
        operatorSecret: { type: "http", scheme: "bearer", description: "The deployment's OPERATOR_SECRET." },
      },
    },
  };
}

let built: JsonObject | undefined;

/** The document; built on first use and kept for the isolate's life (it depends on code only). */
export function openApiDocument(): JsonObject {
  built ??= build();
  return built;
}
