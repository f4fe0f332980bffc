// The metrics index in D1, read by Kestra's metric names and aggregates endpoints: which metric
// names and task ids a flow has recorded, and one metric summed (or averaged, …) per time bucket.
import { and, asc, eq, gte, isNotNull, lte, sql } from "drizzle-orm";
import { metrics } from "../../schema/db";
import type { Db } from "./client";

export type Aggregation = "sum" | "avg" | "min" | "max";
export type GroupBy = "hour" | "day" | "week" | "month";

const flowOf = (tenantId: string, namespace: string, flowId: string) =>
  and(eq(metrics.tenantId, tenantId), eq(metrics.namespace, namespace), eq(metrics.flowId, flowId));

export async function metricNames(db: Db, tenantId: string, namespace: string, flowId: string, taskId?: string) {
  const rows = await db
    .selectDistinct({ name: metrics.name })
    .from(metrics)
    .where(and(flowOf(tenantId, namespace, flowId), taskId === undefined ? undefined : eq(metrics.taskId, taskId)))
    .orderBy(asc(metrics.name));
  return rows.map((r) => r.name);
}

export async function metricTasks(db: Db, tenantId: string, namespace: string, flowId: string) {
  const rows = await db
    .selectDistinct({ taskId: metrics.taskId })
    .from(metrics)
    .where(and(flowOf(tenantId, namespace, flowId), isNotNull(metrics.taskId)))
    .orderBy(asc(metrics.taskId));
  return rows.map((r) => r.taskId as string);
}

/** The start of each row's bucket, as an ISO instant (weeks start on Monday, UTC). */
const BUCKET: Record<GroupBy, ReturnType<typeof sql<string>>> = {
  hour: sql<string>`strftime('%Y-%m-%dT%H:00:00.000Z', ${metrics.timestamp})`,
  day: sql<string>`strftime('%Y-%m-%dT00:00:00.000Z', ${metrics.timestamp})`,
  week: sql<string>`date(${metrics.timestamp}, '-6 days', 'weekday 1') || 'T00:00:00.000Z'`,
  month: sql<string>`strftime('%Y-%m-01T00:00:00.000Z', ${metrics.timestamp})`,
};

const AGGREGATE: Record<Aggregation, ReturnType<typeof sql<number>>> = {
  sum: sql<number>`sum(${metrics.value})`,
  avg: sql<number>`avg(${metrics.value})`,
  min: sql<number>`min(${metrics.value})`,
  max: sql<number>`max(${metrics.value})`,
};

export async function aggregateMetric(
  db: Db,
  tenantId: string,
  f: {
    namespace: string;
    flowId: string;
    taskId?: string;
    metric: string;
    startDate: string;
    endDate: string;
    aggregation: Aggregation;
    groupBy: GroupBy;
  },
) {
  const bucket = BUCKET[f.groupBy];
  return db
    .select({ name: metrics.name, date: bucket, value: AGGREGATE[f.aggregation] })
    .from(metrics)
    .where(
      and(
        flowOf(tenantId, f.namespace, f.flowId),
        eq(metrics.name, f.metric),
        f.taskId === undefined ? undefined : eq(metrics.taskId, f.taskId),
        gte(metrics.timestamp, f.startDate),
        lte(metrics.timestamp, f.endDate),
      ),
    )
    .groupBy(metrics.name, bucket)
    .orderBy(asc(bucket));
}
