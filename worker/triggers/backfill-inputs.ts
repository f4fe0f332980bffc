// A backfill's inputs that its flow declares SECRET (or ARRAY of SECRET): sealed with AES-GCM under
// SECRETS_KEY when the backfill is created, bound to the tenant, the trigger, the backfill and the
// input id, so the trigger object's SQLite (the backfill row and each pending firing) and the
// triggers API only ever hold `******`. They are opened when a firing is launched, and the new
// execution seals them again for itself (worker/secrets/inputs.ts).
import type { Input } from "../../schema/flow/types";
import { openAll, type Sealed, sealWith, secretsKey } from "../secrets/crypto";
import { isSecret } from "../secrets/inputs";
import { MASK } from "../secrets/masker";

type Vars = Record<string, unknown>;

/** What a backfill's sealed inputs are bound to. */
export interface BackfillBinding {
  tenantId: string;
  namespace: string;
  flowId: string;
  triggerId: string;
  backfillId: string;
}

const aad = (b: BackfillBinding, inputId: string) =>
  `backfill:${b.tenantId}/${b.namespace}/${b.flowId}/${b.triggerId}/${b.backfillId}/${inputId}`;

/**
 * The inputs with SECRET ones masked, and those sealed by input id. The inputs are as submitted
 * (a flat map keyed by input id, validated only at launch), so nothing else is touched.
 */
export async function sealBackfillInputs(
  env: { SECRETS_KEY?: string },
  binding: BackfillBinding,
  declared: Input[] | undefined,
  inputs: Vars | undefined,
): Promise<{ inputs: Vars | undefined; sealed: Record<string, Sealed> }> {
  const sealed: Record<string, Sealed> = {};
  if (!inputs) return { inputs, sealed };
  const masked: Vars = { ...inputs };
  for (const { id } of (declared ?? []).filter(isSecret)) {
    const value = inputs[id];
    if (!Object.hasOwn(inputs, id) || value === undefined || value === null) continue;
    sealed[id] = await sealWith(await secretsKey(env), aad(binding, id), JSON.stringify(value));
    masked[id] = MASK;
  }
  return { inputs: masked, sealed };
}

/** The plaintext of sealed backfill inputs, by input id; throws when one does not open here. */
export async function openBackfillInputs(
  env: { SECRETS_KEY?: string },
  binding: BackfillBinding,
  sealed: Record<string, Sealed>,
): Promise<Vars> {
  return Object.fromEntries(await openAll(env, sealed, (id) => aad(binding, id)));
}
