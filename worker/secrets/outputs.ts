// SECRET values a task run holds in its outputs: a Pause's `onResume` inputs of type SECRET (or
// ARRAY of SECRET). As for SECRET execution inputs (./inputs.ts), the resume request seals them
// with AES-GCM under SECRETS_KEY, bound to the tenant, the execution and their place in the
// outputs, and the task run's `outputs` keep only the mask: the API's responses, the D1 index and
// the object's SQLite never hold the plaintext. Only rendering opens them, into the `outputs`
// variables of that one render, and hands them to the masker so whatever leaves the run is masked.
import type { Input } from "../../schema/flow/types";
import type { ExecutionMachine } from "../engine/machine";
import type { TaskRun } from "../engine/types";
import { sealedOutputs } from "../engine/variables";
import { openAll, openOnce, openWith, type Sealed, sealWith, secretsKey } from "./crypto";
import { isMap, isSecret, reveal, valueAt, withValueAt, withValueAtPath } from "./inputs";
import { MASK, type SecretMasker } from "./masker";

type Vars = Record<string, unknown>;
type KeyEnv = { SECRETS_KEY?: string };

/** `at` is the dotted path in the task run's outputs (`onResume.x`). */
const aad = (tenantId: string, executionId: string, at: string) => `output:${tenantId}/${executionId}/${at}`;

/**
 * Seals the SECRET ones among a Pause's validated onResume inputs and masks them; the values
 * unchanged and nothing sealed when the Pause declares none.
 */
export async function sealOnResume(
  env: KeyEnv,
  where: { tenantId: string; executionId: string },
  declared: Input[],
  values: Vars,
): Promise<{ onResume: Vars; sealed: Record<string, Sealed> }> {
  let onResume = values;
  const sealed: Record<string, Sealed> = {};
  for (const { id } of declared.filter(isSecret)) {
    const value = valueAt(values, id);
    if (value === undefined || value === null) continue;
    const at = `onResume.${id}`;
    sealed[id] = await sealWith(
      await secretsKey(env),
      aad(where.tenantId, where.executionId, at),
      JSON.stringify(value),
    );
    onResume = withValueAt(onResume, id, MASK);
  }
  return { onResume, sealed };
}

const opened = new WeakMap<Record<string, Sealed>, Promise<Map<string, unknown>>>();

/** The plaintext values of a task run's sealed outputs, opened once per stored record. */
function openOutputs(env: KeyEnv, executionOf: { tenantId: string; id: string }, run: TaskRun) {
  const record = run.meta?.sealedOutputs ?? {};
  return openOnce(opened, record, () => openAll(env, record, (at) => aad(executionOf.tenantId, executionOf.id, at)));
}

/**
 * `vars` with every sealed output in plaintext under `outputs` (at the task run's place in the
 * view, loop values included), each value also given to `masker`. The same `vars` when the
 * execution has none. The cached view is copied along the changed paths, never mutated.
 */
export async function withSecretOutputs(
  env: KeyEnv,
  machine: ExecutionMachine,
  vars: Vars,
  masker: SecretMasker,
): Promise<Vars> {
  const holders = sealedOutputs(machine);
  if (!holders.length) return vars;
  let outputs = isMap(vars.outputs) ? vars.outputs : {};
  for (const { run, path } of holders) {
    for (const [at, value] of await openOutputs(env, machine.execution, run)) {
      reveal(masker, value);
      outputs = withValueAtPath(outputs, [...path, ...at.split(".")], value);
    }
  }
  return { ...vars, outputs };
}

/**
 * A replay's copies of task runs with sealed outputs: opened under the original execution's
 * binding and sealed again under the new one's, so the replay reads the same values.
 */
export async function resealOutputs(
  env: KeyEnv,
  tenantId: string,
  from: string,
  to: string,
  runs: TaskRun[],
): Promise<TaskRun[]> {
  for (const run of runs) {
    const record = run.meta?.sealedOutputs;
    if (!record) continue;
    const key = await secretsKey(env);
    const again: Record<string, Sealed> = {};
    for (const [at, sealed] of Object.entries(record)) {
      again[at] = await sealWith(key, aad(tenantId, to, at), await openWith(key, aad(tenantId, from, at), sealed));
    }
    run.meta = { ...run.meta, sealedOutputs: again };
  }
  return runs;
}
