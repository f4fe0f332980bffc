// Executions under /api/v1/{tenant}/executions: create (multipart or JSON inputs), read from the
// execution's Durable Object (always current), search the D1 index, and control: kill, restart,
// change-status, delete, follow (SSE).
//
// `POST /{namespace}/{flowId}` and the action routes (`/{executionId}/pause`, `/restart/by-ids`…)
// read the same URLs. The start route comes first: when its path is also an action's, it starts
// the flow if that flow exists in the tenant and otherwise hands the request to the action.
import { Hono } from "hono";
import { searchExecutions } from "../db/executions";
import { findFlowRow } from "../db/flows";
import { STATES, type StateType } from "../engine/types";
import { conflict, invalid, notFound } from "../errors";
import { type ControlOutcome, executionStub } from "../execution/object";
import { resumeExecution } from "../execution/resume";
import { restartWithinLimits } from "../launch/limits";
import { type AppEnv, dbOf } from "./context";
import { revisionQuery, startFromRequest } from "./execution-start";
import { executionsBulk } from "./executions-bulk";
import { executionsExtra } from "./executions-extra";
import { pageOf, parseLabels } from "./query";
import { replayExecution, restartOnRevision } from "./replay";
import { readSubmittedInputs } from "./submitted-inputs";

function unwrap(outcome: ControlOutcome) {
  if (outcome.ok) return outcome.execution;
  switch (outcome.reason) {
    case "not_found":
      throw notFound(outcome.message);
    case "conflict":
      throw conflict(outcome.message);
    case "invalid":
      throw invalid(outcome.message);
    default: {
      const unknown: never = outcome.reason;
      throw new Error(`Unknown control outcome ${String(unknown)}`);
    }
  }
}

function parseState(value: string | undefined): StateType {
  const state = value?.toUpperCase();
  if (!state || !(STATES as readonly string[]).includes(state)) throw invalid(`Unknown state '${value ?? ""}'`);
  return state as StateType;
}

const actions = new Hono<AppEnv>()
  .route("/", executionsBulk)
  .route("/", executionsExtra)
  .get("/search", async (c) => {
    const q = c.req.query();
    const page = pageOf(q);
    const result = await searchExecutions(dbOf(c), c.get("tenantId"), {
      ...page,
      q: q.q,
      namespace: q.namespace,
      flowId: q.flowId,
      states: c.req.queries("state")?.map(parseState),
      startDate: q.startDate,
      endDate: q.endDate,
      labels: parseLabels(c.req.queries("labels")),
      triggerExecutionId: q.triggerExecutionId,
    });
    return c.json(result, 200);
  })
  .get("/:executionId", async (c) => {
    const json = await executionStub(c.env, c.get("tenantId"), c.req.param("executionId")).get();
    if (!json || json.deleted) throw notFound(`Execution '${c.req.param("executionId")}' not found`);
    return c.json(json, 200);
  })
  .get("/:executionId/follow", async (c) => {
    const stream = await executionStub(c.env, c.get("tenantId"), c.req.param("executionId")).follow();
    if (!stream) throw notFound(`Execution '${c.req.param("executionId")}' not found`);
    return new Response(stream, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" },
    });
  })
  .delete("/:executionId/kill", async (c) => {
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    const cascade = c.req.query("isOnKillCascade") !== "false";
    return c.json(unwrap(await stub.kill(cascade)), 202);
  })
  .post("/:executionId/restart", async (c) => {
    const revision = revisionQuery(c.req.query("revision"));
    if (revision !== undefined) {
      const restarted = await restartOnRevision(
        c.env,
        dbOf(c),
        c.get("tenantId"),
        c.req.param("executionId"),
        revision,
      );
      return c.json(restarted, 200);
    }
    const [tenantId, id] = [c.get("tenantId"), c.req.param("executionId")];
    const outcome = await restartWithinLimits(c.env, tenantId, id, () => executionStub(c.env, tenantId, id).restart());
    return c.json(unwrap(outcome), 200);
  })
  .post("/:executionId/replay", async (c) => {
    const replayed = await replayExecution(c.env, dbOf(c), c.get("tenantId"), c.req.param("executionId"), {
      revision: revisionQuery(c.req.query("revision")),
      taskRunId: c.req.query("taskRunId"),
    });
    return c.json(replayed, 200);
  })
  .post("/:executionId/pause", async (c) => {
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    return c.json(unwrap(await stub.pause()), 200);
  })
  .post("/:executionId/resume", async (c) => {
    const target = { tenantId: c.get("tenantId"), executionId: c.req.param("executionId") };
    await resumeExecution(c.env, target, () => readSubmittedInputs(c.req.raw), new Date());
    return c.body(null, 204);
  })
  .post("/:executionId/state", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { taskRunId?: unknown; state?: unknown } | null;
    if (!body || typeof body.taskRunId !== "string") throw invalid("taskRunId is required", { field: "taskRunId" });
    const state = parseState(typeof body.state === "string" ? body.state : undefined);
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    return c.json(unwrap(await stub.setTaskState(body.taskRunId, state)), 200);
  })
  .post("/:executionId/change-status", async (c) => {
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    return c.json(unwrap(await stub.changeStatus(parseState(c.req.query("status")))), 200);
  })
  .delete("/:executionId", async (c) => {
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    if (!(await stub.markDeleted())) throw notFound(`Execution '${c.req.param("executionId")}' not found`);
    return c.body(null, 204);
  });

/** Whether `POST /{a}/{b}` is also the path of an action route (`:executionId/pause`, `restart/by-ids`). */
const actionPaths = actions.routes
  .filter((r) => r.method === "POST")
  .map((r) => r.path.split("/").slice(1))
  .filter((segments) => segments.length === 2);

export function isActionPath(a: string, b: string): boolean {
  return actionPaths.some(([x, y]) => (x?.startsWith(":") || x === a) && y === b);
}

export const executions = new Hono<AppEnv>()
  .post("/:namespace/:flowId", async (c, next) => {
    const { namespace, flowId } = c.req.param();
    if (isActionPath(namespace, flowId)) {
      const flow = await findFlowRow(dbOf(c), c.get("tenantId"), namespace, flowId);
      if (!flow || flow.deleted) return next();
    }
    return startFromRequest(c, namespace, flowId);
  })
  .route("/", actions);
