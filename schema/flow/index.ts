// Entry point of the flow model: YAML source → validated Flow, or violations with source lines.
// Order of work: size (413) → token-level nesting → composing with duplicate-key detection → bounded alias
// expansion → zod model (strict, per task type) → flow-level rules. Nothing heavy runs before the cheap checks.
import { isScalar } from "yaml";
import type * as z from "zod";
import { errorMap } from "./common";
import { flowSchema, pluginDefaultList } from "./model";
import { withPluginDefaults } from "./tasks/dispatch";
import type { FlowDocumentResult, ParseFlowResult, PluginDefault, Violation } from "./types";
import { validateFlow } from "./validate";
import {
  byteLength,
  type ComposedDoc,
  composeDocuments,
  formatPath,
  locate,
  MAX_SOURCE_BYTES,
  type PathSegment,
  readDocument,
  type SourceDoc,
  tooLarge,
} from "./yaml";

export { canonicalConditionType, canonicalTriggerType, canonicalType } from "./aliases";
export { applyPluginDefaults } from "./defaults";
export {
  FLOWABLE_TASK_TYPES,
  type FlowableTaskType,
  RUNNABLE_TYPES,
  type RunnableTaskType,
  TASK_TYPES,
  type TaskType,
} from "./tasks/registry";
export { TRIGGER_TYPES } from "./triggers";
export type * from "./types";
export { allTasks } from "./validate";

function violation(source: SourceDoc, path: PathSegment[], message: string): Violation {
  return { path: formatPath(path), message, ...locate(source, path) };
}

/** Locating every issue of a hopeless 1 MiB source would cost more than it tells; report this many. */
export const MAX_VIOLATIONS = 100;

function toViolations(source: SourceDoc, issues: readonly z.core.$ZodIssue[]): Violation[] {
  const out: Violation[] = [];
  for (const issue of issues) {
    if (out.length >= MAX_VIOLATIONS) {
      out.push({ path: "", message: `Too many violations; only the first ${MAX_VIOLATIONS} are listed` });
      break;
    }
    const path = issue.path.map((seg) => (typeof seg === "number" ? seg : String(seg)));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(violation(source, [...path, key], `Unknown property '${key}'`));
    } else out.push(violation(source, path, issue.message));
  }
  return out;
}

/** The flow's own pluginDefaults, read ahead so task validation can count the properties they supply. */
function declaredDefaults(value: Record<string, unknown>): PluginDefault[] {
  const read = (raw: unknown): PluginDefault[] => {
    const parsed = pluginDefaultList.safeParse(raw);
    return parsed.success ? parsed.data : [];
  };
  return [...read(value.pluginDefaults ?? []), ...read(value.taskDefaults ?? [])];
}

function byPosition(a: Violation, b: Violation): number {
  const last = Number.MAX_SAFE_INTEGER;
  return (a.line ?? last) - (b.line ?? last) || (a.column ?? 0) - (b.column ?? 0);
}

function parseComposed(composed: ComposedDoc): ParseFlowResult {
  if (!("doc" in composed)) return { ok: false, status: 422, violations: composed.violations };
  const read = readDocument(composed);
  if (!read.ok) return { ok: false, status: read.status, violations: read.violations };
  const { value, source } = read;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, status: 422, violations: [violation(source, [], "A flow must be a YAML mapping")] };
  }
  const record = value as Record<string, unknown>;
  const parsed = withPluginDefaults(declaredDefaults(record), () => flowSchema.safeParse(record, { error: errorMap }));
  if (!parsed.success) {
    return { ok: false, status: 422, violations: toViolations(source, parsed.error.issues).sort(byPosition) };
  }
  const rules = validateFlow(parsed.data);
  if (rules.length > 0) {
    const shown = rules.slice(0, MAX_VIOLATIONS).map((r) => violation(source, r.path, r.message));
    const more =
      rules.length > MAX_VIOLATIONS
        ? [{ path: "", message: `${rules.length - MAX_VIOLATIONS} more violations not listed` }]
        : [];
    const violations = [...shown.sort(byPosition), ...more];
    return { ok: false, status: 422, violations };
  }
  return { ok: true, flow: parsed.data };
}

/** A document with nothing but comments, e.g. after a trailing `---`. */
function isEmpty(composed: ComposedDoc): boolean {
  if (!("doc" in composed) || composed.doc.errors.length > 0) return false;
  const contents = composed.doc.contents;
  return contents === null || (isScalar(contents) && contents.value === null);
}

/** Parses and validates one flow. Sources over 1 MiB → 413; anything else invalid → 422 with violations. */
export function parseFlow(source: string): ParseFlowResult {
  if (byteLength(source) > MAX_SOURCE_BYTES) return tooLarge();
  const docs = composeDocuments(source).filter((d) => !isEmpty(d));
  const [first, second] = docs;
  if (!first) return { ok: false, status: 422, violations: [{ path: "", message: "Flow source is empty" }] };
  if (second) {
    const where = "doc" in second ? locate(second, []) : {};
    const message = "Expected a single YAML document; several are separated by ---";
    return { ok: false, status: 422, violations: [{ path: "", message, ...where }] };
  }
  return parseComposed(first);
}

/**
 * Parses a multi-document source (`---` separated, as the bulk namespace update sends); one result per
 * non-empty document with its 0-based position. An oversized source yields a single 413 result at index 0.
 */
export function parseFlowMany(source: string): FlowDocumentResult[] {
  if (byteLength(source) > MAX_SOURCE_BYTES) return [{ index: 0, result: tooLarge() }];
  return composeDocuments(source)
    .filter((d) => !isEmpty(d))
    .map((d) => ({ index: d.index, result: parseComposed(d) }));
}
