// Kestra's metric names and aggregates endpoints under /api/v1/{tenant}/metrics, read from the D1
// index: the names a flow (or one of its tasks) recorded, the task ids that recorded any, and one
// metric aggregated per time bucket. `GET /{executionId}` (one execution's metrics) is in logs.ts.
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod";
import { type Aggregation, aggregateMetric, type GroupBy, metricNames, metricTasks } from "../db/metrics";
import { invalid } from "../errors";
import { type AppEnv, dbOf } from "./context";

const DAY_MS = 86_400_000;

export const aggregatesQuery = z.object({
  startDate: z.string().datetime({ offset: true }).optional(),
  endDate: z.string().datetime({ offset: true }).optional(),
  aggregation: z.enum(["sum", "avg", "min", "max"]).default("sum"),
});

/** Buckets sized to the range, so a chart gets a readable number of points. */
function groupByOf(startMs: number, endMs: number): GroupBy {
  const span = endMs - startMs;
  if (span <= 2 * DAY_MS) return "hour";
  if (span <= 62 * DAY_MS) return "day";
  if (span <= 366 * DAY_MS) return "week";
  return "month";
}

async function aggregates(c: Context<AppEnv>, taskId: string | undefined) {
  const { namespace = "", flowId = "", metric = "" } = c.req.param();
  const q = aggregatesQuery.parse(c.req.query());
  const end = q.endDate ? new Date(q.endDate) : new Date();
  const start = q.startDate ? new Date(q.startDate) : new Date(end.getTime() - 30 * DAY_MS);
  if (start > end) throw invalid("startDate must not be after endDate", { field: "startDate" });
  const groupBy = groupByOf(start.getTime(), end.getTime());
  const rows = await aggregateMetric(dbOf(c), c.get("tenantId"), {
    namespace,
    flowId,
    taskId,
    metric,
    startDate: start.toISOString(),
    endDate: end.toISOString(),
    aggregation: q.aggregation as Aggregation,
    groupBy,
  });
  return c.json({ groupBy, aggregations: rows.map((r) => ({ name: r.name, date: r.date, value: r.value })) }, 200);
}

export const metricsIndexApi = new Hono<AppEnv>()
  .get("/names/:namespace/:flowId", async (c) => {
    const { namespace, flowId } = c.req.param();
    return c.json(await metricNames(dbOf(c), c.get("tenantId"), namespace, flowId), 200);
  })
  .get("/names/:namespace/:flowId/:taskId", async (c) => {
    const { namespace, flowId, taskId } = c.req.param();
    return c.json(await metricNames(dbOf(c), c.get("tenantId"), namespace, flowId, taskId), 200);
  })
  .get("/tasks/:namespace/:flowId", async (c) => {
    const { namespace, flowId } = c.req.param();
    return c.json(await metricTasks(dbOf(c), c.get("tenantId"), namespace, flowId), 200);
  })
  .get("/aggregates/:namespace/:flowId/:metric", (c) => aggregates(c, undefined))
  .get("/aggregates/:namespace/:flowId/:taskId/:metric", (c) => aggregates(c, c.req.param("taskId")));
