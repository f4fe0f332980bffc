// Execution inputs: turning what was submitted (by a client through api/submitted-inputs.ts, a
// trigger, a Subflow or a ForEachItem) into the typed `inputs` map of a new execution, validated
// against the flow's declared inputs as Kestra does (spec §1.1). Every failure is reported
// against the input it concerns.
import { parse as parseYaml } from "yaml";
import type { Input, InputType, Output } from "../../schema/flow/types";
import { DomainError, TooLarge } from "../errors";
import { isTruthy } from "../expressions";
import { matchesWhole } from "../expressions/regex";
import { formatDurationMs, parseDurationMs } from "../tasks/duration";
import { compareTemporal, readInstant, readLocalDate, readLocalTime, type TemporalKey } from "../tasks/temporal";
import { isAbsoluteUri } from "./uri";

export interface SubmittedInputs {
  /** Strings (or lists of strings) from forms, typed values from JSON. */
  values: Record<string, string | string[] | unknown>;
  /** Uploaded files, keyed by the part's filename (Kestra's convention). */
  files: Record<string, File>;
}

export interface ResolveInputsOptions {
  storeFile(inputId: string, file: File): Promise<string>;
  render?(template: string, vars: Record<string, unknown>): Promise<string>;
  now: Date;
}

export interface InputViolation {
  input: string;
  message: string;
}

export type ResolveInputsResult =
  | { ok: true; inputs: Record<string, unknown> }
  | { ok: false; violations: InputViolation[] };

class InputError extends DomainError {
  override readonly name = "InputError";
  readonly code = "invalid";
}

class DependencyCycle extends DomainError {
  override readonly name = "DependencyCycle";
  readonly code = "invalid";
  constructor(readonly input: string) {
    super(`input '${input}' depends on itself through dependsOn`);
  }
}

const fail = (message: string): never => {
  throw new InputError(message);
};

function describe(value: unknown): string {
  if (value instanceof File) return "a file";
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "a map" : `'${String(value)}'`;
}

/** The one textual value of a scalar input; a single-element list (repeated form field) counts. */
function text(value: unknown, type: InputType): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.length === 1) return text(value[0], type);
  return fail(`expected a ${type} value, got ${describe(value)}`);
}

function bound(input: Input, name: "min" | "max"): number | undefined {
  const b = input[name];
  if (b === undefined || b === null) return undefined;
  return typeof b === "number" ? b : Number(b);
}

function checkRange(n: number, input: Input, show: (n: number) => string = String): void {
  const min = bound(input, "min");
  const max = bound(input, "max");
  if (min !== undefined && n < min) fail(`it must be at least ${show(min)}, got ${show(n)}`);
  if (max !== undefined && n > max) fail(`it must be at most ${show(max)}, got ${show(n)}`);
}

/** `after`/`before` bounds of DATETIME, DATE and TIME inputs; equal to a bound is allowed. */
function checkOrder(key: TemporalKey, input: Input, read: (raw: string) => TemporalKey): void {
  if (input.after !== undefined && compareTemporal(key, read(String(input.after))) < 0) {
    fail(`it must be after ${input.after}`);
  }
  if (input.before !== undefined && compareTemporal(key, read(String(input.before))) > 0) {
    fail(`it must be before ${input.before}`);
  }
}

function inValues(value: string, input: Input, values: string[] | undefined): void {
  if (input.allowCustomValue || !values) return;
  if (!values.includes(value)) fail(`it must be one of ${JSON.stringify(values)}, got '${value}'`);
}

function asList(value: unknown, type: InputType): unknown[] {
  if (Array.isArray(value)) return value;
  const raw = text(value, type);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail(`expected a JSON list, got '${raw}'`);
  }
  return Array.isArray(parsed) ? parsed : fail(`expected a JSON list, got '${raw}'`);
}

/** Java's `String.matches`: the whole value must match. */
function matchValidator(s: string, input: Input): string {
  if (input.validator === undefined) return s;
  let matched: boolean;
  try {
    matched = matchesWhole(input.validator, s);
  } catch (e) {
    return fail(`its validator cannot be used: ${e instanceof Error ? e.message : String(e)}`);
  }
  return matched ? s : fail(`it must match the pattern '${input.validator}'`);
}

interface Scope {
  opts: ResolveInputsOptions;
  /** SELECT/MULTISELECT values, when computed from `expression`. */
  values?: string[];
}

async function parseValue(value: unknown, input: Input, type: InputType, scope: Scope): Promise<unknown> {
  switch (type) {
    case "STRING": {
      const s =
        value !== null && typeof value === "object" && !(value instanceof File)
          ? JSON.stringify(value)
          : text(value, type);
      return matchValidator(s, input);
    }
    case "SECRET": // Validated here; sealed as the execution is created (worker/secrets/inputs.ts).
      return matchValidator(text(value, type), input);
    case "ENUM":
    case "SELECT": {
      const s = text(value, type);
      inValues(s, input, scope.values ?? input.values);
      return s;
    }
    case "MULTISELECT": {
      // `options` is MULTISELECT's deprecated spelling of `values`, kept on the parsed input.
      const values = scope.values ?? input.values ?? (input as { options?: string[] }).options;
      return asList(value, type).map((item) => {
        const s = text(item, "STRING");
        inValues(s, input, values);
        return s;
      });
    }
    case "ARRAY": {
      const itemType = input.itemType ?? fail("an ARRAY input needs an itemType");
      if (itemType === "ARRAY" || itemType === "FILE" || itemType === "MULTISELECT") {
        fail(`itemType ${itemType} is not supported`);
      }
      const out: unknown[] = [];
      for (const [i, item] of asList(value, type).entries()) {
        try {
          // Items carry no constraints of their own, only their type.
          out.push(await parseValue(item, { id: input.id, type: itemType }, itemType, { opts: scope.opts }));
        } catch (e) {
          fail(`item ${i}: ${(e as Error).message}`);
        }
      }
      return out;
    }
    case "EMAIL": {
      const s = text(value, type);
      return /^[^\s@]+@[^\s@.][^\s@]*$/.test(s) ? s : fail(`'${s}' is not an email address`);
    }
    case "URI": {
      const s = text(value, type);
      return isAbsoluteUri(s) ? s : fail(`'${s}' is not a valid absolute URI`);
    }
    case "INT": {
      const s = text(value, type).trim();
      const n = /^[+-]?\d+$/.test(s) ? Number(s) : Number.NaN;
      if (!Number.isSafeInteger(n)) fail(`expected an integer, got '${s}'`);
      checkRange(n, input);
      return n;
    }
    case "FLOAT": {
      const s = text(value, type).trim();
      const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : Number.NaN;
      if (!Number.isFinite(n)) fail(`expected a number, got '${s}'`);
      checkRange(n, input);
      return n;
    }
    case "BOOLEAN":
    case "BOOL":
      return typeof value === "boolean" ? value : text(value, type).trim().toLowerCase() === "true";
    case "DATETIME": {
      const instant = readInstant(text(value, type));
      checkOrder(instant.key, input, (raw) => readInstant(raw).key);
      return instant.iso;
    }
    case "DATE": {
      const s = text(value, type).trim();
      checkOrder(readLocalDate(s), input, readLocalDate);
      return s;
    }
    case "TIME": {
      const s = text(value, type).trim();
      checkOrder(readLocalTime(s), input, readLocalTime);
      return s;
    }
    case "DURATION": {
      const s = text(value, type).trim();
      let ms: number;
      try {
        ms = parseDurationMs(s);
      } catch (e) {
        return fail((e as Error).message);
      }
      const range = (name: "min" | "max") =>
        input[name] === undefined ? undefined : parseDurationMs(String(input[name]));
      const [min, max] = [range("min"), range("max")];
      if (min !== undefined && ms < min) fail(`it must be at least ${input.min}, got ${s}`);
      if (max !== undefined && ms > max) fail(`it must be at most ${input.max}, got ${s}`);
      return formatDurationMs(ms);
    }
    case "JSON": {
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value);
      } catch (e) {
        return fail(`invalid JSON: ${(e as Error).message}`);
      }
    }
    case "YAML": {
      if (typeof value !== "string") return value;
      try {
        return parseYaml(value);
      } catch (e) {
        return fail(`invalid YAML: ${(e as Error).message}`);
      }
    }
    case "FILE":
      return parseFile(value, input, scope);
    default:
      return fail(`unsupported input type '${String(type)}'`);
  }
}

/**
 * A flow output's rendered value as its declared type, parsed as an input of that type would be
 * (Kestra's typed outputs): ARRAY and JSON give structures, INT and FLOAT numbers, BOOLEAN a
 * boolean, DATETIME an instant. STRING keeps text (a map or list becomes its JSON text).
 */
export async function typedOutputValue(output: Output, value: unknown): Promise<unknown> {
  const scope: Scope = {
    opts: { storeFile: async () => fail("a FILE output must be a kestra:// URI"), now: new Date(0) },
  };
  try {
    if (value === null || value === undefined) return null;
    if (output.type === "ARRAY" && output.itemType === undefined) return asList(value, output.type);
    return await parseValue(value, { id: output.id, type: output.type, itemType: output.itemType }, output.type, scope);
  } catch (e) {
    throw new Error(`Output '${output.id}' is not a valid ${output.type}: ${(e as Error).message}`);
  }
}

async function parseFile(value: unknown, input: Input, scope: Scope): Promise<string> {
  // A URI already in storage (JSON submissions, subflows, defaults) is kept; reads are tenant-scoped.
  if (typeof value === "string" && value.startsWith("kestra://")) return value;
  if (!(value instanceof File)) return fail(`expected a file, got ${describe(value)}`);
  let file = value;
  const dot = file.name.lastIndexOf(".");
  const fileExt = dot > 0 ? file.name.slice(dot).toLowerCase() : "";
  if (input.extension) {
    const ext = input.extension.startsWith(".") ? input.extension : `.${input.extension}`;
    // Kestra names the part after the input, so an upload often has no extension: give it one.
    if (!fileExt) file = new File([file], `${file.name}${ext}`, { type: file.type });
    else if (fileExt !== ext.toLowerCase()) fail(`the file must have the extension ${ext}, got '${file.name}'`);
  }
  const allowed = (input as { allowedFileExtensions?: string[] }).allowedFileExtensions;
  if (allowed && allowed.length > 0) {
    const normal = allowed.map((e) => (e.startsWith(".") ? e : `.${e}`).toLowerCase());
    const actual = file.name.slice(file.name.lastIndexOf(".")).toLowerCase();
    if (!file.name.includes(".") || !normal.includes(actual)) {
      fail(`the file extension must be one of ${normal.join(", ")}, got '${file.name}'`);
    }
  }
  return scope.opts.storeFile(input.id, file);
}

/** Declared order, except that an input comes after every input it depends on. */
function ordered(inputs: Input[]): Input[] {
  const byId = new Map(inputs.map((i) => [i.id, i]));
  const out: Input[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (input: Input) => {
    if (state.get(input.id) === "done") return;
    if (state.get(input.id) === "visiting") throw new DependencyCycle(input.id);
    state.set(input.id, "visiting");
    for (const dep of input.dependsOn?.inputs ?? []) {
      const d = byId.get(dep);
      if (d) visit(d);
    }
    state.set(input.id, "done");
    out.push(input);
  };
  for (const input of inputs) visit(input);
  return out;
}

/** `a.b` → `{a: {b: …}}`, as Kestra exposes dotted input ids. */
export function nestInputs(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(flat)) {
    const parts = id.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      const child = next !== null && typeof next === "object" && !Array.isArray(next) ? next : {};
      node[part] = child;
      node = child as Record<string, unknown>;
    }
    node[parts[parts.length - 1] ?? id] = value;
  }
  return out;
}

function submittedValue(input: Input, submitted: SubmittedInputs): unknown {
  const value = Object.hasOwn(submitted.values, input.id) ? submitted.values[input.id] : undefined;
  if (input.type === "FILE" && (value === undefined || value === "") && Object.hasOwn(submitted.files, input.id)) {
    return submitted.files[input.id];
  }
  // An empty form field means "not given" except for text, where empty is a value.
  if (value === "" && input.type !== "STRING" && input.type !== "SECRET") return undefined;
  return value === null ? undefined : value;
}

async function renderWith(opts: ResolveInputsOptions, template: string, flat: Record<string, unknown>) {
  return opts.render ? opts.render(template, { inputs: nestInputs(flat) }) : template;
}

export async function resolveInputs(
  inputs: Input[] | undefined,
  submitted: SubmittedInputs,
  opts: ResolveInputsOptions,
): Promise<ResolveInputsResult> {
  if (!inputs || inputs.length === 0) return { ok: true, inputs: {} };
  let order: Input[];
  try {
    order = ordered(inputs);
  } catch (e) {
    if (!(e instanceof DependencyCycle)) throw e;
    return { ok: false, violations: [{ input: e.input, message: e.message }] };
  }
  const flat: Record<string, unknown> = {};
  const enabled = new Map<string, boolean>();
  const violations: InputViolation[] = [];
  for (const input of order) {
    try {
      // An input is enabled only when everything it depends on is, and its condition holds.
      let on = (input.dependsOn?.inputs ?? []).every((d) => enabled.get(d) !== false);
      if (on && input.dependsOn?.condition) {
        on = isTruthy(await renderWith(opts, input.dependsOn.condition, flat));
      }
      enabled.set(input.id, on);
      if (!on) continue;
      const scope: Scope = { opts };
      if (input.expression && (input.type === "SELECT" || input.type === "MULTISELECT")) {
        const listed = await renderWith(opts, input.expression, flat);
        let values: unknown;
        try {
          values = JSON.parse(listed);
        } catch {
          values = undefined;
        }
        if (!Array.isArray(values)) fail(`its expression must render a JSON list, got '${listed}'`);
        scope.values = (values as unknown[]).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      }
      let value = submittedValue(input, submitted);
      if (value === undefined && input.defaults !== undefined && input.defaults !== null) {
        value =
          typeof input.defaults === "string" && input.defaults.includes("{{")
            ? await renderWith(opts, input.defaults, flat)
            : input.defaults;
      }
      if (value === undefined) {
        if (input.required ?? true) fail("missing required input");
        flat[input.id] = null;
        continue;
      }
      flat[input.id] = await parseValue(value, input, input.type, scope);
    } catch (e) {
      // A file over the storage limit is the request's size, not the input's value: 413, not 422.
      if (e instanceof TooLarge) throw e;
      violations.push({ input: input.id, message: (e as Error).message });
    }
  }
  if (violations.length > 0) return { ok: false, violations };
  // Declared order, whatever order dependencies imposed on resolution.
  const declared: Record<string, unknown> = {};
  for (const input of inputs) if (Object.hasOwn(flat, input.id)) declared[input.id] = flat[input.id];
  return { ok: true, inputs: nestInputs(declared) };
}
