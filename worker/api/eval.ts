// Kestra's expression console: `POST /executions/{id}/eval/{taskRunId}` with the template as the
// body (text), rendered against that task run's context. Always 200 with Kestra's EvalResult:
// `{result}` or `{error}`, plus `position` (offset, length, line, column) of the failing
// expression, found by rendering each `{{ }}` alone. Secret values come back masked.
import { Hono } from "hono";
import { invalid, notFound } from "../errors";
import { executionStub } from "../execution/object";
import { type Position, positionOf, segments } from "../expressions/segments";
import type { AppEnv } from "./context";

/** Longest template accepted, in characters. */
export const MAX_EXPRESSION = 64 * 1024;
/** At most this many `{{ }}` are tried one by one to find the failing one. */
const MAX_LOCATED = 100;

export interface EvalResult {
  result?: string;
  error?: string;
  position?: Position;
}

export const evalApi = new Hono<AppEnv>().post("/:executionId/eval/:taskRunId", async (c) => {
  const { executionId, taskRunId } = c.req.param();
  const expression = await c.req.text();
  if (!expression.trim()) throw invalid("The body must be the expression to evaluate", { field: "expression" });
  if (expression.length > MAX_EXPRESSION) {
    throw invalid(`The expression is longer than ${MAX_EXPRESSION} characters`, { field: "expression" });
  }
  const stub = executionStub(c.env, c.get("tenantId"), executionId);
  const [whole] = found(await stub.evaluate(taskRunId, [expression]), executionId, taskRunId);
  if (!whole) throw notFound(`Execution '${executionId}' not found`);
  if (whole.ok) return c.json({ result: whole.value } satisfies EvalResult, 200);
  const outputs = segments(expression)
    .filter((s) => s.kind === "output")
    .slice(0, MAX_LOCATED);
  const answer: EvalResult = { error: whole.error };
  const alone =
    outputs.length > 1
      ? await stub.evaluate(
          taskRunId,
          outputs.map((s) => s.text),
        )
      : undefined;
  const failing = outputs.length === 1 ? 0 : (alone ?? []).findIndex((o) => !o.ok);
  const segment = outputs[failing];
  if (segment) answer.position = positionOf(expression, segment, whole.error);
  return c.json(answer, 200);
});

function found<T>(value: T | undefined | null, executionId: string, taskRunId: string): T {
  if (value === null) throw notFound(`Execution '${executionId}' not found`);
  if (value === undefined) throw notFound(`Task run '${taskRunId}' not found in execution '${executionId}'`);
  return value;
}
