// Secrets in D1, bound to one tenant. Values go in sealed (worker/secrets/crypto.ts) and come out
// only through `reveal`, which the execution's secret() uses; the API can set, list keys and
// delete, never read. A flow in `a.b.c` sees the secrets of `a.b.c`, then `a.b`, then `a`: the
// nearest namespace that defines the key wins, as Kestra's namespace inheritance does.
import { and, asc, eq, inArray } from "drizzle-orm";
import { secrets } from "../../schema/db";
import type { Db } from "../db/client";
import { DomainError, type ErrorCode } from "../errors";
import { open, seal, secretsKey } from "./crypto";

export const MAX_SECRET_BYTES = 64 * 1024;

const KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

export class SecretNotFound extends DomainError {
  override readonly name = "SecretNotFound";
  readonly code = "not_found";
}

export class InvalidSecret extends DomainError {
  override readonly name: string = "InvalidSecret";
  readonly code: ErrorCode = "invalid";
}

export class SecretTooLarge extends InvalidSecret {
  override readonly name = "SecretTooLarge";
  override readonly code = "payload_too_large";
}

export function checkSecretKey(key: string): string {
  if (key.length > 256 || !KEY.test(key)) {
    throw new InvalidSecret(`Invalid secret key '${key}': it must match ${KEY.source} and be at most 256 characters`);
  }
  return key;
}

/** `a.b.c` → [`a.b.c`, `a.b`, `a`]: nearest first. */
export function namespaceChain(namespace: string): string[] {
  const parts = namespace.split(".");
  return parts.map((_, i) => parts.slice(0, parts.length - i).join("."));
}

export interface SecretMeta {
  key: string;
  updatedAt: string;
}

export class SecretStore {
  constructor(
    private readonly db: Db,
    private readonly env: { SECRETS_KEY?: string },
    private readonly tenantId: string,
  ) {}

  async put(namespace: string, key: string, value: string): Promise<void> {
    checkSecretKey(key);
    if (new TextEncoder().encode(value).byteLength > MAX_SECRET_BYTES) {
      throw new SecretTooLarge(`A secret value is limited to ${MAX_SECRET_BYTES} bytes`);
    }
    const sealed = await seal(await secretsKey(this.env), { tenantId: this.tenantId, namespace, key }, value);
    const updatedAt = new Date().toISOString();
    await this.db
      .insert(secrets)
      .values({ tenantId: this.tenantId, namespace, key, ...sealed, updatedAt })
      .onConflictDoUpdate({ target: [secrets.tenantId, secrets.namespace, secrets.key], set: { ...sealed, updatedAt } })
      .run();
  }

  async list(namespace: string): Promise<SecretMeta[]> {
    return this.db
      .select({ key: secrets.key, updatedAt: secrets.updatedAt })
      .from(secrets)
      .where(and(eq(secrets.tenantId, this.tenantId), eq(secrets.namespace, namespace)))
      .orderBy(asc(secrets.key));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const result = await this.db
      .delete(secrets)
      .where(and(eq(secrets.tenantId, this.tenantId), eq(secrets.namespace, namespace), eq(secrets.key, key)))
      .run();
    return result.meta.changes > 0;
  }

  /** The plaintext for a flow in `namespace`, looked up through its parent namespaces. */
  async reveal(namespace: string, key: string): Promise<string> {
    const chain = namespaceChain(namespace);
    const rows = await this.db
      .select()
      .from(secrets)
      .where(and(eq(secrets.tenantId, this.tenantId), inArray(secrets.namespace, chain), eq(secrets.key, key)));
    const row = chain.map((ns) => rows.find((r) => r.namespace === ns)).find((r) => r !== undefined);
    if (!row) throw new SecretNotFound(`Cannot find secret for key '${key}' in namespace '${namespace}'`);
    return open(await secretsKey(this.env), { tenantId: this.tenantId, namespace: row.namespace, key }, row);
  }
}
