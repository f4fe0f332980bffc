// Starting an execution from an HTTP request: `POST /executions/{namespace}/{flowId}` and its
// deprecated alias `POST /executions/trigger/{namespace}/{flowId}`. Reads the flow (or a revision),
// the labels, scheduleDate and the inputs (multipart, urlencoded or JSON), starts the execution
// and, with `wait=true`, answers when it ends.
import type { Context } from "hono";
import { getFlow } from "../db/flows";
import { conflict, invalid, notFound } from "../errors";
import { executionStub } from "../execution/object";
import { newId } from "../ids";
import { resolveInputs } from "../launch/inputs";
import { startExecution } from "../launch/start";
import { fileUri, putFile } from "../storage/files";
import { fileLimit } from "../storage/limits";
import { type AppEnv, dbOf } from "./context";
import { checkFileSize } from "./files";
import { parseLabels } from "./query";
import { readSubmittedInputs } from "./submitted-inputs";

const WAIT_LIMIT_MS = 10 * 60_000;

/** `?revision=`: absent, or a positive integer (422 otherwise). */
export function revisionQuery(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const revision = Number(raw);
  if (!(Number.isInteger(revision) && revision > 0)) {
    throw invalid(`revision must be a positive integer, got '${raw}'`, { field: "revision" });
  }
  return revision;
}

/** The flow a start request names, current or at `?revision=`; 404 when unknown, 409 when disabled. */
export async function flowToStart(c: Context<AppEnv>, namespace: string, flowId: string) {
  const found = await getFlow(dbOf(c), c.get("tenantId"), namespace, flowId, revisionQuery(c.req.query("revision")));
  if (!found) throw notFound(`Flow '${namespace}.${flowId}' not found`);
  if (found.disabled) throw conflict("Requested Flow is disabled.");
  return found;
}

export async function startFromRequest(c: Context<AppEnv>, namespace: string, flowId: string) {
  const tenantId = c.get("tenantId");
  const found = await flowToStart(c, namespace, flowId);

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
      return putFile(c.env.STORAGE, tenantId, fileUri(scope, ["inputs", inputId], file.name || inputId), file.stream());
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
}
