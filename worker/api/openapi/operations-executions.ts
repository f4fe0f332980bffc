// The OpenAPI description of the flows, executions and execution-files routes. Query and body
// schemas are the routes' own zod schemas where the route validates with zod; the routes that read
// their query by hand (executions/search, kill, replay…) are described by the schemas below.
import * as z from "zod";
import { EXECUTION_STATES } from "../../../schema/flow/common";
import { idList, labelsByIds } from "../executions-bulk";
import { flowExecutionsQuery, labelList } from "../executions-extra";
import { bulkQuery, getQuery, searchQuery } from "../flows";
import {
  bulkSchema,
  executionPageSchema,
  executionSchema,
  flowGraphSchema,
  flowSchema,
  objectSchema,
  paged,
  stateTypeSchema,
  validationSchema,
} from "./shapes";
import type { Operation } from "./spec";

const T = "/api/v1/:tenant";
const many = (description: string) => z.union([z.string(), z.array(z.string())]).meta({ description });
const paging = {
  page: z.coerce.number().int().min(1).optional().meta({ description: "1-based page number (default 1)." }),
  size: z.coerce.number().int().min(1).max(1000).optional().meta({ description: "Page size (default 10)." }),
  sort: z.string().optional().meta({ description: "`field:asc` or `field:desc`." }),
};

export const executionFilters = z.object({
  q: z.string().optional().meta({ description: "Text in the id, namespace or flow id." }),
  namespace: z.string().optional().meta({ description: "This namespace and those under it." }),
  flowId: z.string().optional(),
  state: z
    .union([stateTypeSchema, z.array(stateTypeSchema)])
    .optional()
    .meta({ description: `Repeatable: ${EXECUTION_STATES.join(", ")}.` }),
  startDate: z.string().optional().meta({ description: "ISO-8601: started at or after." }),
  endDate: z.string().optional().meta({ description: "ISO-8601: started at or before." }),
  labels: many("Repeatable `key:value`.").optional(),
  triggerExecutionId: z.string().optional().meta({ description: "Executions started by this one (subflows)." }),
});

const startQuery = z.object({
  wait: z.enum(["true", "false"]).optional().meta({ description: "Answer once the execution is terminal." }),
  revision: z.coerce.number().int().min(1).optional().meta({ description: "Run this revision of the flow." }),
  labels: many("Repeatable `key:value`; `system.*` keys are refused except system.correlationId.").optional(),
  scheduleDate: z.string().optional().meta({ description: "ISO-8601: start at this date." }),
});

const inputsBody = {
  kind: "form",
  description:
    "The flow's inputs: multipart/form-data (FILE inputs as file parts), application/x-www-form-urlencoded or an application/json object.",
} as const;

const cascade = z.object({
  isOnKillCascade: z
    .enum(["true", "false"])
    .optional()
    .meta({ description: "Kill subflow executions too (default true)." }),
});
const replayQuery = z.object({
  revision: z.coerce.number().int().min(1).optional(),
  taskRunId: z.string().optional().meta({ description: "Replay from this task run." }),
});
const restartQuery = z.object({ latestRevision: z.enum(["true", "false"]).optional(), ...replayQuery.shape });

const inputCheck = z.object({
  id: z.string(),
  namespace: z.string(),
  inputs: z.array(
    z.object({
      input: objectSchema,
      value: z.unknown(),
      enabled: z.boolean(),
      isDefault: z.boolean(),
      errors: z.array(z.object({ message: z.string() })),
    }),
  ),
});

const yaml = (description: string) => ({ kind: "yaml", description }) as const;
const ok = (description: string, json?: z.ZodType) => ({ 200: { description, json } });
const control = (summary: string, extra: Partial<Operation> = {}): Partial<Operation> => ({
  summary,
  responses: ok("The execution after the change.", executionSchema),
  errors: [409],
  ...extra,
});

function bulk(method: "post" | "delete", action: string, name: string): Operation[] {
  return [
    {
      method,
      path: `${T}/executions/${action}by-ids`,
      tag: "Executions",
      summary: `${name} the executions of a list of ids`,
      body: { kind: "json", schema: idList, required: true },
      responses: ok("Each execution's outcome.", bulkSchema),
    },
    {
      method,
      path: `${T}/executions/${action}by-query`,
      tag: "Executions",
      summary: `${name} the executions matching a search (at least one filter, at most 1,000 matches)`,
      query: executionFilters,
      responses: ok("Each execution's outcome.", bulkSchema),
    },
  ];
}

const ex = (op: Partial<Operation> & Pick<Operation, "method" | "path">): Operation => ({
  tag: "Executions",
  summary: "",
  responses: {},
  ...op,
  path: `${T}/executions${op.path}`,
});

export const executionOperations: Operation[] = [
  // Flows
  {
    method: "post",
    path: `${T}/flows`,
    tag: "Flows",
    summary: "Create a flow from its YAML source",
    body: yaml("The flow's YAML, kept exactly as sent (application/x-yaml)."),
    responses: ok("The flow, revision 1, with its source.", flowSchema),
    errors: [409, 413],
  },
  {
    method: "post",
    path: `${T}/flows/validate`,
    tag: "Flows",
    summary: "Validate YAML documents (separated by `---`) without saving them",
    body: yaml("One or more YAML documents."),
    responses: ok("One entry per document.", z.array(validationSchema)),
    errors: [413],
  },
  {
    method: "get",
    path: `${T}/flows/search`,
    tag: "Flows",
    summary: "Search flows",
    query: searchQuery,
    responses: ok("A page of flows (without source).", paged(flowSchema)),
  },
  {
    method: "get",
    path: `${T}/flows/:namespace`,
    tag: "Flows",
    summary: "List the flows of a namespace",
    responses: ok("The namespace's flows.", z.array(flowSchema)),
  },
  {
    method: "post",
    path: `${T}/flows/:namespace`,
    tag: "Flows",
    summary: "Create or update every flow of a namespace at once",
    query: bulkQuery,
    body: yaml("YAML documents separated by `---`, all of this namespace."),
    responses: ok("The flows saved.", z.array(flowSchema)),
    errors: [413],
  },
  {
    method: "get",
    path: `${T}/flows/:namespace/:id`,
    tag: "Flows",
    summary: "Get a flow",
    query: getQuery,
    responses: ok("The flow.", flowSchema),
  },
  {
    method: "put",
    path: `${T}/flows/:namespace/:id`,
    tag: "Flows",
    summary: "Update a flow (a new revision)",
    body: yaml("The flow's YAML; its namespace and id must match the path."),
    responses: ok("The flow's new revision with its source.", flowSchema),
    errors: [413],
  },
  {
    method: "delete",
    path: `${T}/flows/:namespace/:id`,
    tag: "Flows",
    summary: "Delete a flow (kept as a deleted revision)",
    responses: { 204: { description: "Deleted." } },
  },
  {
    method: "get",
    path: `${T}/flows/:namespace/:id/revisions`,
    tag: "Flows",
    summary: "List a flow's revisions",
    responses: ok("Every revision with its source.", z.array(flowSchema)),
  },
  {
    method: "post",
    path: `${T}/flows/graph`,
    tag: "Flows",
    summary: "The topology of a draft flow's YAML (not saved)",
    body: yaml("The flow's YAML."),
    responses: ok("The graph.", flowGraphSchema),
    errors: [413],
  },
  {
    method: "get",
    path: `${T}/flows/:namespace/:id/graph`,
    tag: "Flows",
    summary: "The topology of a saved flow",
    query: z.object({
      revision: z.coerce.number().int().min(1).optional().meta({ description: "Default: the latest." }),
    }),
    responses: ok("The graph.", flowGraphSchema),
  },
  // Executions
  ex({
    method: "post",
    path: "/:namespace/:flowId",
    summary: "Start an execution of a flow",
    query: startQuery,
    body: inputsBody,
    responses: ok("The execution (terminal when `wait=true`) with `url`, its dashboard page.", executionSchema),
    errors: [409, 413],
  }),
  ex({
    method: "post",
    path: "/trigger/:namespace/:flowId",
    summary: "Start an execution (Kestra's older path)",
    query: startQuery,
    body: inputsBody,
    responses: ok("The execution.", executionSchema),
    errors: [409, 413],
  }),
  ex({
    method: "post",
    path: "/:namespace/:flowId/validate",
    summary: "Check inputs against a flow without starting it",
    body: inputsBody,
    responses: ok("Each declared input with its value and errors.", inputCheck),
    errors: [409],
  }),
  ex({
    method: "get",
    path: "/search",
    summary: "Search executions",
    query: executionFilters.extend(paging),
    responses: ok("A page of executions (without task runs).", executionPageSchema),
  }),
  ex({
    method: "get",
    path: "",
    summary: "List the executions of a flow",
    query: flowExecutionsQuery,
    responses: ok("A page of executions.", executionPageSchema),
  }),
  ex({
    method: "get",
    path: "/:executionId",
    summary: "Get an execution",
    responses: ok("The execution.", executionSchema),
  }),
  ex({
    method: "get",
    path: "/:executionId/follow",
    summary: "Follow an execution (server-sent events)",
    responses: {
      200: {
        description: "An event stream.",
        stream: { events: "`progress` with the execution after each change; `end` with the terminal execution." },
      },
    },
  }),
  ex({
    method: "delete",
    path: "/:executionId/kill",
    ...control("Kill an execution", { query: cascade }),
    responses: { 202: { description: "The execution, being killed.", json: executionSchema } },
  }),
  ex({
    method: "post",
    path: "/:executionId/restart",
    ...control("Restart a failed or killed execution", {
      description:
        "Without `revision`, on the same id. With `revision`, as Kestra: a new execution of that revision (`parentId` = this one) carrying this one's history then RESTARTED.",
      query: z.object({ revision: replayQuery.shape.revision }),
    }),
  }),
  ex({
    method: "post",
    path: "/:executionId/replay",
    ...control("Replay an execution as a new one", { query: replayQuery }),
    responses: ok("The new execution.", executionSchema),
  }),
  ex({ method: "post", path: "/:executionId/pause", ...control("Pause a running execution") }),
  ex({
    method: "post",
    path: "/:executionId/resume",
    summary: "Resume a paused execution, with the Pause task's onResume inputs",
    body: inputsBody,
    responses: { 204: { description: "Resumed." } },
    errors: [409],
  }),
  ex({
    method: "post",
    path: "/:executionId/state",
    ...control("Force a task run's state"),
    body: {
      kind: "json",
      required: true,
      schema: z.object({ taskRunId: z.string(), state: stateTypeSchema }),
    },
  }),
  ex({
    method: "post",
    path: "/:executionId/change-status",
    ...control("Change a terminated execution's status", {
      query: z.object({ status: stateTypeSchema }),
    }),
  }),
  ex({
    method: "post",
    path: "/:executionId/labels",
    ...control("Replace an execution's labels"),
    body: { kind: "json", required: true, schema: labelList },
  }),
  ex({
    method: "delete",
    path: "/:executionId",
    summary: "Delete an execution",
    responses: { 204: { description: "Deleted." } },
  }),
  ...bulk("delete", "kill/", "Kill").map((o) => ({ ...o, query: o.query ? o.query.extend(cascade.shape) : cascade })),
  ...bulk("post", "restart/", "Restart").map((o) => ({
    ...o,
    query: o.query ? o.query.extend(restartQuery.shape) : restartQuery,
  })),
  ...bulk("post", "replay/", "Replay").map((o) => ({
    ...o,
    query: o.query ? o.query.extend(restartQuery.shape) : restartQuery,
  })),
  ...bulk("delete", "", "Delete"),
  ex({
    method: "post",
    path: "/labels/by-ids",
    summary: "Add labels to the executions of a list of ids",
    body: { kind: "json", required: true, schema: labelsByIds },
    responses: ok("Each execution's outcome.", bulkSchema),
  }),
  ex({
    method: "post",
    path: "/labels/by-query",
    summary: "Add labels to the executions matching a search",
    query: executionFilters,
    body: { kind: "json", required: true, schema: labelList },
    responses: ok("Each execution's outcome.", bulkSchema),
  }),
  // Files of an execution
  ...(["", "/metas", "/preview"] as const).map(
    (suffix): Operation => ({
      method: "get",
      path: `${T}/executions/:executionId/file${suffix}`,
      tag: "Files",
      summary: { "": "Download a file", "/metas": "A file's size", "/preview": "A file's first rows as text" }[suffix],
      query: z.object({
        path: z.string().meta({ description: "The file's `kestra:///…` URI." }),
        ...(suffix === "/preview" ? { maxRows: z.coerce.number().int().min(1).optional() } : {}),
      }),
      responses:
        suffix === ""
          ? { 200: { description: "The file's bytes.", media: "application/octet-stream" } }
          : ok(
              suffix === "/metas" ? "Its size in bytes." : "The text and whether it was cut.",
              suffix === "/metas"
                ? z.object({ size: z.number().int() })
                : z.object({ extension: z.string(), type: z.string(), content: z.string(), truncated: z.boolean() }),
            ),
      errors: [400],
    }),
  ),
];
