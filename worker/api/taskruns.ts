// Task runs under /api/v1/{tenant}/taskruns: the search over the D1 index, with the filters
// Kestra has plus executionId and taskId (for the SDK's task run views).
import { Hono } from "hono";
import { searchTaskRuns } from "../db/executions";
import { STATES, type StateType } from "../engine/types";
import { invalid } from "../errors";
import { type AppEnv, dbOf } from "./context";
import { pageOf } from "./query";

export const taskRunsApi = new Hono<AppEnv>().get("/search", async (c) => {
  const q = c.req.query();
  const states = c.req.queries("state")?.map((s) => {
    const up = s.toUpperCase();
    if (!(STATES as readonly string[]).includes(up)) throw invalid(`Unknown state '${s}'`, { field: "state" });
    return up as StateType;
  });
  const result = await searchTaskRuns(dbOf(c), c.get("tenantId"), {
    ...pageOf(q),
    q: q.q,
    namespace: q.namespace,
    flowId: q.flowId,
    executionId: q.executionId,
    taskId: q.taskId,
    states,
    startDate: q.startDate,
    endDate: q.endDate,
  });
  return c.json(result, 200);
});
