// Flow triggers (spec §9): Schedule, Flow and Webhook with their own fields, older type names folded onto
// io.kestra.plugin.core.trigger.*. Conditions are kept loosely (type + fields) with canonical type names.
import * as z from "zod";
import { canonicalConditionType, canonicalTriggerType } from "./aliases";
import {
  anyMap,
  duration,
  errorMap,
  isIsoDuration,
  labels,
  logLevel,
  STATES,
  state,
  taskId,
  templBoolean,
  withoutNulls,
  workerGroup,
} from "./common";
import type { Trigger } from "./types";

/** Window lengths are java.time.Durations in Kestra: no templates, no years or months. */
const fixedDuration = z.string().refine((s) => isIsoDuration(s) && !/^[-+]?P[^T]*[YM]/i.test(s), {
  message: "Expected an ISO-8601 duration such as PT1H or P1D (no years or months)",
});

const timeOfDay = z.string().regex(/^\d{1,2}:\d{2}(:\d{2})?$/, { message: "Expected a time of day such as 09:00:00" });

/** Kestra's TimeWindow, for preconditions and MultipleCondition. */
const timeWindow = z.strictObject({
  type: z.enum(["DURATION_WINDOW", "SLIDING_WINDOW", "DAILY_TIME_DEADLINE", "DAILY_TIME_WINDOW"]).optional(),
  window: fixedDuration.optional(),
  windowAdvance: fixedDuration.optional(),
  startTime: timeOfDay.optional(),
  endTime: timeOfDay.optional(),
  deadline: timeOfDay.optional(),
});

/** The deprecated MultipleCondition (both package spellings): named conditions met within a window. */
const multipleCondition = z.looseObject({
  id: taskId.optional(),
  conditions: z
    .record(z.string(), z.looseObject({ type: z.string() }))
    .refine((m) => Object.keys(m).length > 0, { message: "MultipleCondition needs at least one named condition" }),
  window: fixedDuration.optional(),
  windowAdvance: fixedDuration.optional(),
  timeWindow: timeWindow.optional(),
  sla: timeWindow.optional(),
  resetOnSuccess: z.boolean().optional(),
});

const condition = z
  .looseObject({ type: z.string() })
  .superRefine((c, ctx) => {
    if (!/(^|\.)MultipleCondition$/.test(c.type)) return;
    const result = multipleCondition.safeParse(c, { error: errorMap });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, input: undefined });
  })
  .transform((c) => ({ ...c, type: canonicalConditionType(c.type) }));

/** An IANA zone Intl knows, e.g. Europe/Paris. */
const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: "Unknown time zone: expected an IANA name such as Europe/Paris" },
);

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
  timeWindow: timeWindow.optional(),
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
/** Shorter keys (1 character was accepted) are guessed in a few requests. */
export const MIN_WEBHOOK_KEY_LENGTH = 8;

const triggerSchemas: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  [
    `${TRIGGER}Schedule`,
    z.strictObject({
      ...common,
      cron: z.string().min(1),
      withSeconds: z.boolean().optional(),
      timezone: z.string().optional(),
      /** Start a tick while the previous execution still runs; by default the trigger is locked until it ends. */
      allowConcurrent: z.boolean().optional(),
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
      /** Peregrine extension: the zone daily windows are read in (Kestra uses the server's); UTC by default. */
      timezone: timezone.optional(),
    }),
  ],
  [
    `${TRIGGER}Webhook`,
    z.strictObject({
      ...common,
      key: z
        .string()
        .min(MIN_WEBHOOK_KEY_LENGTH, {
          message: `A webhook key must be at least ${MIN_WEBHOOK_KEY_LENGTH} characters: it is the URL's only credential`,
        })
        .max(256),
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

export const triggerSchema: z.ZodType<Trigger> = z.unknown().transform((source, ctx): Trigger => {
  const raw = withoutNulls(source);
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
