// Tenants and their API keys in D1. Only a key's hash and visible prefix are ever written; the
// plaintext leaves this module once, in the return value of the call that minted it.
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { apiKeys, tenants } from "../../schema/db";
import { generateApiKey, sha256Hex, visiblePrefix } from "../auth/keys";
import { conflict, notFound } from "../errors";
import { type Db, isConstraintError, nowIso } from "./client";

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type NewApiKey = ApiKeyInfo & { /** Shown once; never stored. */ key: string };

export interface TenantInfo {
  id: string;
  name: string;
  createdAt: string;
}

const keyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

async function mintKeyRow(tenantId: string, name: string) {
  const key = generateApiKey();
  const row = {
    id: crypto.randomUUID(),
    tenantId,
    name,
    prefix: visiblePrefix(key),
    hash: await sha256Hex(key),
    createdAt: nowIso(),
  };
  return { key, row };
}

const shown = (key: string, row: { id: string; name: string; prefix: string; createdAt: string }): NewApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt,
  lastUsedAt: null,
  revokedAt: null,
  key,
});

/** Creates a tenant and its first key in one transaction; 409 when the id is taken. */
export async function createTenant(
  db: Db,
  id: string,
  name: string,
  keyName: string,
): Promise<{ tenant: TenantInfo; apiKey: NewApiKey }> {
  const tenant = { id, name, createdAt: nowIso() };
  const { key, row } = await mintKeyRow(id, keyName);
  try {
    await db.batch([db.insert(tenants).values(tenant), db.insert(apiKeys).values(row)]);
  } catch (e) {
    if (isConstraintError(e)) throw conflict(`Tenant '${id}' already exists`);
    throw e;
  }
  return { tenant, apiKey: shown(key, row) };
}

export async function tenantExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, id)).limit(1);
  return rows.length > 0;
}

export async function createApiKey(db: Db, tenantId: string, name: string): Promise<NewApiKey> {
  // The prefix carries 48 random bits; a clash is astronomically rare but the unique index would
  // reject it, so one retry with fresh material settles it.
  for (let attempt = 0; ; attempt++) {
    const { key, row } = await mintKeyRow(tenantId, name);
    try {
      await db.insert(apiKeys).values(row);
      return shown(key, row);
    } catch (e) {
      if (attempt > 0 || !isConstraintError(e)) throw e;
    }
  }
}

export function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyInfo[]> {
  return db.select(keyColumns).from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt));
}

/** Revokes a key of this tenant; 404 for an unknown id or another tenant's key. Idempotent. */
export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<ApiKeyInfo> {
  const found = await db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
    .limit(1);
  const key = found[0];
  if (!key) throw notFound(`API key '${id}' not found`);
  if (key.revokedAt) return key;
  const revokedAt = nowIso();
  await db
    .update(apiKeys)
    .set({ revokedAt })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  return { ...key, revokedAt };
}

export async function findKeyByPrefix(db: Db, prefix: string) {
  const rows = await db
    .select({
      id: apiKeys.id,
      tenantId: apiKeys.tenantId,
      hash: apiKeys.hash,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.prefix, prefix))
    .limit(1);
  return rows[0];
}

/** Records a use, unless another request already did within `intervalMs`. */
export async function touchKey(db: Db, id: string, intervalMs: number): Promise<void> {
  const now = new Date();
  const cutoff = new Date(now.getTime() - intervalMs).toISOString();
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now.toISOString() })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, cutoff))));
}
