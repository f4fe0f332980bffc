// Resuming a paused execution with its Pause's onResume inputs: what the resume route and the
// execution.Resume task share. The inputs are validated like execution inputs against the
// Pause's declared onResume list, files are stored under the resumed execution, and SECRET
// values are sealed before they reach its object. The execution is found by tenant and id, so
// nothing of another tenant is ever resumed.
import type { Input } from "../../schema/flow/types";
import { database } from "../db/client";
import { getFlow } from "../db/flows";
import { buildFlowIndex } from "../engine/flow-index";
import { conflict, invalid, notFound } from "../errors";
import { resolveInputs, type SubmittedInputs } from "../launch/inputs";
import type { Sealed } from "../secrets/crypto";
import { sealOnResume } from "../secrets/outputs";
import { fileUri, putFile } from "../storage/files";
import { checkLimit, fileLimit } from "../storage/limits";
import { type ControlOutcome, executionStub } from "./object";

export interface ResumeTarget {
  tenantId: string;
  executionId: string;
  /** When given, the execution must be of this namespace and flow (as Kestra's Resume task asks). */
  namespace?: string;
  flowId?: string;
}

/** Resumes the execution or throws NotFound, Conflict (not paused) or Invalid (onResume inputs). */
export async function resumeExecution(
  env: Env,
  target: ResumeTarget,
  submitted: () => Promise<SubmittedInputs>,
  now: Date,
): Promise<void> {
  const { tenantId, executionId } = target;
  const stub = executionStub(env, tenantId, executionId);
  const [execution, paused] = await Promise.all([stub.summary(), stub.pausedTasks()]);
  const elsewhere =
    execution &&
    ((target.namespace !== undefined && execution.namespace !== target.namespace) ||
      (target.flowId !== undefined && execution.flowId !== target.flowId));
  if (!execution || !paused || elsewhere) throw notFound(`Execution '${executionId}' not found`);
  if (execution.state.current !== "PAUSED") throw conflict("Execution is not paused");
  // onResume inputs are declared on the Pause task; they are validated like execution inputs.
  const found = await getFlow(
    database(env.DB),
    tenantId,
    execution.namespace,
    execution.flowId,
    execution.flowRevision,
  );
  const pauseTask = paused[0] && found ? buildFlowIndex(found.flow).places.get(paused[0].taskId)?.task : undefined;
  const declared = (pauseTask?.onResume ?? []) as Input[];
  let onResume: Record<string, unknown> | undefined;
  let sealed: Record<string, Sealed> | undefined;
  if (declared.length) {
    const scope = { tenantId, namespace: execution.namespace, flowId: execution.flowId, executionId };
    const resolved = await resolveInputs(declared, await submitted(), {
      now,
      storeFile: (inputId, file) => {
        checkLimit(file.size, file.name || inputId, fileLimit(env));
        return putFile(env.STORAGE, tenantId, fileUri(scope, ["resume", inputId], file.name || inputId), file.stream());
      },
    });
    if (!resolved.ok) {
      const [first] = resolved.violations;
      throw invalid(`Invalid input '${first?.input}': ${first?.message}`, resolved.violations);
    }
    // SECRET values are sealed here: the execution's object receives and stores only the mask.
    ({ onResume, sealed } = await sealOnResume(env, { tenantId, executionId }, declared, resolved.inputs));
  }
  const outcome: ControlOutcome = await stub.resume(undefined, onResume, sealed);
  if (!outcome.ok) {
    if (outcome.reason === "not_found") throw notFound(outcome.message);
    if (outcome.reason === "conflict") throw conflict(outcome.message);
    throw invalid(outcome.message);
  }
}
