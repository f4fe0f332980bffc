// Turning a due trigger firing into an execution: the flow as it is now in D1, the trigger's
// `inputs` rendered with its variables and validated like any submitted inputs, its labels, and a
// deterministic execution id so that a firing delivered twice still creates one execution.
import type { Flow, Trigger } from "../../schema/flow/types";
import { database } from "../db/client";
import { getFlow } from "../db/flows";
import type { ExecutionTrigger, Label } from "../engine/types";
import { invalid } from "../errors";
import type { ExecutionJson } from "../execution/json";
import { render, renderDeep } from "../expressions";
import { SecretsUnavailable } from "../secrets/crypto";
import { openBackfillInputs } from "../triggers/backfill-inputs";
import { type ConditionContext, conditionsMet } from "../triggers/conditions";
import type { PendingStart } from "../triggers/store";
import { FLOW } from "../triggers/sync";
import { resolveInputs } from "./inputs";
import { ChainTooDeep } from "./limits";
import { startExecution } from "./start";

export type LaunchOutcome =
  | { ok: true; execution: ExecutionJson }
  /** Will never succeed (flow gone or disabled, bad inputs, conditions not met): drop it. */
  | { ok: false; permanent: true; reason: string; skipped?: boolean };

export const triggerLabels = (trigger: Trigger, extra: Label[] = []): Label[] => [
  ...Object.entries(trigger.labels ?? {}).map(([key, value]) => ({ key, value: String(value) })),
  ...extra,
];

export const flowVars = (tenantId: string, flow: Flow, revision: number) => ({
  id: flow.id,
  namespace: flow.namespace,
  revision,
  tenantId,
});

/** Renders the trigger's inputs and validates them against the flow's declared inputs. */
export async function triggerInputs(
  flow: Flow,
  trigger: Trigger,
  vars: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const rendered = (await renderDeep(trigger.inputs ?? {}, vars)) as Record<string, unknown>;
  return validatedInputs(flow, { ...rendered, ...overrides }, vars);
}

async function validatedInputs(
  flow: Flow,
  values: Record<string, unknown>,
  vars: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const resolved = await resolveInputs(
    flow.inputs,
    { values, files: {} },
    {
      now: new Date(),
      storeFile: () => Promise.reject(new Error("a trigger cannot upload files")),
      render: (template, v) => render(template, { ...vars, ...v }),
    },
  );
  if (!resolved.ok) {
    const [first] = resolved.violations;
    throw invalid(`Invalid input '${first?.input}': ${first?.message}`, resolved.violations);
  }
  return resolved.inputs;
}

/** Starts the execution a pending firing stands for; rejects only on transient failures. */
export async function launch(env: Env, tenantId: string, p: PendingStart): Promise<LaunchOutcome> {
  const found = await getFlow(database(env.DB), tenantId, p.namespace, p.flowId);
  if (!found) return { ok: false, permanent: true, reason: "the flow no longer exists" };
  if (found.disabled) return { ok: false, permanent: true, reason: "the flow is disabled", skipped: true };
  const vars = { flow: flowVars(tenantId, found.flow, found.revision), trigger: p.variables };
  if (p.calendar) {
    const ctx: ConditionContext = { vars, date: p.calendar.date, timezone: p.calendar.timezone };
    const outcome = await conditionsMet(p.trigger.conditions, ctx);
    if (!outcome.met) {
      return { ok: false, permanent: true, reason: outcome.error ?? "conditions not met", skipped: !outcome.error };
    }
  }
  let overrides = p.inputs;
  if (p.sealedInputs) {
    const { backfillId } = p.sealedInputs;
    const binding = { tenantId, namespace: p.namespace, flowId: p.flowId, triggerId: p.trigger.id, backfillId };
    try {
      overrides = { ...overrides, ...(await openBackfillInputs(env, binding, p.sealedInputs.inputs)) };
    } catch (e) {
      // A missing SECRETS_KEY may yet be set (retried); a value that does not open never will.
      if (e instanceof SecretsUnavailable) throw e;
      return { ok: false, permanent: true, reason: "the backfill's SECRET inputs could not be decrypted" };
    }
  }
  let inputs: Record<string, unknown>;
  let rendered: Record<string, unknown>;
  let refusal: string | undefined;
  try {
    rendered = { ...((await renderDeep(p.trigger.inputs ?? {}, vars)) as Record<string, unknown>), ...overrides };
  } catch (e) {
    if (p.trigger.type !== FLOW) return { ok: false, permanent: true, reason: (e as Error).message };
    // Kestra creates a Flow trigger's execution FAILED when its inputs cannot be rendered: the
    // firing shows, with the reason in its logs, instead of vanishing.
    rendered = { ...overrides };
    refusal = `Unable to render the Flow trigger's inputs: ${(e as Error).message}`;
  }
  try {
    inputs = refusal ? rendered : await validatedInputs(found.flow, rendered, vars);
  } catch (e) {
    // Kestra starts a Flow trigger's execution with its rendered inputs as they are; typing them
    // against the listener's declarations is ours, and must not cost the firing.
    if (p.trigger.type !== FLOW) return { ok: false, permanent: true, reason: (e as Error).message };
    console.warn(
      `flow trigger ${p.namespace}.${p.flowId}.${p.trigger.id}: ${(e as Error).message}; started as rendered`,
    );
    inputs = rendered;
  }
  const trigger: ExecutionTrigger = { id: p.trigger.id, type: p.trigger.type, variables: p.variables };
  try {
    const execution = await startExecution(env, {
      id: p.executionId,
      tenantId,
      flow: found.flow,
      revision: found.revision,
      inputs,
      labels: triggerLabels(p.trigger, p.labels),
      trigger,
      chainDepth: p.chainDepth,
      refusal,
    });
    return { ok: true, execution };
  } catch (e) {
    // Over the chain depth: never. Over a rate or the running limit: rejected, retried later.
    if (e instanceof ChainTooDeep) return { ok: false, permanent: true, reason: e.message };
    throw e;
  }
}
