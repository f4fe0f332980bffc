// The store-backed render services an execution lends to expressions and tasks: kv() and the kv
// tasks read this tenant's KV store; secret() reveals this tenant's secrets for the flow's
// namespace (and its parents) and remembers each value in the masker, so that whatever leaves the
// run (logs, outputs, errors) can be masked with it.
import type { Db } from "../db/client";
import { database } from "../db/client";
import { type KvAccess, KvStore } from "../kv/store";
import type { ExecutionScope } from "../storage/files";
import { SecretMasker } from "./masker";
import { SecretStore } from "./store";

export interface StoreServices {
  kv(namespace: string, key: string, errorOnMissing: boolean): Promise<unknown>;
  secret(key: string): Promise<string>;
  /** Holds every value secret() returned through these services. */
  masker: SecretMasker;
  /** The KV capability for kv tasks (ctx.kv). */
  kvStore: KvAccess;
}

export function storeServices(env: Env, scope: ExecutionScope, db: Db = database(env.DB)): StoreServices {
  const kvStore = new KvStore(db, scope.tenantId);
  const secrets = new SecretStore(db, env, scope.tenantId);
  const masker = new SecretMasker();
  const revealed = new Map<string, Promise<string>>();
  return {
    async kv(namespace, key, errorOnMissing) {
      const entry = await kvStore.get(namespace, key);
      if (entry) return entry.value;
      if (errorOnMissing) throw new Error(`No value found for key '${key}' in namespace '${namespace}'`);
      return null;
    },
    secret(key) {
      // One D1 read and one decryption per key and run, however often a template names it.
      let value = revealed.get(key);
      if (!value) {
        value = secrets.reveal(scope.namespace, key).then((v) => masker.reveal(v));
        revealed.set(key, value);
      }
      return value;
    },
    masker,
    kvStore,
  };
}
