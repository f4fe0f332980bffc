// The guard against a lost alarm and a stale index: every minute the Worker's cron (under
// `npm start`, its local caller; see README) asks D1 for executions whose row is not terminal and
// has not changed for a while, and asks each one's Durable Object to reconcile: an object whose
// state differs from its row projects itself to D1 again (the execution and every task run), and
// every one is poked, so whatever a lost alarm or an eviction left undone goes on.
import { and, asc, inArray, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { executions } from "../../schema/db";
import { executionStub, type Reconciled } from "./object";

const STALL_MS = 5 * 60_000;
const BATCH = 200;
const ACTIVE = ["CREATED", "RUNNING", "RETRYING", "KILLING", "RESTARTED", "QUEUED"];

export type SweepReport = Record<Reconciled | "failed", number>;

export async function sweepStalledExecutions(env: Env, now = Date.now()): Promise<SweepReport> {
  const rows = await drizzle(env.DB)
    .select({ tenantId: executions.tenantId, id: executions.id, state: executions.state })
    .from(executions)
    .where(and(inArray(executions.state, ACTIVE), lt(executions.updatedAt, new Date(now - STALL_MS).toISOString())))
    .orderBy(asc(executions.updatedAt))
    .limit(BATCH);
  const outcomes = await Promise.allSettled(rows.map((r) => executionStub(env, r.tenantId, r.id).reconcile(r.state)));
  const report: SweepReport = { missing: 0, reprojected: 0, poked: 0, failed: 0 };
  for (const o of outcomes) report[o.status === "fulfilled" ? o.value : "failed"]++;
  if (report.reprojected || report.missing || report.failed) console.warn("sweep of stale executions", report);
  return report;
}
