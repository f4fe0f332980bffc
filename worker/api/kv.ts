// The KV store under /api/v1/{tenant}/namespaces/{namespace}/kv: list keys with their metadata,
// read one as `{type, value}`, write one (the body is JSON when it parses, text otherwise; `ttl`
// as a header or query parameter; `type` to declare its type) and delete one. Expired entries are invisible here too.

import { Hono } from "hono";
import { NAMESPACE } from "../../schema/flow/common";
import { invalid, notFound } from "../errors";
import { KvStore } from "../kv/store";
import { checkKey, isKvType, KV_TYPES, type KvType, typedValue, valueOfBody } from "../kv/values";
import { jsonTextDepth, MAX_JSON_DEPTH, tooDeep } from "../limits";
import { parseDurationMs } from "../tasks/duration";
import { type AppEnv, dbOf } from "./context";

export function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw invalid(`Invalid namespace '${namespace}': must match ${NAMESPACE.source}`);
  return namespace;
}

function ttlMs(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  let ms: number;
  try {
    ms = parseDurationMs(raw);
  } catch (e) {
    throw invalid(`Invalid ttl: ${(e as Error).message}`);
  }
  if (ms <= 0) throw invalid(`Invalid ttl '${raw}': it must be positive`);
  return ms;
}

/** `?type=` declares the value's type (checked and converted as kv.Set's kvType); without it the type is inferred. */
function kvTypeOf(raw: string | undefined): KvType | undefined {
  if (raw === undefined || raw === "") return undefined;
  const type = raw.toUpperCase();
  if (!isKvType(type)) throw invalid(`Unknown KV type '${raw}': one of ${KV_TYPES.join(", ")}`, { field: "type" });
  return type;
}

export const kvApi = new Hono<AppEnv>()
  .get("/:namespace/kv", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const entries = await new KvStore(dbOf(c), c.get("tenantId")).list(namespace);
    return c.json(
      entries.map((e) => ({
        key: e.key,
        type: e.type,
        creationDate: e.createdAt,
        updateDate: e.updatedAt,
        ...(e.expiresAt ? { expirationDate: e.expiresAt } : {}),
      })),
      200,
    );
  })
  .get("/:namespace/kv/:key", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const key = checkKey(c.req.param("key"));
    const entry = await new KvStore(dbOf(c), c.get("tenantId")).get(namespace, key);
    if (!entry) throw notFound(`No value found for key '${key}' in namespace '${namespace}'`);
    return c.json({ type: entry.type, value: entry.value }, 200);
  })
  .put("/:namespace/kv/:key", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const key = checkKey(c.req.param("key"));
    const ttl = ttlMs(c.req.header("ttl") ?? c.req.query("ttl"));
    const body = await c.req.text();
    if (jsonTextDepth(body) > MAX_JSON_DEPTH) throw tooDeep("value");
    const typed = typedValue(valueOfBody(body), kvTypeOf(c.req.query("type")));
    await new KvStore(dbOf(c), c.get("tenantId")).put(namespace, key, typed, { ttlMs: ttl });
    return c.body(null, 204);
  })
  .delete("/:namespace/kv/:key", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const key = checkKey(c.req.param("key"));
    const deleted = await new KvStore(dbOf(c), c.get("tenantId")).delete(namespace, key);
    return c.json(deleted, 200);
  });
