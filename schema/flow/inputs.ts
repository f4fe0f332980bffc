// Flow inputs (spec §1.1) and flow outputs: one strict schema per input type with its own fields,
// the deprecated `name` folded into `id`.
import * as z from "zod";
import { duration, INPUT_ID, templNumber, withoutNulls } from "./common";
import type { Input, InputType, Output } from "./types";

export const INPUT_TYPES = [
  "STRING",
  "ENUM",
  "SELECT",
  "MULTISELECT",
  "INT",
  "FLOAT",
  "BOOLEAN",
  "BOOL",
  "DATETIME",
  "DATE",
  "TIME",
  "DURATION",
  "FILE",
  "JSON",
  "YAML",
  "URI",
  "SECRET",
  "ARRAY",
  "EMAIL",
] as const satisfies readonly InputType[];

const inputId = z
  .string()
  .min(1)
  .max(100)
  .regex(INPUT_ID, { message: "Invalid id: must match ^[a-zA-Z0-9][.a-zA-Z0-9_-]*" });

const base = {
  id: inputId.optional(),
  /** Deprecated spelling of `id`. */
  name: inputId.optional(),
  description: z.string().optional(),
  displayName: z.string().optional(),
  required: z.boolean().optional(),
  defaults: z.unknown().optional(),
  prefill: z.unknown().optional(),
  dependsOn: z.strictObject({ inputs: z.array(z.string()).optional(), condition: z.string().optional() }).optional(),
};

const values = z.array(z.string()).min(1);
const choice = {
  values: values.optional(),
  expression: z.string().optional(),
  allowCustomValue: z.boolean().optional(),
  isRadio: z.boolean().optional(),
};
const dateBounds = { after: z.string().optional(), before: z.string().optional() };
const plain = (type: InputType) => z.strictObject({ type: z.literal(type), ...base });

function needsValues(v: { values?: string[]; expression?: string; options?: string[] }, ctx: z.RefinementCtx): void {
  if (!v.values && !v.expression && !v.options) {
    ctx.addIssue({ code: "custom", path: ["values"], message: "Either values or expression is required" });
  }
}

export const inputSchema = z
  .discriminatedUnion(
    "type",
    [
      z.strictObject({ type: z.literal("STRING"), ...base, validator: z.string().optional() }),
      z.strictObject({ type: z.literal("ENUM"), ...base, values }),
      z.strictObject({ type: z.literal("SELECT"), ...base, ...choice }).superRefine(needsValues),
      z
        .strictObject({ type: z.literal("MULTISELECT"), ...base, ...choice, options: values.optional() })
        .superRefine(needsValues),
      z.strictObject({ type: z.literal("INT"), ...base, min: templNumber.optional(), max: templNumber.optional() }),
      z.strictObject({ type: z.literal("FLOAT"), ...base, min: templNumber.optional(), max: templNumber.optional() }),
      plain("BOOLEAN"),
      plain("BOOL"),
      z.strictObject({ type: z.literal("DATETIME"), ...base, ...dateBounds }),
      z.strictObject({ type: z.literal("DATE"), ...base, ...dateBounds }),
      z.strictObject({ type: z.literal("TIME"), ...base, ...dateBounds }),
      z.strictObject({ type: z.literal("DURATION"), ...base, min: duration.optional(), max: duration.optional() }),
      z.strictObject({
        type: z.literal("FILE"),
        ...base,
        extension: z.string().optional(),
        allowedFileExtensions: z.array(z.string()).optional(),
      }),
      plain("JSON"),
      plain("YAML"),
      plain("URI"),
      z.strictObject({ type: z.literal("SECRET"), ...base, validator: z.string().optional() }),
      z.strictObject({ type: z.literal("ARRAY"), ...base, itemType: z.enum(INPUT_TYPES) }),
      plain("EMAIL"),
    ],
    { error: `Input type must be one of ${INPUT_TYPES.join(", ")}` },
  )
  .superRefine((input, ctx) => {
    if (input.id === undefined && input.name === undefined) {
      ctx.addIssue({ code: "custom", path: ["id"], message: "Missing required property" });
    }
  })
  .transform(({ name, ...rest }): Input => {
    const id = rest.id ?? name ?? "";
    return { ...rest, id };
  });

export const inputList = z.array(z.preprocess(withoutNulls, inputSchema));

export const outputSchema = z
  .strictObject({
    id: inputId,
    type: z.enum(INPUT_TYPES, { error: `Output type must be one of ${INPUT_TYPES.join(", ")}` }),
    itemType: z.enum(INPUT_TYPES).optional(),
    value: z.unknown(),
    description: z.string().optional(),
    displayName: z.string().optional(),
    required: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.value === undefined) ctx.addIssue({ code: "custom", path: ["value"], message: "Missing required property" });
  })
  .transform((o): Output => o as Output);
