// The Execute form's model: the flow's declared inputs, their values as the form holds them, and
// the conversion to what the API takes (JSON values, or multipart when a file is among them).
import type { InputValue } from "@peregrine/sdk";

export interface InputDecl {
  id: string;
  type: string;
  description?: string;
  displayName?: string;
  required?: boolean;
  defaults?: unknown;
  values?: string[];
  options?: string[];
  itemType?: string;
  min?: number | string;
  max?: number | string;
  allowCustomValue?: boolean;
  dependsOn?: { inputs?: string[]; condition?: string };
}

/** A form value: text for most types, a boolean, a list (MULTISELECT) or a File. */
export type FormValue = string | boolean | string[] | File | undefined;

export function initialValue(input: InputDecl): FormValue {
  const d = input.defaults;
  switch (input.type) {
    case "BOOLEAN":
    case "BOOL":
      return d === true || d === "true";
    case "MULTISELECT":
      return Array.isArray(d) ? d.map(String) : [];
    case "FILE":
      return undefined;
    case "JSON":
    case "ARRAY":
      return d === undefined ? "" : typeof d === "string" ? d : JSON.stringify(d, null, 2);
    case "DATETIME":
      return typeof d === "string" ? d.replace(/Z$/, "").slice(0, 19) : "";
    default:
      return d === undefined || d === null ? "" : String(d);
  }
}

const isEmpty = (v: FormValue): boolean => v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

/** Whether an input is shown: every input it depends on has a value (its condition is the server's to check). */
export function isVisible(input: InputDecl, values: Record<string, FormValue>): boolean {
  return (input.dependsOn?.inputs ?? []).every((dep) => !isEmpty(values[dep]));
}

function parseJsonish(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What to send: empty fields are left out (the server applies defaults and says what is missing). */
export function toApiInputs(inputs: InputDecl[], values: Record<string, FormValue>): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const input of inputs) {
    const v = values[input.id];
    if (!isVisible(input, values) || isEmpty(v)) continue;
    if (v instanceof File || typeof v === "boolean" || Array.isArray(v)) {
      out[input.id] = v;
      continue;
    }
    const text = v as string;
    switch (input.type) {
      case "INT":
      case "FLOAT":
        out[input.id] = Number(text);
        break;
      case "JSON":
      case "ARRAY":
        out[input.id] = parseJsonish(text) as InputValue;
        break;
      case "DATETIME":
        out[input.id] = /[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : new Date(text).toISOString();
        break;
      default:
        out[input.id] = text;
    }
  }
  return out;
}

/** The 422's violations, by input id: `{input, message}` items of the error's details. */
export function errorsByInput(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as { input?: string; message?: string }[]) {
    if (d?.input && d.message) out[d.input] = d.message;
  }
  return out;
}
