// The one way code reaches D1 through Drizzle. Query-builder only (no relational schema), so any
// `drizzle(env.DB)` handle is a `Db` and callers in other modules can pass their own.
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";

export type Db = DrizzleD1Database;

/**
 * One handle per binding object: building Drizzle's dialect and session costs more than a small
 * query, and an execution's object asks for one per task run. The handle holds no state of its own.
 */
const handles = new WeakMap<D1Database, Db>();

export function database(d1: D1Database): Db {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1);
    handles.set(d1, db);
  }
  return db;
}

/** True when D1 refused a write because of a PRIMARY KEY or UNIQUE constraint (Drizzle wraps the D1 error). */
export function isConstraintError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (/constraint failed|SQLITE_CONSTRAINT/i.test(e.message)) return true;
  }
  return false;
}

export const nowIso = (): string => new Date().toISOString();
