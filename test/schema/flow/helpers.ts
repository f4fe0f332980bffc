// Shared assertions for the flow-model tests: parse a source and pick out violations by path.
import { expect } from "vitest";
import { parseFlow } from "../../../schema/flow";
import type { Flow, Violation } from "../../../schema/flow/types";

export function accept(source: string): Flow {
  const result = parseFlow(source);
  if (!result.ok) expect.fail(`expected the flow to be accepted, got ${JSON.stringify(result.violations, null, 1)}`);
  return result.flow;
}

export function reject(source: string): Violation[] {
  const result = parseFlow(source);
  if (result.ok) expect.fail("expected the flow to be rejected");
  expect(result.status).toBe(422);
  return result.violations;
}

/** The violation at `path`; fails listing all violations when there is none. */
export function violationAt(source: string, path: string): Violation {
  const violations = reject(source);
  const found = violations.find((v) => v.path === path);
  if (!found) expect.fail(`no violation at ${path}; got ${JSON.stringify(violations, null, 1)}`);
  return found;
}
