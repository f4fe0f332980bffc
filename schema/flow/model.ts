// The zod model of a whole flow (spec §1): every top-level key, strict, with the deprecated
// `taskDefaults` folded into `pluginDefaults` and server-owned keys (`revision`, `deleted`) dropped.
import { z } from "zod";
import { canonicalType } from "./aliases";
import { anyMap, duration, FLOW_ID, flowLabels, labels, NAMESPACE, retry } from "./common";
import { inputList, outputSchema } from "./inputs";
import { nonEmptyTaskList, taskList } from "./tasks/ref";
import { triggerSchema } from "./triggers";
import type { Flow, PluginDefault } from "./types";
import "./tasks/dispatch";

export const pluginDefaultSchema = z
  .strictObject({ type: z.string().min(1), forced: z.boolean().optional(), values: anyMap })
  .transform((d): PluginDefault => ({ ...d, type: canonicalType(d.type) }));

export const pluginDefaultList = z.array(pluginDefaultSchema);

const sla = z.strictObject({
  id: z.string(),
  type: z.enum(["MAX_DURATION", "EXECUTION_ASSERTION"]),
  behavior: z.enum(["FAIL", "CANCEL", "NONE"]),
  labels: labels.optional(),
  duration: duration.optional(),
  assert: z.string().optional(),
});

const check = z.strictObject({
  condition: z.string(),
  message: z.string(),
  style: z.string().optional(),
  behavior: z.string().optional(),
});

const listener = z.looseObject({});

export const flowSchema = z
  .strictObject({
    id: z.string().min(1).max(100).regex(FLOW_ID, { message: "Invalid id: must match ^[a-zA-Z0-9][a-zA-Z0-9._-]*" }),
    namespace: z
      .string()
      .min(1)
      .max(150)
      .regex(NAMESPACE, { message: "Invalid namespace: lowercase, must match ^[a-z0-9][a-z0-9._-]*" }),
    revision: z.number().int().min(1).optional(),
    description: z.string().optional(),
    labels: flowLabels.optional(),
    inputs: inputList.optional(),
    outputs: z.array(outputSchema).optional(),
    variables: anyMap.optional(),
    tasks: nonEmptyTaskList,
    errors: taskList.optional(),
    finally: taskList.optional(),
    afterExecution: taskList.optional(),
    listeners: z.array(listener).optional(),
    triggers: z.array(triggerSchema).optional(),
    pluginDefaults: pluginDefaultList.optional(),
    taskDefaults: pluginDefaultList.optional(),
    concurrency: z
      .strictObject({
        limit: z.number().int().min(1, { message: "Concurrency limit must be greater than 0" }),
        behavior: z.enum(["QUEUE", "CANCEL", "FAIL"]).default("QUEUE"),
      })
      .optional(),
    retry: retry.optional(),
    sla: z.array(sla).optional(),
    checks: z.array(check).optional(),
    disabled: z.boolean().optional(),
    deleted: z.boolean().optional(),
    tenantId: z.unknown().optional(),
  })
  .superRefine((flow, ctx) => {
    if (flow.tenantId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["tenantId"], message: "tenantId cannot be set in a flow source" });
    }
  })
  .transform(({ revision: _r, deleted: _d, tenantId: _t, taskDefaults, pluginDefaults, ...rest }): Flow => {
    const defaults = [...(pluginDefaults ?? []), ...(taskDefaults ?? [])];
    return defaults.length > 0 ? { ...rest, pluginDefaults: defaults } : rest;
  });
