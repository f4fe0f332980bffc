// kv.Set, kv.Get, kv.GetKeys and kv.Delete. The store comes from the task context (`ctx.kv`,
// tenant-bound by the execution's Durable Object); the namespace defaults to the flow's own.
import { NAMESPACE } from "../../schema/flow/common";
import type { KvAccess } from "../kv/store";
import { checkKey, isKvType, KvValueError, typedValue } from "../kv/values";
import { parseDurationMs } from "./duration";
import { renderBoolean, renderOptionalString, renderString } from "./properties";
import type { RunnableTask, TaskContext } from "./types";
import { TaskFailure } from "./types";

/** The KV capability of a task context; see the runner for where it is lent. */
export type KvTaskContext = TaskContext & { readonly kv?: KvAccess };

function storeOf(ctx: KvTaskContext): KvAccess {
  if (!ctx.kv) throw new TaskFailure("The KV store is not available to this task run");
  return ctx.kv;
}

async function namespaceOf(ctx: TaskContext): Promise<string> {
  const namespace = (await renderOptionalString(ctx, "namespace")) ?? (await ctx.render("{{ flow.namespace }}"));
  if (!NAMESPACE.test(namespace)) throw new TaskFailure(`Invalid namespace '${namespace}'`);
  return namespace;
}

async function keyOf(ctx: TaskContext): Promise<string> {
  const key = await renderString(ctx, "key");
  try {
    return checkKey(key);
  } catch (e) {
    throw new TaskFailure((e as Error).message);
  }
}

async function renderValue(ctx: TaskContext): Promise<unknown> {
  const raw = ctx.task.value;
  if (raw === undefined) throw new TaskFailure("Property 'value' is required");
  return typeof raw === "string" ? ctx.renderTyped(raw) : ctx.renderDeep(raw);
}

export const kvSetTask: RunnableTask = {
  async run(ctx: KvTaskContext) {
    const store = storeOf(ctx);
    const key = await keyOf(ctx);
    const namespace = await namespaceOf(ctx);
    const overwrite = await renderBoolean(ctx, "overwrite", true);
    const ttl = await renderOptionalString(ctx, "ttl");
    let ttlMs: number | undefined;
    if (ttl !== undefined && ttl.trim() !== "") {
      try {
        ttlMs = parseDurationMs(ttl);
      } catch (e) {
        throw new TaskFailure(`Property 'ttl': ${(e as Error).message}`);
      }
      if (ttlMs <= 0) throw new TaskFailure(`Property 'ttl' must be a positive duration, got '${ttl}'`);
    }
    const declared = (await renderOptionalString(ctx, "kvType"))?.trim().toUpperCase();
    if (declared !== undefined && declared !== "" && !isKvType(declared)) {
      throw new TaskFailure(
        `Property 'kvType' must be one of STRING, NUMBER, BOOLEAN, DATETIME, DATE, DURATION, JSON, got '${declared}'`,
      );
    }
    const value = await renderValue(ctx);
    let written: boolean;
    try {
      const typed = typedValue(value, declared && isKvType(declared) ? declared : undefined);
      written = await store.put(namespace, key, typed, { ttlMs, overwrite });
    } catch (e) {
      if (e instanceof KvValueError) throw new TaskFailure(e.message);
      throw e;
    }
    if (!written) {
      throw new TaskFailure(
        `Cannot set value for key '${key}' in namespace '${namespace}': the key already exists and 'overwrite' is false`,
      );
    }
    return {};
  },
};

export const kvGetTask: RunnableTask = {
  async run(ctx: KvTaskContext) {
    const store = storeOf(ctx);
    const key = await keyOf(ctx);
    const namespace = await namespaceOf(ctx);
    const errorOnMissing = await renderBoolean(ctx, "errorOnMissing", false);
    const entry = await store.get(namespace, key);
    if (!entry && errorOnMissing) {
      throw new TaskFailure(`No value found for key '${key}' in namespace '${namespace}' and 'errorOnMissing' is true`);
    }
    return { outputs: { value: entry ? entry.value : null } };
  },
};

export const kvGetKeysTask: RunnableTask = {
  async run(ctx: KvTaskContext) {
    const store = storeOf(ctx);
    const namespace = await namespaceOf(ctx);
    const prefix = await renderOptionalString(ctx, "prefix");
    const entries = await store.list(namespace, prefix || undefined);
    return { outputs: { keys: entries.map((e) => e.key) } };
  },
};

export const kvDeleteTask: RunnableTask = {
  async run(ctx: KvTaskContext) {
    const store = storeOf(ctx);
    const key = await keyOf(ctx);
    const namespace = await namespaceOf(ctx);
    const errorOnMissing = await renderBoolean(ctx, "errorOnMissing", false);
    const deleted = await store.delete(namespace, key);
    if (!deleted && errorOnMissing) {
      throw new TaskFailure(`No value found for key '${key}' in namespace '${namespace}' and 'errorOnMissing' is true`);
    }
    return { outputs: { deleted } };
  },
};
