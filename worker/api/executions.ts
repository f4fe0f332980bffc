// Executions under /api/v1/{tenant}/executions: create (multipart or JSON inputs), read from the
// execution's Durable Object (always current), search the D1 index, and control: kill, restart,
// change-status, delete, follow (SSE). Routes with a literal second segment come before
// `/:namespace/:flowId` so that `/{id}/restart` is never read as a flow.
import { Hono } from "hono";
import type { Input } from "../../schema/flow/types";
import { searchExecutions } from "../db/executions";
import { getFlow } from "../db/flows";
import { buildFlowIndex } from "../engine/flow-index";
import { STATES, type StateType } from "../engine/types";
import { conflict, invalid, notFound } from "../errors";
import type { ControlOutcome } from "../execution/durable-object";
import { readSubmittedInputs, resolveInputs } from "../execution/inputs";
import { executionStub, startExecution } from "../execution/start";
import { newId } from "../ids";
import type { Sealed } from "../secrets/crypto";
import { sealOnResume } from "../secrets/outputs";
import { fileUri, putFile } from "../storage/files";
import { fileLimit } from "../storage/limits";
import { type AppEnv, dbOf } from "./context";
import { checkFileSize } from "./files";
import { pageOf, parseLabels } from "./query";

const WAIT_LIMIT_MS = 10 * 60_000;

function unwrap(outcome: ControlOutcome) {
  if (outcome.ok) return outcome.execution;
  throw outcome.reason === "not_found" ? notFound(outcome.message) : conflict(outcome.message);
}

function parseState(value: string | undefined): StateType {
  const state = value?.toUpperCase();
  if (!state || !(STATES as readonly string[]).includes(state)) throw invalid(`Unknown state '${value ?? ""}'`);
  return state as StateType;
}

export const executions = new Hono<AppEnv>()
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
    return c.json(unwrap(await stub.kill()), 202);
  })
  .post("/:executionId/restart", async (c) => {
    const stub = executionStub(c.env, c.get("tenantId"), c.req.param("executionId"));
    return c.json(unwrap(await stub.restart()), 200);
  })
  .post("/:executionId/replay", async (c) => {
    const tenantId = c.get("tenantId");
    const stub = executionStub(c.env, tenantId, c.req.param("executionId"));
    const source = await stub.summary();
    if (!source || source.deleted) throw notFound(`Execution '${c.req.param("executionId")}' not found`);
    const revisionParam = c.req.query("revision");
    const found = await getFlow(
      dbOf(c),
      tenantId,
      source.namespace,
      source.flowId,
      revisionParam ? Number(revisionParam) : source.flowRevision,
    );
    if (!found) throw notFound(`Flow '${source.namespace}.${source.flowId}' revision not found`);
    const id = newId();
    const taskRunId = c.req.query("taskRunId");
    const seed = taskRunId ? await stub.replaySeed(id, taskRunId) : undefined;
    if (taskRunId && !seed) throw notFound(`Task run '${taskRunId}' not found in execution '${source.id}'`);
    const sealed = await stub.sealedInputs();
    const replayed = await startExecution(c.env, {
      id,
      seed: seed ?? undefined,
      tenantId,
      flow: found.flow,
      revision: found.revision,
      inputs: source.inputs,
      secretsFrom: sealed ? { executionId: source.id, sealed } : undefined,
      labels: source.labels,
      trigger: source.trigger,
      parentId: source.id,
      originalId: source.originalId,
      attemptNumber: source.metadata.attemptNumber,
      originalCreatedDate: source.metadata.originalCreatedDate,
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
  })
  .post("/:namespace/:flowId", async (c) => {
    const tenantId = c.get("tenantId");
    const { namespace, flowId } = c.req.param();
    const revisionParam = c.req.query("revision");
    const revision = revisionParam === undefined ? undefined : Number(revisionParam);
    if (revision !== undefined && !(Number.isInteger(revision) && revision > 0)) {
      throw invalid(`revision must be a positive integer, got '${revisionParam}'`);
    }
    const found = await getFlow(dbOf(c), tenantId, namespace, flowId, revision);
    if (!found) throw notFound(`Flow '${namespace}.${flowId}' not found`);
    if (found.disabled) throw conflict("Requested Flow is disabled.");

    const labels = parseLabels(c.req.queries("labels"));
    for (const label of labels) {
      if (label.key.startsWith("system.") && label.key !== "system.correlationId") {
        throw invalid(`Label '${label.key}' is reserved: only system.correlationId may be set`, { field: "labels" });
      }
    }
    const scheduleDate = c.req.query("scheduleDate");
    if (scheduleDate !== undefined && Number.isNaN(Date.parse(scheduleDate))) {
      throw invalid(`scheduleDate must be an ISO-8601 date, got '${scheduleDate}'`, { field: "scheduleDate" });
    }

    const id = newId();
    const scope = { tenantId, namespace, flowId, executionId: id };
    const submitted = await readSubmittedInputs(c.req.raw);
    const resolved = await resolveInputs(found.flow.inputs, submitted, {
      now: new Date(),
      storeFile: (inputId, file) => {
        checkFileSize(file.size, file.name || inputId, fileLimit(c.env));
        return putFile(
          c.env.STORAGE,
          tenantId,
          fileUri(scope, ["inputs", inputId], file.name || inputId),
          file.stream(),
        );
      },
    });
    if (!resolved.ok) {
      const [first] = resolved.violations;
      throw invalid(`Invalid input '${first?.input}': ${first?.message}`, resolved.violations);
    }

    const created = await startExecution(c.env, {
      id,
      tenantId,
      flow: found.flow,
      revision: found.revision,
      inputs: resolved.inputs,
      labels,
      scheduleDate: scheduleDate ? new Date(scheduleDate).toISOString() : undefined,
    });
    const url = new URL(c.req.url);
    const body = { ...created, url: `${url.origin}/ui/${tenantId}/executions/${namespace}/${flowId}/${id}` };
    if (c.req.query("wait") !== "true") return c.json(body, 200);
    const ended = await executionStub(c.env, tenantId, id).waitForEnd(WAIT_LIMIT_MS);
    return c.json({ ...body, ...ended }, 200);
  });
