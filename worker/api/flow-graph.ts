// Kestra's topology endpoints: `GET /flows/{namespace}/{id}/graph` (a stored revision, `?revision=`)
// and `POST /flows/graph` (the YAML of a draft, so an editor's drawing follows what is typed; bad
// YAML answers 422 with the line, as a save would). Both answer the FlowGraph of schema/flow/graph.ts.
import { Hono } from "hono";
import { parseFlow } from "../../schema/flow";
import { flowGraph } from "../../schema/flow/graph";
import { findFlowVersion } from "../db/flows";
import { invalid, notFound } from "../errors";
import { type AppEnv, dbOf } from "./context";
import { violationsError } from "./errors";

function revisionOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw invalid(`revision must be a positive integer, got '${raw}'`, { field: "revision" });
  return n;
}

export const flowGraphApi = new Hono<AppEnv>()
  .post("/graph", async (c) => {
    // Bytes, then UTF-8, whatever the content type says (x-yaml, text).
    const result = parseFlow(new TextDecoder().decode(await c.req.arrayBuffer()));
    if (!result.ok) throw violationsError(result.status, result.violations);
    return c.json(flowGraph(result.flow), 200);
  })
  .get("/:namespace/:id/graph", async (c) => {
    const { namespace, id } = c.req.param();
    const found = await findFlowVersion(dbOf(c), c.get("tenantId"), namespace, id, {
      revision: revisionOf(c.req.query("revision")),
      allowDeleted: true,
    });
    if (!found) throw notFound(`Flow ${namespace}.${id} not found`);
    return c.json(flowGraph(found.flow), 200);
  });
