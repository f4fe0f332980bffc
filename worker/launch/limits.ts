// The tenant's start limits, applied to every execution that starts (launch/start.ts calls this
// once per start, whatever started it): the creation rate and the running executions (a 429 naming
// the limit, with Retry-After), and the depth of a chain of executions started by executions.
// A chain one step deeper than the limit ends in one FAILED execution that says why; a start
// deeper still (the FAILED one's own Flow triggers) is refused without creating anything, so a
// flow that triggers itself stops there.
import { type StartAdmission, tenantLimitsStub } from "../concurrency/tenant-limits";
import { assertNever, DomainError, RateLimited } from "../errors";

/** Past the tenant's maxChainDepth by more than one step: nothing is created. */
export class ChainTooDeep extends DomainError {
  override readonly name = "ChainTooDeep";
  readonly code = "invalid";
}

export interface StartVerdict {
  /** Set when the execution is to be stored FAILED with this reason instead of running. */
  refusal?: string;
  /** A running place was taken by this call (not one the execution already held). */
  fresh?: boolean;
}

export function chainDepthMessage(depth: number, max: number, correlationId: string): string {
  return (
    `Execution refused: it would be ${depth} executions deep in the chain of correlation id ` +
    `'${correlationId}' (Subflow, ForEachItem and Flow trigger starts), over the tenant's limit of ` +
    `${max} (settings/limits maxChainDepth). A flow that triggers itself, or a Subflow that calls ` +
    `its own flow, stops here.`
  );
}

export function verdictOf(admission: StartAdmission, depth: number, correlationId: string): StartVerdict {
  switch (admission.kind) {
    case "admitted":
      return { fresh: admission.fresh };
    case "too-deep": {
      const message = chainDepthMessage(depth, admission.maxChainDepth, correlationId);
      if (depth === admission.maxChainDepth + 1) return { refusal: message };
      throw new ChainTooDeep(message, { details: { limit: "maxChainDepth", max: admission.maxChainDepth } });
    }
    case "limited": {
      const what =
        admission.limit === "maxRunning"
          ? `${admission.max} executions not yet terminal`
          : `${admission.max} new executions per second`;
      throw new RateLimited(
        `Tenant limit reached: ${admission.limit} (${what}); retry in ${admission.retryAfterSeconds} s`,
        admission.retryAfterSeconds,
        { details: { limit: admission.limit, max: admission.max, retryAfterSeconds: admission.retryAfterSeconds } },
      );
    }
    default:
      return assertNever(admission, "start admission");
  }
}

/** Asks the tenant's limits object about one start; throws RateLimited or ChainTooDeep. */
export async function admitStart(
  env: Env,
  tenantId: string,
  executionId: string,
  depth: number,
  correlationId: string,
): Promise<StartVerdict> {
  const admission = await tenantLimitsStub(env, tenantId).admit(tenantId, executionId, depth);
  return verdictOf(admission, depth, correlationId);
}

/**
 * A restart runs an ended execution again, so it takes a running place like a start (and a
 * token of the creation rate); a restart the execution refuses gives back a place it took.
 */
export async function restartWithinLimits<T extends { ok: boolean }>(
  env: Env,
  tenantId: string,
  executionId: string,
  restart: () => Promise<T>,
): Promise<T> {
  const verdict = await admitStart(env, tenantId, executionId, 0, executionId);
  const outcome = await restart();
  if (!outcome.ok && verdict.fresh) await tenantLimitsStub(env, tenantId).release(executionId);
  return outcome;
}
