// state.Get, state.Set and state.Delete (deprecated in Kestra for the KV store, still in use): a
// named JSON map per flow (or per namespace with `namespace: true`), and per loop value unless
// `taskrunValue: false`, kept in the tenant's KV store of the flow's namespace. Set merges its
// rendered `data` into the map (outputs `count`, `key`); Get outputs `data` and `count`
// (`errorOnMissing` false by default); Delete outputs `deleted`.
import type { KvAccess } from "../kv/store";
import { isRecord, renderBoolean, renderOptionalString } from "./properties";
import type { RunnableTask, TaskContext } from "./types";
import { TaskFailure } from "./types";

interface StateRef {
  store: KvAccess;
  namespace: string;
  key: string;
  name: string;
}

async function shortHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function stateOf(ctx: TaskContext): Promise<StateRef> {
  if (!ctx.kv) throw new TaskFailure("The state store is not available to this task run");
  const name = (await renderOptionalString(ctx, "name")) ?? "default";
  const shared = await renderBoolean(ctx, "namespace", false);
  const byValue = await renderBoolean(ctx, "taskrunValue", true);
  const namespace = await ctx.render("{{ flow.namespace }}");
  const flowId = await ctx.render("{{ flow.id }}");
  const value = byValue ? String((await ctx.renderTyped("{{ taskrun.value ?? '' }}")) ?? "") : "";
  const safeName = name.replace(/[^a-zA-Z0-9._-]/g, "_");
  // A readable key for the name, a hash for the loop value (any text, any length).
  const key = `${shared ? "" : `${flowId}_`}states_${safeName}${value ? `_${await shortHash(value)}` : ""}`;
  return { store: ctx.kv, namespace, key: key.slice(0, 512), name };
}

async function current(ref: StateRef): Promise<Record<string, unknown> | undefined> {
  const entry = await ref.store.get(ref.namespace, ref.key);
  if (!entry) return undefined;
  return isRecord(entry.value) ? entry.value : {};
}

export const stateSetTask: RunnableTask = {
  async run(ctx) {
    const ref = await stateOf(ctx);
    const data = await ctx.renderDeep(ctx.task.data ?? {});
    if (!isRecord(data)) throw new TaskFailure("Property 'data' must be a map");
    const merged = { ...((await current(ref)) ?? {}), ...data };
    await ref.store.put(ref.namespace, ref.key, { value: merged, type: "JSON" });
    return { outputs: { count: Object.keys(merged).length, key: ref.key } };
  },
};

export const stateGetTask: RunnableTask = {
  async run(ctx) {
    const ref = await stateOf(ctx);
    const errorOnMissing = await renderBoolean(ctx, "errorOnMissing", false);
    const data = await current(ref);
    if (!data && errorOnMissing) throw new TaskFailure(`Unable to find the state '${ref.name}'`);
    return { outputs: { count: Object.keys(data ?? {}).length, data: data ?? {} } };
  },
};

export const stateDeleteTask: RunnableTask = {
  async run(ctx) {
    const ref = await stateOf(ctx);
    const errorOnMissing = await renderBoolean(ctx, "errorOnMissing", false);
    const deleted = await ref.store.delete(ref.namespace, ref.key);
    if (!deleted && errorOnMissing) throw new TaskFailure(`Unable to find the state '${ref.name}'`);
    return { outputs: { deleted } };
  },
};
