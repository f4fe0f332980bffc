// Kestra's smaller executions endpoints: the deprecated `POST /trigger/{namespace}/{flowId}`
// alias that its clients still call, `POST /{namespace}/{flowId}/validate` (inputs only, nothing
// starts), `GET /` (a flow's executions) and `POST /{executionId}/labels`.
import { Hono } from "hono";
import { validator } from "hono/validator";
import * as z from "zod";
import type { Input } from "../../schema/flow/types";
import { searchExecutions } from "../db/executions";
import { findFlowRow } from "../db/flows";
import { conflict, invalid, notFound } from "../errors";
import { executionStub } from "../execution/object";
import { resolveInputs } from "../launch/inputs";
import { type AppEnv, dbOf } from "./context";
import { flowToStart, startFromRequest } from "./execution-start";
import { pageOf } from "./query";
import { readSubmittedInputs } from "./submitted-inputs";

export const labelList = z
  .array(z.object({ key: z.string().min(1), value: z.string() }).strict())
  .superRefine((labels, ctx) => {
    for (const [i, l] of labels.entries()) {
      if (l.key.startsWith("system.")) {
        ctx.addIssue({
          code: "custom",
          path: [i, "key"],
          message: `Label '${l.key}' is reserved: system labels cannot be set`,
        });
      }
    }
  });

export const flowExecutionsQuery = z.object({
  namespace: z.string().min(1),
  flowId: z.string().min(1),
  page: z.string().optional(),
  size: z.string().optional(),
});

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw invalid("The body must be JSON", { field: "body" });
  }
}

export const executionsExtra = new Hono<AppEnv>()
  .get(
    "/",
    validator("query", (q) => flowExecutionsQuery.parse(q)),
    async (c) => {
      const q = c.req.valid("query");
      const found = await searchExecutions(dbOf(c), c.get("tenantId"), {
        ...pageOf(q),
        namespace: undefined,
        flowId: q.flowId,
        exactNamespace: q.namespace,
      });
      return c.json(found, 200);
    },
  )
  .post("/trigger/:namespace/:flowId", async (c, next) => {
    const { namespace, flowId } = c.req.param();
    // `/trigger/{ns}/validate` is also "validate the inputs of flow trigger.{ns}": the start wins
    // when flow {ns}.validate exists.
    if (flowId === "validate") {
      const flow = await findFlowRow(dbOf(c), c.get("tenantId"), namespace, flowId);
      if (!flow || flow.deleted) return next();
    }
    return startFromRequest(c, namespace, flowId);
  })
  .post("/:namespace/:flowId/validate", async (c) => {
    const { namespace, flowId } = c.req.param();
    const found = await flowToStart(c, namespace, flowId);
    const declared: Input[] = found.flow.inputs ?? [];
    const submitted = await readSubmittedInputs(c.req.raw);
    const resolved = await resolveInputs(declared, submitted, {
      now: new Date(),
      // Nothing is stored: the answer only says whether the file would do.
      storeFile: async (inputId, file) => `kestra:///validate/${inputId}/${file.name || inputId}`,
    });
    const errors = resolved.ok ? [] : resolved.violations;
    return c.json(
      {
        id: flowId,
        namespace,
        inputs: declared.map((input) => {
          const given = Object.hasOwn(submitted.values, input.id) || Object.hasOwn(submitted.files, input.id);
          return {
            input,
            value: resolved.ok ? (resolved.inputs[input.id] ?? null) : (submitted.values[input.id] ?? null),
            enabled: true,
            isDefault: !given && input.defaults !== undefined,
            errors: errors.filter((e) => e.input === input.id).map((e) => ({ message: e.message })),
          };
        }),
      },
      200,
    );
  })
  .post("/:executionId/labels", async (c) => {
    const labels = labelList.parse(await jsonBody(c.req.raw));
    const outcome = await executionStub(c.env, c.get("tenantId"), c.req.param("executionId")).setLabels(labels);
    if (outcome.ok) return c.json(outcome.execution, 200);
    throw outcome.reason === "not_found"
      ? notFound(`Execution '${c.req.param("executionId")}' not found`)
      : conflict(outcome.message);
  });
