// The guard against a lost alarm: every minute the Worker's cron asks D1 for executions that are
// not terminal and have not progressed for a while, and pokes their Durable Objects.
import { and, inArray, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { executions } from "../../schema/db";
import { executionStub } from "./object";

const STALL_MS = 5 * 60_000;
const BATCH = 200;
const ACTIVE = ["CREATED", "RUNNING", "RETRYING", "KILLING", "RESTARTED", "QUEUED"];

export async function sweepStalledExecutions(env: Env, now = Date.now()): Promise<number> {
  const rows = await drizzle(env.DB)
    .select({ tenantId: executions.tenantId, id: executions.id })
    .from(executions)
    .where(and(inArray(executions.state, ACTIVE), lt(executions.updatedAt, new Date(now - STALL_MS).toISOString())))
    .limit(BATCH);
  await Promise.allSettled(rows.map((r) => executionStub(env, r.tenantId, r.id).poke()));
  return rows.length;
}
