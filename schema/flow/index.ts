// Entry point of the flow model: YAML source → validated Flow, or violations with lines.
// PLACEHOLDER while the zod model is written: checks only the shape the engine relies on.
import { parse } from "yaml";
import type { Flow, ParseFlowResult } from "./types";

export type * from "./types";

const ALIASES: Record<string, string> = {};

/** Maps the older `io.kestra.core.tasks.*` names onto `io.kestra.plugin.core.*`. */
export function canonicalType(type: string): string {
  if (ALIASES[type]) return ALIASES[type];
  const m = /^io\.kestra\.core\.tasks\.(.+)$/.exec(type);
  if (m) {
    const rest = m[1]!;
    if (rest === "flows.Flow" || rest === "flows.Subflow") return "io.kestra.plugin.core.flow.Subflow";
    if (rest.startsWith("flows.")) return `io.kestra.plugin.core.flow.${rest.slice(6)}`;
    if (rest.startsWith("executions.")) return `io.kestra.plugin.core.execution.${rest.slice(11)}`;
    return `io.kestra.plugin.core.${rest}`;
  }
  return type;
}

export function parseFlow(source: string): ParseFlowResult {
  const doc = parse(source) as Flow;
  if (!doc || typeof doc !== "object" || !doc.id || !doc.namespace || !Array.isArray(doc.tasks)) {
    return { ok: false, status: 422, violations: [{ path: "", message: "id, namespace and tasks are required" }] };
  }
  const fix = (tasks: unknown): void => {
    if (!Array.isArray(tasks)) return;
    for (const t of tasks as Record<string, unknown>[]) {
      if (t && typeof t.type === "string") t.type = canonicalType(t.type);
      for (const k of ["tasks", "errors", "finally", "then", "else", "defaults"]) fix(t[k]);
      if (t.task) fix([t.task]);
      if (t.cases && typeof t.cases === "object") for (const c of Object.values(t.cases)) fix(c);
    }
  };
  for (const k of ["tasks", "errors", "finally", "afterExecution"] as const) fix(doc[k]);
  return { ok: true, flow: doc };
}
