// The zod model of a whole flow (spec §1): every top-level key, strict, with the deprecated
// `taskDefaults` folded into `pluginDefaults` and server-owned keys (`revision`, `deleted`) dropped.
import * as z from "zod";
import { canonicalType } from "./aliases";
import { anyMap, FLOW_ID, flowLabels, NAMESPACE, retry, unsupported, withoutNulls } from "./common";
import { inputList, outputSchema } from "./inputs";
import { nonEmptyTaskList, taskList } from "./tasks/ref";
import { triggerSchema } from "./triggers";
import type { Flow, PluginDefault } from "./types";
import "./tasks/dispatch";

export const pluginDefaultSchema = z
  .strictObject({ type: z.string().min(1), forced: z.boolean().optional(), values: anyMap })
  .transform((d): PluginDefault => ({ ...d, type: canonicalType(d.type) }));

export const pluginDefaultList = z.array(pluginDefaultSchema);

export const flowSchema = z
  .preprocess(
    withoutNulls,
    z.strictObject({
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
      outputs: z.array(z.preprocess(withoutNulls, outputSchema)).optional(),
      variables: anyMap.optional(),
      tasks: nonEmptyTaskList,
      errors: taskList.optional(),
      finally: taskList.optional(),
      afterExecution: taskList.optional(),
      listeners: unsupported(
        "listeners (deprecated in Kestra) are not supported by Peregrine: use afterExecution, or a Flow trigger in another flow",
      ).optional(),
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
      sla: unsupported("Flow sla is not supported by Peregrine yet: no SLA would be checked").optional(),
      checks: unsupported(
        "Flow checks are not supported by Peregrine yet: no check would run before an execution",
      ).optional(),
      disabled: z.boolean().optional(),
      deleted: z.boolean().optional(),
      tenantId: z.unknown().optional(),
    }),
  )
  .superRefine((flow, ctx) => {
    if (flow.tenantId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["tenantId"], message: "tenantId cannot be set in a flow source" });
    }
  })
  .transform(({ revision: _r, deleted: _d, tenantId: _t, taskDefaults, pluginDefaults, ...rest }): Flow => {
    const defaults = [...(pluginDefaults ?? []), ...(taskDefaults ?? [])];
    return defaults.length > 0 ? { ...rest, pluginDefaults: defaults } : rest;
  });
