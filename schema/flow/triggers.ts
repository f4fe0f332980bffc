// Flow triggers (spec §9): Schedule, Flow and Webhook with their own fields, older type names folded onto
// io.kestra.plugin.core.trigger.*. Conditions are kept loosely (type + fields) with canonical type names.
import { z } from "zod";
import { canonicalConditionType, canonicalTriggerType } from "./aliases";
import {
  anyMap,
  duration,
  errorMap,
  labels,
  logLevel,
  STATES,
  state,
  taskId,
  templBoolean,
  workerGroup,
} from "./common";
import type { Trigger } from "./types";

const condition = z
  .looseObject({ type: z.string() })
  .transform((c) => ({ ...c, type: canonicalConditionType(c.type) }));

const common = {
  id: taskId,
  type: z.string(),
  description: z.string().optional(),
  conditions: z.array(condition).optional(),
  disabled: z.boolean().optional(),
  workerGroup: workerGroup.optional(),
  logLevel: logLevel.optional(),
  minLogLevel: logLevel.optional(),
  logToFile: z.boolean().optional(),
  labels: labels.optional(),
  stopAfter: z.array(state).optional(),
};

const filter = z.strictObject({
  field: z.enum(["FLOW_ID", "NAMESPACE", "STATE", "EXPRESSION"]),
  type: z.enum([
    "EQUAL_TO",
    "NOT_EQUAL_TO",
    "IN",
    "NOT_IN",
    "IS_TRUE",
    "IS_FALSE",
    "IS_NULL",
    "IS_NOT_NULL",
    "STARTS_WITH",
    "ENDS_WITH",
    "REGEX",
    "CONTAINS",
  ]),
  value: z.string().optional(),
  values: z.array(z.string()).optional(),
});

const preconditions = z.strictObject({
  id: taskId.optional(),
  timeWindow: anyMap.optional(),
  resetOnSuccess: z.boolean().optional(),
  flows: z
    .array(
      z.strictObject({
        namespace: z.string(),
        flowId: z.string(),
        states: z.array(state).optional(),
        labels: labels.optional(),
      }),
    )
    .optional(),
  where: z
    .array(z.strictObject({ id: z.string(), operand: z.enum(["AND", "OR"]).optional(), filters: z.array(filter) }))
    .optional(),
});

const TRIGGER = "io.kestra.plugin.core.trigger.";

const triggerSchemas: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  [
    `${TRIGGER}Schedule`,
    z.strictObject({
      ...common,
      cron: z.string().min(1),
      withSeconds: z.boolean().optional(),
      timezone: z.string().optional(),
      inputs: anyMap.optional(),
      lateMaximumDelay: duration.optional(),
      recoverMissedSchedules: z.enum(["LAST", "NONE", "ALL"]).optional(),
      backfill: anyMap.nullable().optional(),
      scheduleConditions: z.array(condition).optional(),
    }),
  ],
  [
    `${TRIGGER}Flow`,
    z.strictObject({
      ...common,
      states: z.array(z.enum(STATES)).optional(),
      inputs: anyMap.optional(),
      preconditions: preconditions.optional(),
    }),
  ],
  [
    `${TRIGGER}Webhook`,
    z.strictObject({
      ...common,
      key: z.string().min(1).max(256),
      /**
       * Peregrine extension: a template rendered against the delivery (`trigger.body`, `headers`,
       * `parameters`) whose value de-duplicates deliveries like an Idempotency-Key header.
       */
      idempotencyKey: z.string().min(1).max(1024).optional(),
      inputs: anyMap.optional(),
      wait: templBoolean.optional(),
      returnOutputs: templBoolean.optional(),
    }),
  ],
]);

export const TRIGGER_TYPES: readonly string[] = [...triggerSchemas.keys()];

export const triggerSchema: z.ZodType<Trigger> = z.unknown().transform((raw, ctx): Trigger => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    ctx.addIssue({ code: "custom", message: "A trigger must be a mapping with at least id and type" });
    return z.NEVER;
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== "string") {
    ctx.addIssue({ code: "custom", path: ["type"], message: "Missing required property" });
    return z.NEVER;
  }
  const canonical = canonicalTriggerType(type);
  const schema = triggerSchemas.get(canonical);
  if (!schema) {
    ctx.addIssue({ code: "custom", path: ["type"], message: `Unknown trigger type '${type}'` });
    return z.NEVER;
  }
  const result = schema.safeParse({ ...raw, type: canonical }, { error: errorMap });
  if (result.success) return result.data as Trigger;
  for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: undefined });
  return z.NEVER;
});
