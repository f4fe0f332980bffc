// Replaying an execution: a new execution of the same flow (or another revision of it) with the
// same inputs and labels, `parentId` = the original; from a task run, it starts with copies of the
// original's task runs but those after that one (engine/replay.ts) and with its state history. Used by `POST /{id}/replay` and the bulk replays.
import type { Db } from "../db/client";
import { getFlow } from "../db/flows";
import type { State } from "../engine/types";
import { invalid, notFound } from "../errors";
import type { ExecutionJson } from "../execution/json";
import { executionStub } from "../execution/object";
import { newId } from "../ids";
import { startExecution } from "../launch/start";

export async function replayExecution(
  env: Env,
  db: Db,
  tenantId: string,
  executionId: string,
  opts: { revision?: number; taskRunId?: string; latestRevision?: boolean },
): Promise<ExecutionJson> {
  const stub = executionStub(env, tenantId, executionId);
  const source = await stub.summary();
  if (!source || source.deleted) throw notFound(`Execution '${executionId}' not found`);
  const revision = opts.latestRevision ? undefined : (opts.revision ?? source.flowRevision);
  const found = await getFlow(db, tenantId, source.namespace, source.flowId, revision);
  if (!found) throw notFound(`Flow '${source.namespace}.${source.flowId}' revision not found`);
  const id = newId();
  const seed = opts.taskRunId ? await stub.replaySeed(id, opts.taskRunId) : undefined;
  if (opts.taskRunId && !seed) throw notFound(`Task run '${opts.taskRunId}' not found in execution '${source.id}'`);
  const sealed = await stub.sealedInputs();
  // From a task run, the new execution carries the original's history, RESTARTED (Kestra's
  // childExecution); from the start it is a fresh CREATED one.
  const state: State | undefined = seed
    ? {
        current: "RESTARTED",
        histories: [...source.state.histories, { state: "RESTARTED", date: new Date().toISOString() }],
      }
    : undefined;
  return startExecution(env, {
    id,
    seed: seed ?? undefined,
    state,
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
}

/**
 * `POST /{id}/restart?revision=`, as Kestra's: a new execution of that revision (`parentId` = the
 * original) carrying the original's history then RESTARTED, with its task runs but the errors and
 * finally ones, the failed and paused ones RESTARTED and their ancestors RUNNING.
 */
export async function restartOnRevision(
  env: Env,
  db: Db,
  tenantId: string,
  executionId: string,
  revision: number,
): Promise<ExecutionJson> {
  const stub = executionStub(env, tenantId, executionId);
  const source = await stub.summary();
  if (!source || source.deleted) throw notFound(`Execution '${executionId}' not found`);
  const found = await getFlow(db, tenantId, source.namespace, source.flowId, revision);
  if (!found) throw notFound(`Flow '${source.namespace}.${source.flowId}' revision ${revision} not found`);
  const id = newId();
  const seed = await stub.restartSeed(id);
  if (!seed) throw invalid("No task found to restart execution from!");
  const sealed = await stub.sealedInputs();
  return startExecution(env, {
    id,
    seed,
    state: {
      current: "RESTARTED",
      histories: [...source.state.histories, { state: "RESTARTED", date: new Date().toISOString() }],
    },
    tenantId,
    flow: found.flow,
    revision: found.revision,
    inputs: source.inputs,
    secretsFrom: sealed ? { executionId: source.id, sealed } : undefined,
    labels: source.labels,
    trigger: source.trigger,
    parentId: source.id,
    originalId: source.originalId,
    attemptNumber: source.metadata.attemptNumber + 1,
    originalCreatedDate: source.metadata.originalCreatedDate,
  });
}
