// The response bodies the OpenAPI document describes, as zod schemas registered under a component
// name. They describe what the JSON builders (execution/json.ts, flows.ts, taskrun-lookup.ts)
// return; the type checks at the end fail to compile when a builder's type drifts from its schema,
// and test/api/openapi.test.ts parses real responses with them.
import * as z from "zod";
import { EXECUTION_STATES, LOG_LEVELS } from "../../../schema/flow/common";
import type { FlowGraph } from "../../../schema/flow/graph";
import type { ErrorCode } from "../../errors";
import type { ExecutionJson, ExecutionSummaryJson, LogJson, StateJson, TaskRunJson } from "../../execution/json";
import type { TaskRunPage, TaskRunViewJson } from "../../execution/taskrun-lookup";
import type { ErrorBody } from "../errors";
import type { EvalResult } from "../eval";
import type { FlowJson, ValidationReport } from "../flows";
import type { TriggerContextJson, TriggerItemJson } from "../triggers";

/** A schema with a component name: the document emits it once, in `components.schemas`, and `$ref`s it. */
function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  return schema.meta({ id, description });
}

const ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "invalid",
  "rate_limited",
  "internal",
] as const satisfies readonly ErrorCode[];

export const violationSchema = named(
  "Violation",
  "One problem with a request: the field (a dotted path) and, for YAML, its line and column.",
  z.object({
    path: z.string(),
    message: z.string(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
  }),
);

export const errorSchema = named(
  "Error",
  "Every failure's body. `code` is stable; `details` names the field ({field}) or lists the violations.",
  z.object({
    message: z.string(),
    code: z.enum(ERROR_CODES),
    details: z.union([z.looseObject({ field: z.string() }), z.array(violationSchema), z.unknown()]).optional(),
  }),
);

export const stateTypeSchema = named("StateType", "An execution's or a task run's state.", z.enum(EXECUTION_STATES));

export const labelSchema = named("Label", "A label: key and value.", z.object({ key: z.string(), value: z.string() }));

export const stateSchema = named(
  "State",
  "A state with its history; `duration` is ISO-8601 and `endDate` is set once terminal.",
  z.object({
    current: stateTypeSchema,
    histories: z.array(z.object({ state: stateTypeSchema, date: z.string() })),
    startDate: z.string(),
    endDate: z.string().optional(),
    duration: z.string(),
  }),
);

const metricSchema = z.object({
  name: z.string(),
  tags: z.record(z.string(), z.string()),
  type: z.string(),
  value: z.union([z.number(), z.string()]),
  timestamp: z.string(),
});

export const taskRunSchema = named(
  "TaskRun",
  "A task run: its task, loop value or iteration, attempts, outputs and state.",
  z.object({
    id: z.string(),
    executionId: z.string(),
    namespace: z.string(),
    flowId: z.string(),
    taskId: z.string(),
    parentTaskRunId: z.string().optional(),
    value: z.string().optional(),
    iteration: z.number().int().optional(),
    attempts: z.array(z.object({ state: stateSchema, metrics: z.array(metricSchema).optional() })),
    outputs: z.record(z.string(), z.unknown()).nullable().optional(),
    state: stateSchema,
  }),
);

export const taskRunViewSchema = named(
  "TaskRunView",
  "A task run read from its execution's object, with the execution's state and whether the task run is final.",
  taskRunSchema.extend({ executionState: stateTypeSchema, final: z.boolean() }),
);

const executionFields = {
  id: z.string(),
  tenantId: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  flowRevision: z.number().int(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  labels: z.array(labelSchema),
  state: stateSchema,
  parentId: z.string().optional(),
  originalId: z.string(),
  trigger: z
    .object({ id: z.string(), type: z.string(), variables: z.record(z.string(), z.unknown()).optional() })
    .optional(),
  deleted: z.boolean(),
  metadata: z.looseObject({}),
  scheduleDate: z.string().optional(),
};

export const executionSummarySchema = named(
  "ExecutionSummary",
  "An execution without its task runs, as the search index keeps it.",
  z.object(executionFields),
);

export const executionSchema = named(
  "Execution",
  "An execution with its task runs. A start's answer also carries `url`, the dashboard page of the execution.",
  z.object({ ...executionFields, taskRunList: z.array(taskRunSchema), url: z.string().optional() }),
);

export const flowSchema = named(
  "Flow",
  "A flow: the model's fields as saved, plus revision, tenant, disabled and deleted; `source` (the YAML as sent) when asked for.",
  z.looseObject({
    id: z.string(),
    namespace: z.string(),
    revision: z.number().int(),
    tenantId: z.string(),
    disabled: z.boolean(),
    deleted: z.boolean(),
    source: z.string().optional(),
    tasks: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
  }),
);

export const validationSchema = named(
  "FlowValidation",
  "What validating one YAML document found: nothing for a valid flow, else `constraints` and the violations.",
  z.object({
    index: z.number().int(),
    flow: z.string().optional(),
    namespace: z.string().optional(),
    constraints: z.string().optional(),
    violations: z.array(violationSchema).optional(),
    warnings: z.array(z.string()).optional(),
    warningDetails: z
      .array(z.object({ path: z.string(), message: z.string(), line: z.number().int(), column: z.number().int() }))
      .optional(),
  }),
);

export const logSchema = named(
  "LogLine",
  "One log line of an execution.",
  z.object({
    namespace: z.string(),
    flowId: z.string(),
    taskId: z.string().nullable().optional(),
    executionId: z.string(),
    taskRunId: z.string().nullable().optional(),
    attemptNumber: z.number().int().nullable().optional(),
    timestamp: z.string(),
    level: z.string().meta({ description: LOG_LEVELS.join(", ") }),
    message: z.string(),
  }),
);

/** Kestra's paged answer. */
export const paged = <T extends z.ZodType>(item: T) => z.object({ results: z.array(item), total: z.number().int() });

export const executionPageSchema = named("ExecutionPage", "A page of executions.", paged(executionSummarySchema));
export const taskRunPageSchema = named(
  "TaskRunPage",
  "A page of task runs from the search index.",
  paged(taskRunSchema),
);
export const taskRunViewPageSchema = named(
  "TaskRunViewPage",
  "A page of task runs read from the execution's object.",
  paged(taskRunViewSchema),
);

export const bulkSchema = named(
  "BulkResult",
  "What a bulk action did: how many succeeded, and each execution's outcome.",
  z.object({ count: z.number().int(), results: z.array(z.looseObject({ id: z.string(), ok: z.boolean() })) }),
);

const RELATIONS = ["SEQUENTIAL", "PARALLEL", "CHOICE", "DYNAMIC", "ERROR", "FINALLY", "AFTER_EXECUTION"] as const;

export const flowGraphSchema = named(
  "FlowGraph",
  "A flow's topology: tasks as nodes, each flowable a cluster, edges named by Kestra's relation types. No layout.",
  z.object({
    nodes: z.array(
      z.object({
        uid: z.string(),
        kind: z.enum(["start", "end", "task", "cluster-end"]),
        taskId: z.string().optional(),
        type: z.string().optional(),
        cluster: z.string().optional(),
        disabled: z.boolean().optional(),
        subflow: z.object({ namespace: z.string(), flowId: z.string() }).optional(),
      }),
    ),
    edges: z.array(
      z.object({ source: z.string(), target: z.string(), relation: z.enum(RELATIONS), value: z.string().optional() }),
    ),
    clusters: z.array(
      z.object({ uid: z.string(), taskId: z.string(), type: z.string(), parent: z.string().optional() }),
    ),
  }),
);

export const evalResultSchema = named(
  "EvalResult",
  "An expression rendered in a task run's context: `result`, or `error` with the failing expression's position.",
  z.object({
    result: z.string().optional(),
    error: z.string().optional(),
    position: z
      .object({ offset: z.number().int(), length: z.number().int(), line: z.number().int(), column: z.number().int() })
      .optional(),
  }),
);

const nullableDate = z.string().nullable();

export const triggerContextSchema = named(
  "TriggerContext",
  "A trigger's state: its last and next dates, last execution and error, and a backfill in progress.",
  z.object({
    tenantId: z.string(),
    namespace: z.string(),
    flowId: z.string(),
    triggerId: z.string(),
    type: z.string(),
    date: nullableDate,
    nextExecutionDate: nullableDate,
    executionId: z.string().nullable(),
    lastRunDate: nullableDate,
    updatedDate: nullableDate,
    disabled: z.boolean(),
    stopAfter: z.array(z.string()).nullable(),
    lastError: z.string().nullable(),
    backfill: z
      .object({
        start: nullableDate,
        end: nullableDate,
        currentDate: nullableDate,
        paused: z.boolean(),
        inputs: z.record(z.string(), z.unknown()).nullable(),
        labels: z.array(labelSchema),
        progress: z.object({ done: z.number().int(), total: z.number().int(), finished: z.boolean() }),
      })
      .nullable(),
  }),
);

export const triggerItemSchema = named(
  "TriggerItem",
  "A trigger as declared in its flow, with its state.",
  z.object({
    abstractTrigger: z.looseObject({ id: z.string(), type: z.string() }),
    triggerContext: triggerContextSchema,
  }),
);

/** A JSON object this document does not detail field by field (trigger contexts, settings, …). */
export const objectSchema = z.looseObject({});

// Compile-time drift checks: each builder's type must be assignable to its schema's type.
type Fits<A extends B, B> = A;
export type ShapeChecks = [
  Fits<StateJson, z.input<typeof stateSchema>>,
  Fits<TaskRunJson, z.input<typeof taskRunSchema>>,
  Fits<TaskRunViewJson, z.input<typeof taskRunViewSchema>>,
  Fits<TaskRunPage, z.input<typeof taskRunViewPageSchema>>,
  Fits<ExecutionSummaryJson, z.input<typeof executionSummarySchema>>,
  Fits<ExecutionJson, z.input<typeof executionSchema>>,
  Fits<FlowJson, z.input<typeof flowSchema>>,
  Fits<ValidationReport, z.input<typeof validationSchema>>,
  Fits<LogJson, z.input<typeof logSchema>>,
  Fits<FlowGraph, z.input<typeof flowGraphSchema>>,
  Fits<EvalResult, z.input<typeof evalResultSchema>>,
  Fits<TriggerContextJson, z.input<typeof triggerContextSchema>>,
  Fits<TriggerItemJson["triggerContext"], z.input<typeof triggerItemSchema>["triggerContext"]>,
  Fits<ErrorBody, { message: string; code: z.input<typeof errorSchema>["code"]; details?: unknown }>,
];
