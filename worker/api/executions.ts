// Executions under /api/v1/{tenant}/executions: create (multipart or JSON inputs), read from the
// execution's Durable Object (always current), search the D1 index, and control: kill, restart,
// change-status, delete, follow (SSE).
//
// `POST /{namespace}/{flowId}` and the action routes (`/{executionId}/pause`, `/restart/by-ids`…)
// read the same URLs. The start route comes first: when its path is also an action's, it starts
// the flow if that flow exists in the tenant and otherwise hands the request to the action.
import { Hono } from "hono";
import type { Input } from "../../schema/flow/types";
import { searchExecutions } from "../db/executions";
import { findFlowRow, getFlow } from "../db/flows";
import { buildFlowIndex } from "../engine/flow-index";
import { STATES, type StateType } from "../engine/types";
import { conflict, invalid, notFound } from "../errors";
import type { ControlOutcome } from "../execution/durable-object";
import { readSubmittedInputs, resolveInputs } from "../execution/inputs";
import { executionStub } from "../execution/start";
import type { Sealed } from "../secrets/crypto";
import { sealOnResume } from "../secrets/outputs";
import { fileUri, putFile } from "../storage/files";
import { fileLimit } from "../storage/limits";
import { type AppEnv, dbOf } from "./context";
import { revisionQuery, startFromRequest } from "./execution-start";
import { executionsBulk } from "./executions-bulk";
import { executionsExtra } from "./executions-extra";
import { checkFileSize } from "./files";
import { pageOf, parseLabels } from "./query";
import { replayExecution } from "./replay";

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
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    return c.json(unwrap(await stub.restart()), 200);
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
    const tenantId = c.get("tenantId");
    const executionId = c.req.param("executionId");
    const stub = executionStub(c.env, tenantId, executionId);
    const [execution, paused] = await Promise.all([stub.summary(), stub.pausedTasks()]);
    if (!execution || !paused) throw notFound(`Execution '${executionId}' not found`);
    if (execution.state.current !== "PAUSED") throw conflict("Execution is not paused");
    // onResume inputs are declared on the Pause task; they are validated like execution inputs.
    const found = await getFlow(dbOf(c), tenantId, execution.namespace, execution.flowId, execution.flowRevision);
    const pauseTask = paused[0] && found ? buildFlowIndex(found.flow).places.get(paused[0].taskId)?.task : undefined;
    const declared = (pauseTask?.onResume ?? []) as Input[];
    let onResume: Record<string, unknown> | undefined;
    let sealed: Record<string, Sealed> | undefined;
    if (declared.length) {
      const scope = { tenantId, namespace: execution.namespace, flowId: execution.flowId, executionId };
      const resolved = await resolveInputs(declared, await readSubmittedInputs(c.req.raw), {
        now: new Date(),
        storeFile: (inputId, file) => {
          checkFileSize(file.size, file.name || inputId, fileLimit(c.env));
          return putFile(
            c.env.STORAGE,
            tenantId,
            fileUri(scope, ["resume", inputId], file.name || inputId),
            file.stream(),
          );
        },
      });
      if (!resolved.ok) {
        const [first] = resolved.violations;
        throw invalid(`Invalid input '${first?.input}': ${first?.message}`, resolved.violations);
      }
      // SECRET values are sealed here: the execution's object receives and stores only the mask.
      ({ onResume, sealed } = await sealOnResume(c.env, { tenantId, executionId }, declared, resolved.inputs));
    }
    unwrap(await stub.resume(undefined, onResume, sealed));
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
