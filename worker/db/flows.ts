// Flows in D1: reads for the API and the engine, and write plans that change `flows` and
// `flow_revisions` together in one batch. Every change (create, update, delete) takes the next
// revision number and records it in flow_revisions, whose primary key therefore serialises
// concurrent writers: the loser's batch fails as a whole and nothing half-written remains.
import { and, asc, desc, eq, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { flowRevisions, flows } from "../../schema/db";
import type { Flow } from "../../schema/flow";
import { conflict, notFound } from "../errors";
import { type Db, isConstraintError, nowIso } from "./client";

export type FlowRow = typeof flows.$inferSelect;

/** What the API shows for one revision of a flow. */
export interface FlowVersion {
  tenantId: string;
  namespace: string;
  id: string;
  revision: number;
  source: string;
  flow: Flow;
  disabled: boolean;
  deleted: boolean;
}

export interface ParsedSource {
  flow: Flow;
  source: string;
}

const parseModel = (model: string): Flow => JSON.parse(model) as Flow;

export const fromRow = (r: FlowRow): FlowVersion => ({
  tenantId: r.tenantId,
  namespace: r.namespace,
  id: r.id,
  revision: r.revision,
  source: r.source,
  flow: parseModel(r.model),
  disabled: r.disabled,
  deleted: r.deleted,
});

const flowKey = (tenantId: string, namespace: string, id: string) =>
  and(eq(flows.tenantId, tenantId), eq(flows.namespace, namespace), eq(flows.id, id));

const revisionKey = (tenantId: string, namespace: string, id: string) =>
  and(eq(flowRevisions.tenantId, tenantId), eq(flowRevisions.namespace, namespace), eq(flowRevisions.flowId, id));

/** The current row, deleted or not. */
export async function findFlowRow(db: Db, tenantId: string, namespace: string, id: string) {
  const rows = await db
    .select()
    .from(flows)
    .where(flowKey(tenantId, namespace, id))
    .limit(1);
  return rows[0];
}

/** The tenant's live flows that declare triggers, with their revisions (models are not read). */
export function flowsWithTriggers(db: Db, tenantId: string) {
  return db
    .select({ namespace: flows.namespace, id: flows.id, revision: flows.revision })
    .from(flows)
    .where(and(eq(flows.hasTriggers, true), eq(flows.deleted, false), eq(flows.tenantId, tenantId)));
}

/** Every tenant with a live flow that declares triggers. */
export async function tenantsWithTriggers(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ tenantId: flows.tenantId })
    .from(flows)
    .where(and(eq(flows.hasTriggers, true), eq(flows.deleted, false)));
  return rows.map((r) => r.tenantId);
}

/**
 * The flow the engine runs: the current, non-deleted revision, or the given past revision (a
 * deletion marker is not a runnable revision). Reads the stored model; YAML is never parsed here.
 */
export async function getFlow(
  db: Db,
  tenantId: string,
  namespace: string,
  flowId: string,
  revision?: number,
): Promise<{ flow: Flow; revision: number; disabled: boolean; source: string } | undefined> {
  const found = await findFlowVersion(db, tenantId, namespace, flowId, { revision, allowDeleted: false });
  return found && { flow: found.flow, revision: found.revision, disabled: found.disabled, source: found.source };
}

export async function findFlowVersion(
  db: Db,
  tenantId: string,
  namespace: string,
  id: string,
  opts: { revision?: number | undefined; allowDeleted: boolean },
): Promise<FlowVersion | undefined> {
  const current = await findFlowRow(db, tenantId, namespace, id);
  if (opts.revision === undefined || opts.revision === current?.revision) {
    return current && (opts.allowDeleted || !current.deleted) ? fromRow(current) : undefined;
  }
  const rows = await db
    .select()
    .from(flowRevisions)
    .where(and(revisionKey(tenantId, namespace, id), eq(flowRevisions.revision, opts.revision)))
    .limit(1);
  const r = rows[0];
  if (!r || (r.deleted && !opts.allowDeleted)) return undefined;
  const flow = parseModel(r.model);
  return {
    tenantId,
    namespace,
    id,
    revision: r.revision,
    source: r.source,
    flow,
    disabled: !!flow.disabled,
    deleted: r.deleted,
  };
}

export async function listRevisions(db: Db, tenantId: string, namespace: string, id: string): Promise<FlowVersion[]> {
  const rows = await db
    .select()
    .from(flowRevisions)
    .where(revisionKey(tenantId, namespace, id))
    .orderBy(asc(flowRevisions.revision));
  return rows.map((r) => {
    const flow = parseModel(r.model);
    return {
      tenantId,
      namespace,
      id,
      revision: r.revision,
      source: r.source,
      flow,
      disabled: !!flow.disabled,
      deleted: r.deleted,
    };
  });
}

/** Live flows of exactly this namespace. */
export async function listNamespace(db: Db, tenantId: string, namespace: string): Promise<FlowVersion[]> {
  const rows = await db
    .select()
    .from(flows)
    .where(and(eq(flows.tenantId, tenantId), eq(flows.namespace, namespace), eq(flows.deleted, false)))
    .orderBy(asc(flows.id));
  return rows.map(fromRow);
}

/** Every row of the namespace, deleted ones included (a bulk update may bring them back). */
export function listNamespaceRows(db: Db, tenantId: string, namespace: string): Promise<FlowRow[]> {
  return db
    .select()
    .from(flows)
    .where(and(eq(flows.tenantId, tenantId), eq(flows.namespace, namespace)));
}

export interface FlowSearch {
  q?: string | undefined;
  namespace?: string | undefined;
  labels: [string, string][];
  page: number;
  size: number;
  sort?: { field: FlowSortField; desc: boolean } | undefined;
}

const SORT_COLUMNS = { id: flows.id, namespace: flows.namespace, revision: flows.revision, updated: flows.updatedAt };
export type FlowSortField = keyof typeof SORT_COLUMNS;
export const isFlowSortField = (f: string): f is FlowSortField => Object.hasOwn(SORT_COLUMNS, f);

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
const contains = (column: SQLiteColumn, q: string) => sql`${column} LIKE ${`%${likeEscape(q)}%`} ESCAPE '\\'`;

export async function searchFlows(
  db: Db,
  tenantId: string,
  s: FlowSearch,
): Promise<{ results: FlowVersion[]; total: number }> {
  const where: (SQL | undefined)[] = [eq(flows.tenantId, tenantId), eq(flows.deleted, false)];
  if (s.namespace) {
    // Children too (`ns.*`); ESCAPE keeps a `_` in the namespace literal.
    where.push(
      or(eq(flows.namespace, s.namespace), sql`${flows.namespace} LIKE ${`${likeEscape(s.namespace)}.%`} ESCAPE '\\'`),
    );
  }
  if (s.q) where.push(or(contains(flows.id, s.q), contains(flows.namespace, s.q), contains(flows.description, s.q)));
  for (const [key, value] of s.labels) {
    where.push(
      sql`EXISTS (SELECT 1 FROM json_each(${flows.labels}) WHERE json_each.key = ${key} AND json_each.value = ${value})`,
    );
  }
  const filter = and(...where);
  const order = s.sort
    ? [
        s.sort.desc ? desc(SORT_COLUMNS[s.sort.field]) : asc(SORT_COLUMNS[s.sort.field]),
        asc(flows.namespace),
        asc(flows.id),
      ]
    : [asc(flows.namespace), asc(flows.id)];
  const [rows, counted] = await db.batch([
    db
      .select()
      .from(flows)
      .where(filter)
      .orderBy(...order)
      .limit(s.size)
      .offset((s.page - 1) * s.size),
    db.select({ total: sql<number>`count(*)` }).from(flows).where(filter),
  ]);
  return { results: rows.map(fromRow), total: counted[0]?.total ?? 0 };
}

// ---- writes ------------------------------------------------------------------------------------

type Statement = Parameters<Db["batch"]>[0][number];

/** One flow's change: the statements to run and what the flow looks like afterwards. */
export interface FlowWrite {
  statements: Statement[];
  result: FlowVersion;
}

function writeRevision(db: Db, tenantId: string, prev: FlowRow | undefined, next: FlowVersion): FlowWrite {
  const updatedAt = nowIso();
  const model = JSON.stringify(next.flow);
  const row = {
    tenantId,
    namespace: next.namespace,
    id: next.id,
    revision: next.revision,
    source: next.source,
    model,
    description: next.flow.description ?? null,
    labels: JSON.stringify(next.flow.labels ?? {}),
    disabled: next.disabled,
    deleted: next.deleted,
    hasTriggers: (next.flow.triggers?.length ?? 0) > 0,
    updatedAt,
  };
  const { tenantId: _t, namespace: _n, id: _i, ...changes } = row;
  const upsert = db
    .insert(flows)
    .values(row)
    .onConflictDoUpdate({
      target: [flows.tenantId, flows.namespace, flows.id],
      set: changes,
      // Only move forward from the revision this plan was computed against.
      setWhere: prev ? eq(flows.revision, prev.revision) : sql`0`,
    });
  const history = db.insert(flowRevisions).values({
    tenantId,
    namespace: next.namespace,
    flowId: next.id,
    revision: next.revision,
    source: next.source,
    model,
    deleted: next.deleted,
    createdAt: updatedAt,
  });
  return { statements: [history, upsert], result: next };
}

const version = (tenantId: string, p: ParsedSource, revision: number): FlowVersion => ({
  tenantId,
  namespace: p.flow.namespace,
  id: p.flow.id,
  revision,
  source: p.source,
  flow: p.flow,
  disabled: !!p.flow.disabled,
  deleted: false,
});

/** A new flow, or the return of a deleted one (its revision numbers carry on). 409 if it is live. */
export function planCreate(db: Db, tenantId: string, prev: FlowRow | undefined, p: ParsedSource): FlowWrite {
  if (prev && !prev.deleted) throw conflict(`Flow ${p.flow.namespace}.${p.flow.id} already exists`);
  return writeRevision(db, tenantId, prev, version(tenantId, p, (prev?.revision ?? 0) + 1));
}

/** A new revision, or no write at all when the source is unchanged. 404 if there is no live flow. */
export function planUpdate(db: Db, tenantId: string, prev: FlowRow | undefined, p: ParsedSource): FlowWrite {
  if (!prev || prev.deleted) throw notFound(`Flow ${p.flow.namespace}.${p.flow.id} not found`);
  if (prev.source === p.source) return { statements: [], result: fromRow(prev) };
  return writeRevision(db, tenantId, prev, version(tenantId, p, prev.revision + 1));
}

/** Create when absent or deleted, update otherwise: what a bulk namespace update does per flow. */
export function planUpsert(db: Db, tenantId: string, prev: FlowRow | undefined, p: ParsedSource): FlowWrite {
  return !prev || prev.deleted ? planCreate(db, tenantId, prev, p) : planUpdate(db, tenantId, prev, p);
}

/** Soft delete: the row stays, marked deleted, and a deletion revision joins the history. */
export function planDelete(
  db: Db,
  tenantId: string,
  prev: FlowRow | undefined,
  namespace: string,
  id: string,
): FlowWrite {
  if (!prev || prev.deleted) throw notFound(`Flow ${namespace}.${id} not found`);
  const current = fromRow(prev);
  return writeRevision(db, tenantId, prev, { ...current, revision: prev.revision + 1, deleted: true });
}

/** Runs every statement of every plan in one D1 batch (one transaction). */
export async function commitWrites(db: Db, writes: FlowWrite[]): Promise<void> {
  const [first, ...rest] = writes.flatMap((w) => w.statements);
  if (!first) return;
  try {
    await db.batch([first, ...rest]);
  } catch (e) {
    if (isConstraintError(e)) throw conflict("The flow was changed by another request at the same time; retry");
    throw e;
  }
}
