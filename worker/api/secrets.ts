// Secrets under /api/v1/{tenant}/namespaces/{namespace}/secrets: set one (the raw body is the
// value), list the keys, delete one. There is deliberately no route that reads a value: once set,
// a secret leaves only through secret() inside an execution of this tenant (and is masked there).
import { Hono } from "hono";
import { invalid, notFound } from "../errors";
import { checkSecretKey, SecretStore } from "../secrets/store";
import { type AppEnv, dbOf } from "./context";
import { checkNamespace } from "./kv";

export const secretsApi = new Hono<AppEnv>()
  .get("/:namespace/secrets", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const rows = await new SecretStore(dbOf(c), c.env, c.get("tenantId")).list(namespace);
    const results = rows.map((r) => ({ key: r.key, updateDate: r.updatedAt }));
    return c.json({ readOnly: false, results, total: results.length }, 200);
  })
  .put("/:namespace/secrets/:key", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const key = checkSecretKey(c.req.param("key"));
    const value = await c.req.text();
    if (value === "") throw invalid("A secret value cannot be empty");
    await new SecretStore(dbOf(c), c.env, c.get("tenantId")).put(namespace, key, value);
    return c.body(null, 204);
  })
  .delete("/:namespace/secrets/:key", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const key = checkSecretKey(c.req.param("key"));
    const deleted = await new SecretStore(dbOf(c), c.env, c.get("tenantId")).delete(namespace, key);
    if (!deleted) throw notFound(`No secret '${key}' in namespace '${namespace}'`);
    return c.body(null, 204);
  });
