// The task registry: canonical type → strict zod schema of that type (common properties of §1.0 plus its own).
// A type absent from here is an unknown task type for Peregrine. The type names are exported as
// unions so that the worker's runners (worker/tasks/registry.ts) and flowable table
// (worker/engine/flowable-types.ts) must cover every type this schema accepts, or tsc fails.
import * as z from "zod";
import { commonTaskProps } from "./base";
import { flowableProps, notRunFlowableProps } from "./flowable";
import { notRunProps, runnableProps } from "./runnable";

const CORE = "io.kestra.plugin.core.";

/** Runnable types the validator accepts; each has a runner in worker/tasks/registry.ts. */
export type RunnableTaskType = `${typeof CORE}${keyof typeof runnableProps}`;
/** Flowable types the validator accepts; each has an entry in the engine's flowable table. */
export type FlowableTaskType = `${typeof CORE}${keyof typeof flowableProps}`;
/** Every task type a saved flow may hold. */
export type TaskType = RunnableTaskType | FlowableTaskType;

export type TaskObjectSchema = z.ZodObject<z.ZodRawShape>;

function build(props: Record<string, z.ZodRawShape>): Array<[string, TaskObjectSchema]> {
  return Object.entries(props).map(([name, own]) => [
    `${CORE}${name}`,
    z.strictObject({ ...commonTaskProps, ...own }) as unknown as TaskObjectSchema,
  ]);
}

export const taskSchemas: ReadonlyMap<string, TaskObjectSchema> = new Map([
  ...build(runnableProps),
  ...build(flowableProps),
]);

/** Core types Kestra has that Peregrine knows of but does not run: saving one is refused by name. */
export const NOT_RUN_TYPES: ReadonlySet<string> = new Set(
  [...Object.keys(notRunProps), ...Object.keys(notRunFlowableProps)].map((name) => `${CORE}${name}`),
);

export const RUNNABLE_TYPES: readonly RunnableTaskType[] = Object.keys(runnableProps).map(
  (name) => `${CORE}${name}` as RunnableTaskType,
);
export const FLOWABLE_TASK_TYPES: readonly FlowableTaskType[] = Object.keys(flowableProps).map(
  (name) => `${CORE}${name}` as FlowableTaskType,
);

export const TASK_TYPES: readonly TaskType[] = [...RUNNABLE_TYPES, ...FLOWABLE_TASK_TYPES];
