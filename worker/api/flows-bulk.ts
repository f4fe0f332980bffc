// Kestra's bulk flow actions under /api/v1/{tenant}/flows: delete, disable and enable by ids
// (a JSON list of {namespace, id}) or by query (the search's q, namespace and labels), export as
// a zip of `<namespace>.<id>.yml` sources by ids or by query, and import of a YAML file or a zip
// of them. Every write of one call is one D1 batch: a refused flow changes nothing. Mounted before
// the flows API, whose `/:namespace/:id` would otherwise take `/delete/by-ids`.

import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import type { Context } from "hono";
import { Hono } from "hono";
import { isMap, parseDocument } from "yaml";
import * as z from "zod";
import { parseFlow } from "../../schema/flow";
import {
  commitWrites,
  type FlowVersion,
  type FlowWrite,
  findFlowRow,
  fromRow,
  type ParsedSource,
  planDelete,
  planUpdate,
  planUpsert,
  searchFlows,
} from "../db/flows";
import { invalid, notFound } from "../errors";
import { syncFlowTriggers } from "../triggers/client";
import { type AppEnv, dbOf } from "./context";
import { violationsError } from "./errors";
import { decodeSource, parseLabelFilters, searchQuery } from "./flows";

/** A by-query action reaches at most this many flows; more is a 422 (narrow the query). */
const MAX_FLOWS = 1_000;
/** An import file (a YAML source or a zip of them). */
const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

export const flowIds = z.array(z.strictObject({ namespace: z.string().min(1), id: z.string().min(1) })).max(MAX_FLOWS);

type Ctx = Context<AppEnv>;

/** The live flows a call names, in its order; an unknown one is a 404 naming it. */
async function byIds(c: Ctx): Promise<FlowVersion[]> {
  const ids = flowIds.parse(await c.req.json());
  const db = dbOf(c);
  const tenantId = c.get("tenantId");
  const found: FlowVersion[] = [];
  for (const { namespace, id } of ids) {
    const row = await findFlowRow(db, tenantId, namespace, id);
    if (!row || row.deleted) throw notFound(`Flow ${namespace}.${id} not found`);
    found.push(fromRow(row));
  }
  return found;
}

async function byQuery(c: Ctx): Promise<FlowVersion[]> {
  const q = searchQuery.parse(c.req.query());
  const labels = c.req.queries("labels");
  const found = await searchFlows(dbOf(c), c.get("tenantId"), {
    q: q.q,
    namespace: q.namespace,
    labels: parseLabelFilters(labels ?? q.labels),
    page: 1,
    size: MAX_FLOWS + 1,
  });
  if (found.total > MAX_FLOWS) {
    throw invalid(`The query matches ${found.total} flows; a bulk action takes at most ${MAX_FLOWS}`);
  }
  return found.results;
}

async function commit(c: Ctx, writes: FlowWrite[]): Promise<Response> {
  await commitWrites(dbOf(c), writes);
  await syncFlowTriggers(
    c.env,
    c.get("tenantId"),
    writes.map((w) => w.result),
  );
  return c.json({ count: writes.length }, 200);
}

async function deleteAll(c: Ctx, found: FlowVersion[]): Promise<Response> {
  const db = dbOf(c);
  const tenantId = c.get("tenantId");
  const writes: FlowWrite[] = [];
  for (const f of found)
    writes.push(planDelete(db, tenantId, await findFlowRow(db, tenantId, f.namespace, f.id), f.namespace, f.id));
  return commit(c, writes);
}

/** The source with `disabled` set (or removed), as Kestra writes it; comments and layout stay. */
export function withDisabled(source: string, disabled: boolean): string {
  const doc = parseDocument(source);
  if (!isMap(doc.contents)) return source;
  if (disabled) doc.set("disabled", true);
  else doc.delete("disabled");
  return doc.toString();
}

async function setDisabled(c: Ctx, found: FlowVersion[], disabled: boolean): Promise<Response> {
  const db = dbOf(c);
  const tenantId = c.get("tenantId");
  const writes: FlowWrite[] = [];
  for (const f of found) {
    if (f.disabled === disabled) continue;
    const source = withDisabled(f.source, disabled);
    const parsed = parseFlow(source);
    if (!parsed.ok) throw violationsError(parsed.status, parsed.violations);
    const prev = await findFlowRow(db, tenantId, f.namespace, f.id);
    writes.push(planUpdate(db, tenantId, prev, { flow: parsed.flow, source }));
  }
  return commit(c, writes);
}

function exportZip(c: Ctx, found: FlowVersion[]): Response {
  const files: Record<string, Uint8Array> = {};
  for (const f of found) files[`${f.namespace}.${f.id}.yml`] = strToU8(f.source);
  return c.body(zipSync(files, { level: 6 }), 200, {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": 'attachment; filename="flows.zip"',
  });
}

/** The sources of an import: one YAML file, or every .yml/.yaml entry of a zip. */
function importedSources(name: string, bytes: Uint8Array): { name: string; source: string }[] {
  if (!name.toLowerCase().endsWith(".zip")) return [{ name, source: decodeSource(bytes) }];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => /\.ya?ml$/i.test(f.name) && f.originalSize <= MAX_IMPORT_BYTES });
  } catch (e) {
    throw invalid(`fileUpload: not a readable zip (${e instanceof Error ? e.message : String(e)})`);
  }
  return Object.entries(entries).map(([entry, data]) => ({ name: entry, source: strFromU8(data) }));
}

async function importFlows(c: Ctx): Promise<Response> {
  const form = await c.req.parseBody();
  const file = form.fileUpload;
  if (!(file instanceof File)) throw invalid("fileUpload: a YAML file or a zip of YAML files is required");
  if (file.size > MAX_IMPORT_BYTES) throw invalid(`fileUpload: larger than ${MAX_IMPORT_BYTES} bytes`);
  const sources = importedSources(file.name, new Uint8Array(await file.arrayBuffer()));
  const parsed: ParsedSource[] = [];
  for (const { name, source } of sources) {
    const result = parseFlow(source);
    if (!result.ok) {
      throw violationsError(
        result.status,
        result.violations.map((v) => ({ ...v, message: `${name}: ${v.message}` })),
      );
    }
    parsed.push({ flow: result.flow, source });
  }
  const db = dbOf(c);
  const tenantId = c.get("tenantId");
  const writes: FlowWrite[] = [];
  const seen = new Set<string>();
  for (const p of parsed) {
    const key = `${p.flow.namespace}.${p.flow.id}`;
    if (seen.has(key)) throw invalid(`fileUpload: flow ${key} appears twice`);
    seen.add(key);
    writes.push(planUpsert(db, tenantId, await findFlowRow(db, tenantId, p.flow.namespace, p.flow.id), p));
  }
  await commitWrites(db, writes);
  await syncFlowTriggers(
    c.env,
    tenantId,
    writes.map((w) => w.result),
  );
  return c.body(null, 204);
}

/**
 * `GET|DELETE /flows/{namespace}/{id}` and the two-segment bulk routes read the same URL: when a
 * live flow has that namespace and id, the path means the flow (the flows API's handler, next).
 */
async function isFlowPath(c: Ctx): Promise<boolean> {
  const [namespace, id] = c.req.path.split("/").slice(-2);
  const row = namespace && id ? await findFlowRow(dbOf(c), c.get("tenantId"), namespace, id) : undefined;
  return !!row && !row.deleted;
}

export const flowsBulkApi = new Hono<AppEnv>()
  .delete("/delete/by-ids", async (c, next) => ((await isFlowPath(c)) ? next() : deleteAll(c, await byIds(c))))
  .delete("/delete/by-query", async (c, next) => ((await isFlowPath(c)) ? next() : deleteAll(c, await byQuery(c))))
  .post("/disable/by-ids", async (c) => setDisabled(c, await byIds(c), true))
  .post("/disable/by-query", async (c) => setDisabled(c, await byQuery(c), true))
  .post("/enable/by-ids", async (c) => setDisabled(c, await byIds(c), false))
  .post("/enable/by-query", async (c) => setDisabled(c, await byQuery(c), false))
  .post("/export/by-ids", async (c) => exportZip(c, await byIds(c)))
  .get("/export/by-query", async (c, next) => ((await isFlowPath(c)) ? next() : exportZip(c, await byQuery(c))))
  .post("/import", (c) => importFlows(c));
