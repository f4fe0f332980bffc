// Dashboard sessions and one-time login codes in D1. Only hashes of tokens and codes are stored.
// A session is live while it has not expired, was not ended, and its API key is not revoked.
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { apiKeys, loginCodes, sessions } from "../../schema/db";
import type { Db } from "./client";

export interface LiveSession {
  tenantId: string;
  apiKeyId: string;
  expiresAt: string;
}

export interface LiveKey {
  id: string;
  tenantId: string;
}

export async function createSession(db: Db, hash: string, key: LiveKey, expiresAt: string): Promise<void> {
  const now = new Date().toISOString();
  // Expired sessions are swept when new ones are made (indexed by expiry), so the table stays small.
  await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db.insert(sessions).values({ hash, tenantId: key.tenantId, apiKeyId: key.id, expiresAt }),
  ]);
}

export async function findLiveSession(db: Db, hash: string): Promise<LiveSession | undefined> {
  const rows = await db
    .select({ tenantId: sessions.tenantId, apiKeyId: sessions.apiKeyId, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(apiKeys, eq(apiKeys.id, sessions.apiKeyId))
    .where(and(eq(sessions.hash, hash), gt(sessions.expiresAt, new Date().toISOString()), isNull(apiKeys.revokedAt)))
    .limit(1);
  return rows[0];
}

export async function deleteSession(db: Db, hash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.hash, hash));
}

export async function createLoginCode(db: Db, hash: string, apiKeyId: string, expiresAt: string): Promise<void> {
  const now = new Date().toISOString();
  await db.batch([
    db.delete(loginCodes).where(lt(loginCodes.expiresAt, now)),
    db.insert(loginCodes).values({ hash, apiKeyId, expiresAt }),
  ]);
}

/** Takes a code once: the row is deleted by the same statement that reads it, so a second use finds nothing. */
export async function consumeLoginCode(db: Db, hash: string): Promise<LiveKey | undefined> {
  const taken = await db
    .delete(loginCodes)
    .where(and(eq(loginCodes.hash, hash), gt(loginCodes.expiresAt, new Date().toISOString())))
    .returning({ apiKeyId: loginCodes.apiKeyId });
  const apiKeyId = taken[0]?.apiKeyId;
  if (!apiKeyId) return undefined;
  const rows = await db
    .select({ id: apiKeys.id, tenantId: apiKeys.tenantId })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, apiKeyId), isNull(apiKeys.revokedAt)))
    .limit(1);
  return rows[0];
}
