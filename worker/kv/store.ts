// The KV store in D1, bound to one tenant: every query carries the tenant id, so no caller can
// reach another tenant's keys. Expired entries stay in the table until overwritten or deleted but
// are invisible to every read; "now" is injectable so expiry can be tested without a clock.
import { and, asc, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import { kv } from "../../schema/db";
import type { Db } from "../db/client";
import { type KvType, serialize } from "./values";

export interface KvEntry {
  key: string;
  type: KvType;
  value: unknown;
  /** ISO instant, absent when the entry never expires. */
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type KvMeta = Omit<KvEntry, "value">;

export interface PutOptions {
  /** Time to live in milliseconds; absent: forever. */
  ttlMs?: number;
  /** When false, an existing (unexpired) key is left alone and put answers false. */
  overwrite?: boolean;
}

/** What kv tasks may do: the tenant is fixed by whoever built it (the execution's Durable Object). */
export interface KvAccess {
  get(namespace: string, key: string): Promise<KvEntry | null>;
  put(namespace: string, key: string, entry: { value: unknown; type: KvType }, options?: PutOptions): Promise<boolean>;
  list(namespace: string, prefix?: string): Promise<KvMeta[]>;
  delete(namespace: string, key: string): Promise<boolean>;
}

const MAX_LISTED = 10_000;

export class KvStore implements KvAccess {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private visible(namespace: string): SQL | undefined {
    return and(
      eq(kv.tenantId, this.tenantId),
      eq(kv.namespace, namespace),
      or(isNull(kv.expiresAt), gt(kv.expiresAt, this.now().toISOString())),
    );
  }

  async get(namespace: string, key: string): Promise<KvEntry | null> {
    const [row] = await this.db
      .select()
      .from(kv)
      .where(and(this.visible(namespace), eq(kv.key, key)))
      .limit(1);
    if (!row) return null;
    return { ...meta(row), value: JSON.parse(row.value) };
  }

  async put(
    namespace: string,
    key: string,
    entry: { value: unknown; type: KvType },
    options: PutOptions = {},
  ): Promise<boolean> {
    const now = this.now();
    const value = serialize(entry.value);
    const expiresAt = options.ttlMs === undefined ? null : new Date(now.getTime() + options.ttlMs).toISOString();
    const updatedAt = now.toISOString();
    const row = { tenantId: this.tenantId, namespace, key, value, type: entry.type, expiresAt, updatedAt };
    const set = { value, type: entry.type, expiresAt, updatedAt, createdAt: updatedAt };
    const overwrite = options.overwrite ?? true;
    const result = await this.db
      .insert(kv)
      .values({ ...row, createdAt: updatedAt })
      .onConflictDoUpdate({
        target: [kv.tenantId, kv.namespace, kv.key],
        // Overwriting keeps the creation date; without overwrite only an expired entry is replaced.
        set: overwrite ? { value, type: entry.type, expiresAt, updatedAt } : set,
        where: overwrite ? undefined : and(sql`${kv.expiresAt} IS NOT NULL`, sql`${kv.expiresAt} <= ${updatedAt}`),
      })
      .run();
    return result.meta.changes > 0;
  }

  async list(namespace: string, prefix?: string): Promise<KvMeta[]> {
    const rows = await this.db
      .select({
        key: kv.key,
        type: kv.type,
        expiresAt: kv.expiresAt,
        createdAt: kv.createdAt,
        updatedAt: kv.updatedAt,
      })
      .from(kv)
      .where(and(this.visible(namespace), prefix ? sql`instr(${kv.key}, ${prefix}) = 1` : undefined))
      .orderBy(asc(kv.key))
      .limit(MAX_LISTED);
    return rows.map(meta);
  }

  /** True when a visible entry was deleted; an expired one is removed too but counts as missing. */
  async delete(namespace: string, key: string): Promise<boolean> {
    const existed = (await this.get(namespace, key)) !== null;
    await this.db
      .delete(kv)
      .where(and(eq(kv.tenantId, this.tenantId), eq(kv.namespace, namespace), eq(kv.key, key)))
      .run();
    return existed;
  }
}

function meta(row: { key: string; type: string; expiresAt: string | null; createdAt: string; updatedAt: string }) {
  return {
    key: row.key,
    type: row.type as KvType,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
