// SECRET inputs (spec §1.1: encrypted at rest, decrypted when rendered, masked in logs). When an
// execution is created, every input its flow declares as SECRET (or ARRAY of SECRET) is sealed
// with AES-GCM under SECRETS_KEY, bound to the tenant, the execution and the input id, into
// `execution.secretInputs`; `inputs` keeps only the mask. So the API's responses, the D1 index and
// the Durable Object's own SQLite never hold the plaintext. Inside the execution the values are
// opened once per Durable Object instance, put back into `inputs` for rendering only, and handed
// to the masker like any secret() value so that whatever leaves the run is masked.
import type { Input } from "../../schema/flow/types";
import type { Execution } from "../engine/types";
import { openAll, openOnce, openWith, type Sealed, sealWith, secretsKey } from "./crypto";
import { MASK, type SecretMasker } from "./masker";

/** Input id (dotted for nested inputs) → its sealed value, as JSON text. */
export type SealedInputs = Record<string, Sealed>;

type Vars = Record<string, unknown>;

const aad = (tenantId: string, executionId: string, inputId: string) => `input:${tenantId}/${executionId}/${inputId}`;

export function isSecret(input: Input): boolean {
  return input.type === "SECRET" || (input.type === "ARRAY" && input.itemType === "SECRET");
}

export const isMap = (v: unknown): v is Vars => v !== null && typeof v === "object" && !Array.isArray(v);

/** `a.b` in nested inputs (ids with dots become nested maps, as nestInputs builds them). */
export function valueAt(inputs: Vars | undefined, id: string): unknown {
  let node: unknown = inputs;
  for (const part of id.split(".")) node = isMap(node) ? node[part] : undefined;
  return node;
}

/** A copy of `inputs` with `value` at `id`: the maps on the way are copied, never mutated. */
export function withValueAt(inputs: Vars, id: string, value: unknown): Vars {
  return withValueAtPath(inputs, id.split("."), value);
}

/** As withValueAt, for a path whose keys may themselves hold dots (task ids, loop values). */
export function withValueAtPath(map: Vars, path: string[], value: unknown): Vars {
  const [key, ...rest] = path;
  if (key === undefined) return map;
  if (!rest.length) return { ...map, [key]: value };
  const child = map[key];
  return { ...map, [key]: withValueAtPath(isMap(child) ? child : {}, rest, value) };
}

export interface SealSource {
  /** The execution the sealed values were bound to (a replay's or a retry's original). */
  executionId: string;
  sealed: SealedInputs;
}

/**
 * Seals the SECRET inputs of a new execution and masks them in its inputs; undefined when there
 * are none. A replay or retry passes its original's sealed values in `from`: they are opened
 * under the original's binding and sealed again under the new execution's, whatever the flow now
 * declares. `also` names inputs sealed though not declared SECRET: a subflow's inputs that hold a
 * value its parent knows to be secret.
 */
export async function sealInputs(
  env: { SECRETS_KEY?: string },
  where: { tenantId: string; executionId: string },
  declared: Input[] | undefined,
  inputs: Vars | undefined,
  from?: SealSource,
  also: string[] = [],
): Promise<{ inputs: Vars; sealed: SealedInputs } | undefined> {
  const secret = new Set([
    ...(declared ?? []).filter(isSecret).map((i) => i.id),
    ...also,
    ...Object.keys(from?.sealed ?? {}),
  ]);
  if (!secret.size) return undefined;
  let masked: Vars = inputs ?? {};
  const sealed: SealedInputs = {};
  for (const id of secret) {
    const original = from?.sealed[id];
    let plaintext: string;
    if (original && from) {
      plaintext = await openWith(await secretsKey(env), aad(where.tenantId, from.executionId, id), original);
    } else {
      const value = valueAt(inputs, id);
      if (value === undefined || value === null) continue;
      plaintext = JSON.stringify(value);
    }
    sealed[id] = await sealWith(await secretsKey(env), aad(where.tenantId, where.executionId, id), plaintext);
    masked = withValueAt(masked, id, MASK);
  }
  return { inputs: masked, sealed };
}

const opened = new WeakMap<Execution, Promise<Map<string, unknown>>>();

/** The plaintext values of an execution's SECRET inputs, opened once per execution object. */
function openInputs(env: { SECRETS_KEY?: string }, execution: Execution): Promise<Map<string, unknown>> {
  return openOnce(opened, execution, () =>
    openAll(env, execution.secretInputs ?? {}, (id) => aad(execution.tenantId, execution.id, id)),
  );
}

/** Gives every string in `value` (at any depth) to the masker. */
export function reveal(masker: SecretMasker, value: unknown): void {
  if (typeof value === "string") masker.reveal(value);
  // A number sealed as secret (a parent's secret given to an INT input) is masked as its text.
  else if (typeof value === "number") masker.reveal(String(value));
  else if (Array.isArray(value)) for (const v of value) reveal(masker, v);
  else if (isMap(value)) for (const v of Object.values(value)) reveal(masker, v);
}

/**
 * `vars` with the execution's SECRET inputs in plaintext under `inputs`, each value also given to
 * `masker`. The same `vars` when the execution has none.
 */
export async function withSecretInputs(
  env: { SECRETS_KEY?: string },
  execution: Execution,
  vars: Vars,
  masker: SecretMasker,
): Promise<Vars> {
  if (!execution.secretInputs || !Object.keys(execution.secretInputs).length) return vars;
  let inputs = isMap(vars.inputs) ? vars.inputs : {};
  for (const [id, value] of await openInputs(env, execution)) {
    reveal(masker, value);
    inputs = withValueAt(inputs, id, value);
  }
  return { ...vars, inputs };
}
