// Creating an execution: the one place that builds a new Execution (ids, labels and the
// correlation id, metadata, sealed SECRET inputs) and hands it to its Durable Object. The API,
// webhooks, schedules, flow triggers, subflows, ForEachItem, replays and retries all end here.
import type { Flow } from "../../schema/flow/types";
import { newState } from "../engine/state";
import type { EngineState, Execution, ExecutionTrigger, Label, State, TaskRun } from "../engine/types";
import type { ExecutionJson } from "../execution/json";
import { executionStub } from "../execution/object";
import { derivedId, newId } from "../ids";
import { checkStoredValue } from "../limits";
import { type SealSource, sealInputs } from "../secrets/inputs";
import { admitStart } from "./limits";

export interface StartOptions {
  tenantId: string;
  flow: Flow;
  revision: number;
  inputs?: Record<string, unknown>;
  labels?: Label[];
  trigger?: ExecutionTrigger;
  scheduleDate?: string;
  parentId?: string;
  originalId?: string;
  attemptNumber?: number;
  originalCreatedDate?: string;
  /** The waiting Subflow task run of a parent execution, told when this one ends. */
  parent?: { executionId: string; taskRunId: string };
  /** Task runs the execution starts with (a replay from a task run). */
  seed?: TaskRun[];
  /** The state it is created in, when not a fresh CREATED (a replay carries its original's history). */
  state?: State;
  /** Pre-allocated id, when files were stored under it before the execution existed. */
  id?: string;
  /** A replay's or retry's original, whose sealed SECRET inputs this execution takes over. */
  secretsFrom?: SealSource;
  /** Store it FAILED with this reason instead of running it (a Flow trigger whose inputs do not render). */
  refusal?: string;
  /** Inputs sealed like SECRET ones though the flow declares them otherwise (a parent's secrets). */
  alsoSecret?: string[];
  /** How many executions started one another before this one (launch/limits.ts); 0 from outside. */
  chainDepth?: number;
}

/** Flow labels (minus system ones), then the request's, then the correlation id. */
function executionLabels(flow: Flow, requested: Label[], id: string): Label[] {
  const labels: Label[] = [];
  const put = (key: string, value: string) => {
    const existing = labels.find((l) => l.key === key);
    if (existing) existing.value = value;
    else labels.push({ key, value });
  };
  for (const [key, value] of Object.entries(flow.labels ?? {})) if (!key.startsWith("system.")) put(key, value);
  for (const { key, value } of requested) put(key, value);
  if (!labels.some((l) => l.key === "system.correlationId")) put("system.correlationId", id);
  return labels;
}

export async function startExecution(env: Env, opts: StartOptions): Promise<ExecutionJson> {
  // Inputs and trigger variables live in the execution's rows: bounded, whatever path started it.
  checkStoredValue(
    opts.trigger?.variables ? { ...opts.inputs, ...opts.trigger.variables } : opts.inputs,
    "Inputs",
    "send large data as a FILE input, which is kept in storage",
  );
  const id = opts.id ?? newId();
  const now = new Date();
  const labels = executionLabels(opts.flow, opts.labels ?? [], id);
  const chainDepth = opts.chainDepth ?? 0;
  const correlationId = labels.find((l) => l.key === "system.correlationId")?.value ?? id;
  // The tenant's limits, before anything is stored: a refused start leaves nothing behind.
  const verdict = await admitStart(env, opts.tenantId, id, chainDepth, correlationId);
  const execution: Execution = {
    id,
    tenantId: opts.tenantId,
    namespace: opts.flow.namespace,
    flowId: opts.flow.id,
    flowRevision: opts.revision,
    labels,
    state: opts.state ?? newState(now),
    originalId: opts.originalId ?? id,
    metadata: {
      attemptNumber: opts.attemptNumber ?? 1,
      originalCreatedDate: opts.originalCreatedDate ?? now.toISOString(),
    },
    deleted: false,
  };
  // SECRET inputs are sealed here, the one place every execution is created, before it is stored.
  const secret = await sealInputs(
    env,
    { tenantId: opts.tenantId, executionId: id },
    opts.flow.inputs,
    opts.inputs,
    opts.secretsFrom,
    opts.alsoSecret,
  );
  const inputs = secret?.inputs ?? opts.inputs;
  if (inputs && Object.keys(inputs).length) execution.inputs = inputs;
  if (secret && Object.keys(secret.sealed).length) execution.secretInputs = secret.sealed;
  if (opts.trigger) execution.trigger = opts.trigger;
  if (opts.scheduleDate) execution.scheduleDate = opts.scheduleDate;
  if (opts.parentId) execution.parentId = opts.parentId;
  if (opts.parent) execution.parent = opts.parent;
  if (chainDepth > 0) execution.chainDepth = chainDepth;
  return executionStub(env, opts.tenantId, id).create(execution, opts.flow, opts.seed, verdict.refusal ?? opts.refusal);
}

/** CREATE_NEW_EXECUTION: replays an execution into a new one, attemptNumber + 1; a stable id makes it once. */
export async function startRetryExecution(env: Env, state: EngineState): Promise<string> {
  const { execution, flow } = state;
  const created = await startExecution(env, {
    id: await derivedId(execution.id, "retry"),
    tenantId: execution.tenantId,
    flow,
    revision: execution.flowRevision,
    inputs: execution.inputs,
    secretsFrom: execution.secretInputs && { executionId: execution.id, sealed: execution.secretInputs },
    labels: execution.labels,
    trigger: execution.trigger,
    parentId: execution.id,
    originalId: execution.originalId,
    attemptNumber: execution.metadata.attemptNumber + 1,
    originalCreatedDate: execution.metadata.originalCreatedDate,
    chainDepth: execution.chainDepth,
  });
  return created.id;
}
