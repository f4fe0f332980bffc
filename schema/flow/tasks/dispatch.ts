// The task dispatcher: canonicalises a task's `type`, picks its schema from the registry and validates it.
// Properties that the flow's pluginDefaults would supply count as present when validating, but the
// parsed task keeps only what the source wrote (defaults are applied later by applyPluginDefaults).
import * as z from "zod";
import { canonicalType } from "../aliases";
import { errorMap, withoutNulls } from "../common";
import { matchingDefaults, mergeDefaults } from "../defaults";
import type { PluginDefault, Task } from "../types";
import { bindTaskSchema } from "./ref";
import { NOT_RUN_TYPES, type TaskObjectSchema, taskSchemas } from "./registry";

let activeDefaults: readonly PluginDefault[] = [];

/** Runs `fn` (a synchronous parse) with the flow's pluginDefaults visible to the dispatcher. */
export function withPluginDefaults<T>(defaults: readonly PluginDefault[], fn: () => T): T {
  const previous = activeDefaults;
  activeDefaults = defaults;
  try {
    return fn();
  } finally {
    activeDefaults = previous;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type Ctx = z.core.$RefinementCtx<unknown>;

function forward(issues: readonly z.core.$ZodIssue[], ctx: Ctx): typeof z.NEVER {
  for (const issue of issues) ctx.issues.push({ ...issue, input: undefined });
  return z.NEVER;
}

function validate(schema: z.ZodType, value: unknown, ctx: Ctx): Task {
  const result = schema.safeParse(value, { error: errorMap });
  return result.success ? (result.data as Task) : forward(result.error.issues, ctx);
}

function validateWithDefaults(
  schema: TaskObjectSchema,
  task: Record<string, unknown> & { type: string },
  defaults: PluginDefault[],
  ctx: Ctx,
): Task {
  const merged: Record<string, unknown> = mergeDefaults(task, defaults);
  const check = schema.safeParse(merged, { error: errorMap });
  if (!check.success) return forward(check.error.issues, ctx);
  const parsed: Record<string, unknown> = { ...(check.data as Record<string, unknown>) };
  for (const key of Object.keys(merged)) {
    if (!(key in task)) delete parsed[key];
    else if (merged[key] !== task[key]) {
      // A default altered this property: keep the source's own value in the model.
      const own = (schema.shape[key] as z.ZodType | undefined)?.safeParse(task[key], { error: errorMap });
      if (own?.success) parsed[key] = own.data;
      else if (own)
        return forward(
          own.error.issues.map((i) => ({ ...i, path: [key, ...i.path] })),
          ctx,
        );
    }
  }
  return parsed as Task;
}

export const taskSchema: z.ZodType<Task> = z.unknown().transform((source, ctx): Task => {
  const raw = withoutNulls(source);
  if (!isRecord(raw)) {
    ctx.addIssue({ code: "custom", message: "A task must be a mapping with at least id and type" });
    return z.NEVER;
  }
  const type = raw.type;
  if (typeof type !== "string") {
    const message = type === undefined ? "Missing required property" : "Task type must be a string";
    ctx.addIssue({ code: "custom", path: ["type"], message });
    return z.NEVER;
  }
  const canonical = canonicalType(type);
  if (NOT_RUN_TYPES.has(canonical)) {
    const message = `Task type '${canonical}' is not supported by Peregrine (see the README for the types it runs)`;
    ctx.addIssue({ code: "custom", path: ["type"], message });
    return z.NEVER;
  }
  const schema = taskSchemas.get(canonical);
  if (!schema) {
    ctx.addIssue({ code: "custom", path: ["type"], message: `Unknown task type '${type}'` });
    return z.NEVER;
  }
  const task = { ...raw, type: canonical };
  const defaults = matchingDefaults(canonical, activeDefaults);
  return defaults.length === 0 ? validate(schema, task, ctx) : validateWithDefaults(schema, task, defaults, ctx);
});

bindTaskSchema(taskSchema);
