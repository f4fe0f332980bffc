// Validation and saving of a flow's YAML through the SDK, as the editor's problems list wants them.
import type { Peregrine, ValidationReport } from "@peregrine/sdk";
import { PeregrineError } from "@peregrine/sdk";
import type { Problem } from "./components/YamlEditor.svelte";

interface ViolationLike {
  path?: string;
  message: string;
  line?: number;
  column?: number;
}

const asProblem = (v: ViolationLike): Problem => ({
  line: v.line,
  column: v.column,
  message: v.path ? `${v.path}: ${v.message}` : v.message,
});

export function reportProblems(reports: ValidationReport[]): Problem[] {
  const out: Problem[] = [];
  for (const r of reports) {
    const violations = (r as { violations?: ViolationLike[] }).violations;
    if (violations?.length) out.push(...violations.map(asProblem));
    else if (r.constraints) out.push({ message: r.constraints });
  }
  return out;
}

export async function validateSource(client: Peregrine, source: string): Promise<Problem[]> {
  if (!source.trim()) return [];
  return reportProblems(await client.flows.validate(source));
}

/** The violations of a rejected save, or undefined when the failure was something else. */
export function saveProblems(error: unknown): Problem[] | undefined {
  if (!(error instanceof PeregrineError) || !Array.isArray(error.details)) return undefined;
  const list = (error.details as ViolationLike[]).filter((d) => typeof d?.message === "string");
  return list.length ? list.map(asProblem) : undefined;
}
