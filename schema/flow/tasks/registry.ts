// The task registry: canonical type → strict zod schema of that type (common properties of §1.0 plus its own).
// A type absent from here is an unknown task type for Peregrine.
import { z } from "zod";
import { commonTaskProps } from "./base";
import { flowableProps } from "./flowable";
import { runnableProps } from "./runnable";

const CORE = "io.kestra.plugin.core.";

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

/** Types whose children the executor schedules (no worker attempt of their own). */
export const FLOWABLE_TYPES: ReadonlySet<string> = new Set(
  Object.keys(flowableProps)
    .filter((name) => name !== "flow.Subflow" && name !== "flow.ForEachItem")
    .map((name) => `${CORE}${name}`),
);

export const TASK_TYPES: readonly string[] = [...taskSchemas.keys()];
