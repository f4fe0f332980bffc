// Task runs under /api/v1/{tenant}: the search over the D1 index (`taskruns/search`), and lookups
// read from the execution's object, authoritative where the index lags: one task run by id
// (`taskruns/{id}`), an execution's task runs by task id, loop value or iteration, and a loop
// parent's children in iteration order, paged (`executions/{id}/taskruns…`).
import { Hono } from "hono";
import { validator } from "hono/validator";
import * as z from "zod";
import { searchTaskRuns, taskRunExecutionId } from "../db/executions";
import { STATES } from "../engine/types";
import { notFound } from "../errors";
import { executionStub } from "../execution/object";
import { type AppEnv, dbOf } from "./context";
import { pageOf, parseLabels } from "./query";

/** A repeatable query parameter: one value or several. */
const many = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const states = many.pipe(
  z.array(
    z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(STATES)),
  ),
);
const pageNumber = z.coerce.number().int().min(1).max(1_000_000);
const pageSize = z.coerce.number().int().min(1).max(1000);
const paging = { page: pageNumber.optional(), size: pageSize.optional() };

export const taskRunSearchQuery = z.object({
  q: z.string().optional().meta({ description: "Text in the task id, flow id or namespace." }),
  namespace: z.string().optional(),
  flowId: z.string().optional(),
  executionId: z.string().optional(),
  taskId: z.string().optional(),
  state: states.optional().meta({ description: "Repeatable; any of these states." }),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  labels: many.optional().meta({ description: "Repeatable `key:value`: the execution's labels." }),
  triggerExecutionId: z.string().optional().meta({ description: "Task runs of executions started by this one." }),
  value: z.string().optional().meta({ description: "A loop child's value." }),
  parentTaskRunId: z.string().optional().meta({ description: "Children of this task run." }),
  ...paging,
  sort: z
    .string()
    .optional()
    .meta({ description: "`field:asc|desc`; fields: startDate, endDate, duration, taskId, state." }),
});

export const taskRunQuery = z.object({
  /** Skips the index lookup of the task run's execution (which lags the execution by a drain). */
  executionId: z.string().optional().meta({ description: "The task run's execution, if known: saves a lookup." }),
});

export const executionTaskRunsQuery = z.object({
  taskId: z.string().optional(),
  value: z.string().optional().meta({ description: "A loop child by its value." }),
  iteration: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "A loop child by its iteration (0-based)." }),
  parentTaskRunId: z.string().optional().meta({ description: "Children of this task run." }),
  ...paging,
});

export const childrenQuery = z.object(paging);

const pagingOf = (q: { page?: number; size?: number }, size = 100) => ({ page: q.page ?? 1, size: q.size ?? size });

export const taskRunsApi = new Hono<AppEnv>()
  .get(
    "/search",
    validator("query", (q) => taskRunSearchQuery.parse(q)),
    async (c) => {
      const q = c.req.valid("query");
      const result = await searchTaskRuns(dbOf(c), c.get("tenantId"), {
        ...pageOf({ page: q.page?.toString(), size: q.size?.toString(), sort: q.sort }),
        q: q.q,
        namespace: q.namespace,
        flowId: q.flowId,
        executionId: q.executionId,
        taskId: q.taskId,
        states: q.state,
        startDate: q.startDate,
        endDate: q.endDate,
        labels: parseLabels(q.labels),
        triggerExecutionId: q.triggerExecutionId,
        value: q.value,
        parentTaskRunId: q.parentTaskRunId,
      });
      return c.json(result, 200);
    },
  )
  .get(
    "/:taskRunId",
    validator("query", (q) => taskRunQuery.parse(q)),
    async (c) => {
      const tenantId = c.get("tenantId");
      const taskRunId = c.req.param("taskRunId");
      const executionId = c.req.valid("query").executionId ?? (await taskRunExecutionId(dbOf(c), tenantId, taskRunId));
      const missing = notFound(`Task run '${taskRunId}' not found`);
      if (!executionId) throw missing;
      const view = await executionStub(c.env, tenantId, executionId).taskRun(taskRunId);
      if (!view) throw missing;
      return c.json(view, 200);
    },
  );

export const executionTaskRunsApi = new Hono<AppEnv>()
  .get(
    "/:executionId/taskruns",
    validator("query", (q) => executionTaskRunsQuery.parse(q)),
    async (c) => {
      const executionId = c.req.param("executionId");
      const { page, size, ...match } = c.req.valid("query");
      const found = await executionStub(c.env, c.get("tenantId"), executionId).matchTaskRuns(
        match,
        pagingOf({ page, size }),
      );
      if (!found) throw notFound(`Execution '${executionId}' not found`);
      return c.json(found, 200);
    },
  )
  .get(
    "/:executionId/taskruns/:taskRunId/children",
    validator("query", (q) => childrenQuery.parse(q)),
    async (c) => {
      const { executionId, taskRunId } = c.req.param();
      const found = await executionStub(c.env, c.get("tenantId"), executionId).childTaskRuns(
        taskRunId,
        pagingOf(c.req.valid("query")),
      );
      if (found === null) throw notFound(`Execution '${executionId}' not found`);
      if (!found) throw notFound(`Task run '${taskRunId}' not found in execution '${executionId}'`);
      return c.json(found, 200);
    },
  );
