// The OpenAPI description of what inspects executions: task runs (the search index and the
// lookups read from the execution's object), logs and metrics.
import * as z from "zod";
import { LOG_LEVELS } from "../../../schema/flow/common";
import { aggregatesQuery } from "../metrics";
import { childrenQuery, executionTaskRunsQuery, taskRunQuery, taskRunSearchQuery } from "../taskruns";
import {
  evalResultSchema,
  logSchema,
  paged,
  taskRunPageSchema,
  taskRunViewPageSchema,
  taskRunViewSchema,
} from "./shapes";
import type { Operation } from "./spec";

const T = "/api/v1/:tenant";

const logFilter = z.object({
  minLevel: z.enum(LOG_LEVELS).optional().meta({ description: "This level and above." }),
  taskId: z.string().optional(),
  taskRunId: z.string().optional(),
  attempt: z.coerce.number().int().min(0).optional().meta({ description: "The attempt number." }),
});

const logSearch = z.object({
  q: z.string().optional(),
  namespace: z.string().optional(),
  flowId: z.string().optional(),
  minLevel: z.enum(LOG_LEVELS).optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  page: z.coerce.number().int().min(1).optional(),
  size: z.coerce.number().int().min(1).max(1000).optional(),
  sort: z.string().optional(),
});

const metricJson = z.object({
  namespace: z.string(),
  flowId: z.string(),
  taskId: z.string().nullable(),
  executionId: z.string(),
  taskRunId: z.string().nullable(),
  type: z.string(),
  name: z.string(),
  value: z.number(),
  tags: z.record(z.string(), z.string()),
  timestamp: z.string(),
});

const aggregation = z.object({
  groupBy: z.enum(["hour", "day", "week", "month"]),
  aggregations: z.array(z.object({ name: z.string(), date: z.string(), value: z.number() })),
});

const ok = (description: string, json?: z.ZodType) => ({ 200: { description, json } });

export const inspectOperations: Operation[] = [
  {
    method: "get",
    path: `${T}/taskruns/search`,
    tag: "Task runs",
    summary: "Search task runs (the D1 index, which may lag the execution by a moment)",
    description:
      "Filters combine with AND. `sort` is `field:asc|desc` over startDate, endDate, duration, taskId or state.",
    query: taskRunSearchQuery,
    responses: ok("A page of task runs.", taskRunPageSchema),
  },
  {
    method: "get",
    path: `${T}/taskruns/:taskRunId`,
    tag: "Task runs",
    summary: "Get one task run, read from its execution (authoritative)",
    description:
      "With the execution's current state and `final`: whether the task run is terminal and can change only by a restart. Outputs of a task run that is not final are provisional.",
    query: taskRunQuery,
    responses: ok("The task run.", taskRunViewSchema),
  },
  {
    method: "get",
    path: `${T}/executions/:executionId/taskruns`,
    tag: "Task runs",
    summary: "The task runs of an execution matching a task id, loop value, iteration or parent",
    query: executionTaskRunsQuery,
    responses: ok("A page of task runs, in creation order.", taskRunViewPageSchema),
  },
  {
    method: "get",
    path: `${T}/executions/:executionId/taskruns/:taskRunId/children`,
    tag: "Task runs",
    summary: "A loop parent's children, in iteration order, a page at a time",
    query: childrenQuery,
    responses: ok("A page of the children.", taskRunViewPageSchema),
  },
  {
    method: "post",
    path: `${T}/executions/:executionId/eval/:taskRunId`,
    tag: "Task runs",
    summary: "Render an expression in a task run's context (the expression console)",
    description: "Always 200 for a template that fails to render: the answer carries `error` and its position.",
    body: { kind: "any", description: "The template, as text (at most 64 Ki characters)." },
    responses: ok("The rendered text or the error.", evalResultSchema),
  },
  {
    method: "get",
    path: `${T}/logs/search`,
    tag: "Logs",
    summary: "Search log lines (the D1 index)",
    query: logSearch,
    responses: ok("A page of log lines.", paged(logSchema)),
  },
  {
    method: "get",
    path: `${T}/logs/:executionId`,
    tag: "Logs",
    summary: "An execution's log lines",
    query: logFilter,
    responses: ok("The lines, oldest first.", z.array(logSchema)),
  },
  {
    method: "delete",
    path: `${T}/logs/:executionId`,
    tag: "Logs",
    summary: "Delete an execution's log lines (optionally of one task, task run or attempt)",
    query: logFilter.omit({ minLevel: true }),
    responses: { 204: { description: "Deleted." } },
  },
  {
    method: "get",
    path: `${T}/logs/:executionId/download`,
    tag: "Logs",
    summary: "Download an execution's logs as text",
    query: logFilter,
    responses: { 200: { description: "One line per log line.", media: "text/plain" } },
  },
  {
    method: "get",
    path: `${T}/logs/:executionId/follow`,
    tag: "Logs",
    summary: "Follow an execution's logs (server-sent events)",
    query: logFilter,
    responses: {
      200: {
        description: "An event stream.",
        stream: { events: "`log` with one LogLine each; `end` (data `{}`) once the execution is terminal." },
      },
    },
  },
  {
    method: "get",
    path: `${T}/metrics/:executionId`,
    tag: "Metrics",
    summary: "An execution's metrics",
    responses: ok("Every metric its task runs emitted.", z.array(metricJson)),
  },
  {
    method: "get",
    path: `${T}/metrics/names/:namespace/:flowId`,
    tag: "Metrics",
    summary: "The metric names of a flow",
    responses: ok("Names.", z.array(z.string())),
  },
  {
    method: "get",
    path: `${T}/metrics/names/:namespace/:flowId/:taskId`,
    tag: "Metrics",
    summary: "The metric names of a task",
    responses: ok("Names.", z.array(z.string())),
  },
  {
    method: "get",
    path: `${T}/metrics/tasks/:namespace/:flowId`,
    tag: "Metrics",
    summary: "The tasks of a flow that emitted metrics",
    responses: ok("Task ids.", z.array(z.string())),
  },
  {
    method: "get",
    path: `${T}/metrics/aggregates/:namespace/:flowId/:metric`,
    tag: "Metrics",
    summary: "A flow metric aggregated per hour, day, week or month (by the range)",
    query: aggregatesQuery,
    responses: ok("The buckets.", aggregation),
  },
  {
    method: "get",
    path: `${T}/metrics/aggregates/:namespace/:flowId/:taskId/:metric`,
    tag: "Metrics",
    summary: "A task metric aggregated per hour, day, week or month (by the range)",
    query: aggregatesQuery,
    responses: ok("The buckets.", aggregation),
  },
];
