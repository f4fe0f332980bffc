// Zod building blocks shared by the flow, input, task and trigger schemas: id patterns, durations,
// values that Kestra lets be templated, labels in both spellings, retry policies, the error map.
import * as z from "zod";
import type { RetryPolicy } from "./types";

const TEMPLATE = /\{\{|\{%/;
export function isTemplate(value: string): boolean {
  return TEMPLATE.test(value);
}

export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
export const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;

export const taskId = z
  .string()
  .min(1)
  .max(100)
  .regex(TASK_ID, { message: "Invalid id: must match ^[a-zA-Z0-9][a-zA-Z0-9_-]*" });

const ISO_DURATION =
  /^[-+]?P(?=\d|T\d)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$/i;

export function isIsoDuration(value: string): boolean {
  return ISO_DURATION.test(value);
}

/** An ISO-8601 duration, or an expression rendering to one. */
export const duration = z.string().refine((s) => isIsoDuration(s) || isTemplate(s), {
  message: "Expected an ISO-8601 duration such as PT5M, or a {{ }} expression",
});

/** A number, or a string holding a number or an expression (Kestra coerces and renders those). */
export const templNumber = z
  .union([z.number(), z.string()])
  .refine((v) => typeof v === "number" || isTemplate(v) || (v.trim() !== "" && Number.isFinite(Number(v))), {
    message: "Expected a number or a {{ }} expression",
  });

export const templInt = z
  .union([z.number(), z.string()])
  .refine((v) => (typeof v === "number" ? Number.isInteger(v) : isTemplate(v) || /^\s*-?\d+\s*$/.test(v)), {
    message: "Expected an integer or a {{ }} expression",
  });

export const templBoolean = z
  .union([z.boolean(), z.string()])
  .refine((v) => typeof v === "boolean" || isTemplate(v) || /^(true|false)$/i.test(v), {
    message: "Expected a boolean or a {{ }} expression",
  });

/** One of fixed values, or an expression rendering to one (newer Kestra wraps enums in Property<>). */
export function templEnum<const T extends readonly string[]>(values: T) {
  return z.string().refine((v) => values.includes(v) || isTemplate(v), {
    message: `Expected one of ${values.join(", ")}, or a {{ }} expression`,
  });
}

export const anyMap = z.record(z.string(), z.unknown());

/**
 * Kestra reads an explicit YAML `null` for a property as the property left out (`defaults: null`
 * on a Switch, `description: null`): the keys of a mapping whose value is null are dropped before
 * the mapping is validated. Only an object's own properties: maps of values keep their nulls.
 */
export function withoutNulls(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const entries = Object.entries(raw);
  if (!entries.some(([, v]) => v === null)) return raw;
  return Object.fromEntries(entries.filter(([, v]) => v !== null));
}
export const stringList = z.array(z.string());

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
export const logLevel = z.enum(LOG_LEVELS);

/** The states an execution or task run of Peregrine goes through (Kestra 0.21's set). */
export const EXECUTION_STATES = [
  "CREATED",
  "RUNNING",
  "PAUSED",
  "RESTARTED",
  "KILLING",
  "SUCCESS",
  "WARNING",
  "FAILED",
  "KILLED",
  "CANCELLED",
  "QUEUED",
  "RETRYING",
  "RETRIED",
  "SKIPPED",
] as const;

/** What a flow may name (trigger conditions, stopAfter): also the newer Kestra states. */
export const STATES = [...EXECUTION_STATES, "SUBMITTED", "BREAKPOINT", "RESUBMITTED"] as const;
export const state = z.enum(STATES);

/**
 * A property Kestra has and Peregrine does not honour: refused at save with `message`, never
 * accepted and silently ignored.
 */
export function unsupported(message: string): z.ZodType<never> {
  return z.unknown().superRefine((_value, ctx) => {
    ctx.addIssue({ code: "custom", message });
  }) as unknown as z.ZodType<never>;
}

/** Worker groups place tasks on chosen workers; Peregrine runs every task in its execution's object. */
export const workerGroup = unsupported(
  "workerGroup is not supported by Peregrine: every task runs in its execution's own object, there are no worker groups",
);

const labelValue = z.union([z.string(), z.number(), z.boolean()]);
const labelList = z.array(z.strictObject({ key: z.string().min(1), value: labelValue }));
const labelMap = z.record(z.string().min(1), labelValue);

function labelRecord(raw: z.infer<typeof labelMap> | z.infer<typeof labelList>): Record<string, string> {
  if (!Array.isArray(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(raw.map(({ key, value }) => [key, String(value)]));
}

/** Labels as a map or a list of {key, value}; always a string map once parsed. */
export const labels = z.union([labelMap, labelList]).transform(labelRecord);

/** Flow labels may not use the reserved `system.` prefix, except `system.readOnly`. */
export const flowLabels = z
  .union([labelMap, labelList])
  .superRefine((raw, ctx) => {
    const keys: Array<[string, (string | number)[]]> = Array.isArray(raw)
      ? raw.map((l, i) => [l.key, [i, "key"]])
      : Object.keys(raw).map((k) => [k, [k]]);
    for (const [key, path] of keys) {
      if (key.startsWith("system.") && key !== "system.readOnly") {
        ctx.addIssue({ code: "custom", path, message: `System label '${key}' cannot be set on a flow` });
      }
    }
  })
  // Not .pipe(labels): with zod 4.6 a piped union let an unknown key inside a list entry through.
  .transform(labelRecord);

const retryBase = {
  maxAttempt: z.number().int().min(1).optional(),
  maxAttempts: z.number().int().min(1).optional(),
  maxDuration: duration.optional(),
  warningOnRetry: z.boolean().optional(),
  behavior: z.enum(["RETRY_FAILED_TASK", "CREATE_NEW_EXECUTION"]).optional(),
};

/** Retry policy; 0.21's `maxAttempt` and newer `maxAttempts` both land in `maxAttempt`. */
export const retry = z
  .discriminatedUnion(
    "type",
    [
      z.strictObject({ type: z.literal("constant"), interval: duration, ...retryBase }),
      z.strictObject({
        type: z.literal("exponential"),
        interval: duration,
        maxInterval: duration,
        delayFactor: z.number().positive().optional(),
        ...retryBase,
      }),
      z.strictObject({ type: z.literal("random"), minInterval: duration, maxInterval: duration, ...retryBase }),
    ],
    { error: "Retry type must be one of constant, exponential, random" },
  )
  .superRefine((r, ctx) => {
    if (r.maxAttempt !== undefined && r.maxAttempts !== undefined && r.maxAttempt !== r.maxAttempts) {
      ctx.addIssue({ code: "custom", path: ["maxAttempts"], message: "maxAttempt and maxAttempts disagree" });
    }
  })
  .transform(({ maxAttempts, ...rest }): RetryPolicy => {
    const maxAttempt = rest.maxAttempt ?? maxAttempts;
    return maxAttempt === undefined ? rest : { ...rest, maxAttempt };
  });

/** Per-parse error map: says "missing" rather than "expected string, received undefined". */
export function errorMap(issue: { code?: string; input?: unknown }): string | undefined {
  const absent = issue.code === "invalid_type" || issue.code === "invalid_union";
  if (absent && issue.input === undefined) return "Missing required property";
  return undefined;
}
