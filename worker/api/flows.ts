// Flows API, Kestra's paths under /api/v1/{tenant}/flows: create, update, read, revisions, soft
// delete, search, per-namespace list and bulk update, validate. Bodies are YAML, stored exactly
// as sent next to the parsed model; each write is one D1 batch, so bad input never changes state.

import type { Context } from "hono";
import { Hono } from "hono";
import { validator } from "hono/validator";
import { parse as parseYaml } from "yaml";
import * as z from "zod";
import { type Flow, parseFlow } from "../../schema/flow";
import type { Db } from "../db/client";
import { parseDocuments } from "../db/flow-documents";
import {
  commitWrites,
  type FlowVersion,
  type FlowWrite,
  findFlowRow,
  findFlowVersion,
  isFlowSortField,
  listNamespace,
  listNamespaceRows,
  listRevisions,
  type ParsedSource,
  planCreate,
  planDelete,
  planUpdate,
  planUpsert,
  searchFlows,
} from "../db/flows";
import { invalid, notFound, TooLarge } from "../errors";
import { flowWarnings } from "../expressions/flow-lint";
import { syncFlowTriggers } from "../triggers/client";
import { type AppEnv, dbOf } from "./context";
import { describeViolation, violationsError } from "./errors";

/** Caps what a request may make the Worker hold in memory; each document is also capped by parseFlow. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Kestra's FlowWithSource: the flow JSON plus revision, state flags and, when asked, the source. */
export function flowJson(v: FlowVersion, withSource: boolean) {
  // Server-owned fields always come from the row, whatever keys the model carries.
  const model: Flow & { revision?: unknown; tenantId?: unknown; deleted?: unknown; source?: unknown } = v.flow;
  const { id: _i, namespace: _n, disabled: _d, revision: _r, tenantId: _t, deleted: _x, source: _s, ...rest } = model;
  return {
    id: v.id,
    namespace: v.namespace,
    revision: v.revision,
    tenantId: v.tenantId,
    ...rest,
    disabled: v.disabled,
    deleted: v.deleted,
    ...(withSource ? { source: v.source } : {}),
  };
}

/** A flow as the API returns it (`source` only when asked for). */
export type FlowJson = ReturnType<typeof flowJson>;

async function readBody(c: Context<AppEnv>): Promise<string> {
  const tooLarge = () => new TooLarge(`Body exceeds ${MAX_BODY_BYTES} bytes`);
  if (Number(c.req.header("Content-Length") ?? "0") > MAX_BODY_BYTES) throw tooLarge();
  // Bytes, then UTF-8: whatever the content type says (x-yaml, text, json), the body is YAML text.
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
  return decodeSource(new Uint8Array(bytes));
}

/**
 * The source as text, refused (422 with the line) when it is not valid UTF-8: sources are kept as
 * sent, and replacing bad bytes with U+FFFD would silently change them.
 */
export function decodeSource(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
    const message = `The flow source is not valid UTF-8 (byte ${offset}, line ${line})`;
    throw invalid(message, [{ path: "source", message, line }]);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      decoder.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}

async function readFlow(c: Context<AppEnv>): Promise<ParsedSource> {
  const source = await readBody(c);
  const result = parseFlow(source);
  if (!result.ok) throw violationsError(result.status, result.violations);
  return { flow: result.flow, source };
}

async function commitOne(db: Db, write: FlowWrite): Promise<FlowVersion> {
  await commitWrites(db, [write]);
  return write.result;
}

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const positiveInt = z.coerce.number().int().min(1);

export const getQuery = z.object({
  source: bool.optional(),
  revision: positiveInt.optional(),
  allowDeleted: bool.optional(),
});

export const searchQuery = z.object({
  q: z.string().optional(),
  namespace: z.string().optional(),
  labels: z.union([z.string(), z.array(z.string())]).optional(),
  // Defaults are applied in the handler, so the typed client sees these as optional.
  page: positiveInt.optional(),
  size: positiveInt.max(1000).optional(),
  sort: z.string().optional(),
});

export const bulkQuery = z.object({ delete: bool.optional() });

export function parseLabelFilters(labels: string | string[] | undefined): [string, string][] {
  const list = labels === undefined ? [] : Array.isArray(labels) ? labels : [labels];
  return list.map((l) => {
    const at = l.indexOf(":");
    if (at <= 0) throw invalid(`labels: expected key:value, got '${l}'`);
    return [l.slice(0, at), l.slice(at + 1)];
  });
}

function parseSort(sort: string | undefined) {
  if (!sort) return undefined;
  const [field = "", direction = "asc"] = sort.split(":");
  if (!isFlowSortField(field)) throw invalid(`sort: unknown field '${field}' (id, namespace, revision, updated)`);
  if (direction !== "asc" && direction !== "desc") throw invalid(`sort: direction must be asc or desc`);
  return { field, desc: direction === "desc" };
}

/** Save-time warnings in the two shapes answers carry: Kestra's strings, and ours with positions. */
function warningsOf(source: string, flow: Flow) {
  const details = flowWarnings(source, flow);
  if (!details.length) return {};
  return {
    warnings: details.map((w) => `${w.path} (line ${w.line}, column ${w.column}): ${w.message}`),
    warningDetails: details,
  };
}

/** What `POST /validate` says about one document, in Kestra's shape plus the structured violations. */
function validationReport(index: number, source: string, result: ReturnType<typeof parseFlow>) {
  if (result.ok)
    return { index, flow: result.flow.id, namespace: result.flow.namespace, ...warningsOf(source, result.flow) };
  let raw: unknown;
  try {
    raw = parseYaml(source);
  } catch {
    raw = undefined;
  }
  const named = (k: string) =>
    raw && typeof raw === "object" && typeof (raw as Record<string, unknown>)[k] === "string"
      ? ((raw as Record<string, unknown>)[k] as string)
      : undefined;
  return {
    index,
    flow: named("id"),
    namespace: named("namespace"),
    constraints: result.violations.map(describeViolation).join("\n"),
    violations: result.violations,
  };
}

/** One document's entry in the answer of `POST /validate`. */
export type ValidationReport = ReturnType<typeof validationReport>;

export const flows = new Hono<AppEnv>()
  .post("/", async (c) => {
    const parsed = await readFlow(c);
    const db = dbOf(c);
    const tenantId = c.get("tenantId");
    const prev = await findFlowRow(db, tenantId, parsed.flow.namespace, parsed.flow.id);
    const created = await commitOne(db, planCreate(db, tenantId, prev, parsed));
    await syncFlowTriggers(c.env, tenantId, [created]);
    return c.json({ ...flowJson(created, true), ...warningsOf(parsed.source, parsed.flow) }, 200);
  })
  .post("/validate", async (c) => {
    const docs = parseDocuments(await readBody(c));
    return c.json(
      docs.map((d) => validationReport(d.index, d.source, d.result)),
      200,
    );
  })
  .get(
    "/search",
    validator("query", (q) => searchQuery.parse(q)),
    async (c) => {
      const q = c.req.valid("query");
      const found = await searchFlows(dbOf(c), c.get("tenantId"), {
        q: q.q,
        namespace: q.namespace,
        labels: parseLabelFilters(q.labels),
        page: q.page ?? 1,
        size: q.size ?? 10,
        sort: parseSort(q.sort),
      });
      return c.json({ results: found.results.map((v) => flowJson(v, false)), total: found.total }, 200);
    },
  )
  .get("/:namespace", async (c) => {
    const list = await listNamespace(dbOf(c), c.get("tenantId"), c.req.param("namespace"));
    return c.json(
      list.map((v) => flowJson(v, false)),
      200,
    );
  })
  .post(
    "/:namespace",
    validator("query", (q) => bulkQuery.parse(q)),
    async (c) => {
      const namespace = c.req.param("namespace");
      const docs = parseDocuments(await readBody(c));
      const violations = docs.flatMap((d) =>
        d.result.ok ? [] : d.result.violations.map((v) => ({ index: d.index, ...v })),
      );
      if (violations.length > 0) {
        const tooLarge = docs.some((d) => !d.result.ok && d.result.status === 413);
        throw violationsError(tooLarge ? 413 : 422, violations);
      }
      const parsed: ParsedSource[] = docs.flatMap((d) =>
        d.result.ok ? [{ flow: d.result.flow, source: d.source }] : [],
      );
      const seen = new Set<string>();
      for (const [index, p] of parsed.entries()) {
        if (p.flow.namespace !== namespace) {
          throw invalid(
            `Document ${index}: flow ${p.flow.id} has namespace '${p.flow.namespace}', expected '${namespace}'`,
          );
        }
        if (seen.has(p.flow.id)) throw invalid(`Document ${index}: flow ${p.flow.id} appears twice`);
        seen.add(p.flow.id);
      }
      const db = dbOf(c);
      const tenantId = c.get("tenantId");
      const current = new Map((await listNamespaceRows(db, tenantId, namespace)).map((r) => [r.id, r]));
      const writes = parsed.map((p) => planUpsert(db, tenantId, current.get(p.flow.id), p));
      if (c.req.valid("query").delete) {
        for (const row of current.values()) {
          if (!row.deleted && !seen.has(row.id)) writes.push(planDelete(db, tenantId, row, namespace, row.id));
        }
      }
      await commitWrites(db, writes);
      await syncFlowTriggers(
        c.env,
        tenantId,
        writes.map((w) => w.result),
      );
      return c.json(
        writes.filter((w) => !w.result.deleted).map((w) => flowJson(w.result, true)),
        200,
      );
    },
  )
  .get(
    "/:namespace/:id",
    validator("query", (q) => getQuery.parse(q)),
    async (c) => {
      const { namespace, id } = c.req.param();
      const q = c.req.valid("query");
      const found = await findFlowVersion(dbOf(c), c.get("tenantId"), namespace, id, {
        revision: q.revision,
        allowDeleted: q.allowDeleted ?? false,
      });
      if (!found) throw notFound(`Flow ${namespace}.${id} not found`);
      return c.json(flowJson(found, q.source ?? false), 200);
    },
  )
  .put("/:namespace/:id", async (c) => {
    const { namespace, id } = c.req.param();
    const parsed = await readFlow(c);
    if (parsed.flow.namespace !== namespace || parsed.flow.id !== id) {
      throw invalid(
        `Flow ${parsed.flow.namespace}.${parsed.flow.id} in the body does not match ${namespace}.${id} in the path`,
      );
    }
    const db = dbOf(c);
    const tenantId = c.get("tenantId");
    const prev = await findFlowRow(db, tenantId, namespace, id);
    const updated = await commitOne(db, planUpdate(db, tenantId, prev, parsed));
    await syncFlowTriggers(c.env, tenantId, [updated]);
    return c.json({ ...flowJson(updated, true), ...warningsOf(parsed.source, parsed.flow) }, 200);
  })
  .delete("/:namespace/:id", async (c) => {
    const { namespace, id } = c.req.param();
    const db = dbOf(c);
    const tenantId = c.get("tenantId");
    const prev = await findFlowRow(db, tenantId, namespace, id);
    await commitWrites(db, [planDelete(db, tenantId, prev, namespace, id)]);
    await syncFlowTriggers(c.env, tenantId, [{ namespace, id }]);
    return c.body(null, 204);
  })
  .get("/:namespace/:id/revisions", async (c) => {
    const { namespace, id } = c.req.param();
    const revisions = await listRevisions(dbOf(c), c.get("tenantId"), namespace, id);
    if (revisions.length === 0) throw notFound(`Flow ${namespace}.${id} not found`);
    return c.json(
      revisions.map((v) => flowJson(v, true)),
      200,
    );
  });

export type FlowsApp = typeof flows;
