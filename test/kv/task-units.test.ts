// The kv tasks against the real D1 store with a movable clock: what the flows cannot show, a ttl
// set by kv.Set running out, plus the defaults (flow namespace) and the missing-store error.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { KvStore } from "../../worker/kv/store";
import { type KvTaskContext, kvDeleteTask, kvGetKeysTask, kvGetTask, kvSetTask } from "../../worker/tasks/kv-tasks";
import type { RunnableTask } from "../../worker/tasks/types";
import { uniqueTenantId } from "../helpers/tenant";
import { makeRun } from "../tasks/context";

const vars = { flow: { id: "f", namespace: "company.team" } };

function withStore(store: KvStore) {
  return (task: RunnableTask, props: Record<string, unknown>) => {
    const { ctx } = makeRun(props, vars);
    const withKv: KvTaskContext = { ...ctx, kv: store };
    return task.run(withKv);
  };
}

describe("kv tasks with a clock", () => {
  it("a value set with a ttl is read until the ttl runs out, then is missing", async () => {
    let now = new Date("2031-06-01T12:00:00.000Z");
    const store = new KvStore(database(env.DB), uniqueTenantId("kvt"), () => now);
    const run = withStore(store);
    await run(kvSetTask, { key: "session", value: "{{ 'abc' }}", ttl: "PT10M" });
    expect((await run(kvGetTask, { key: "session" })).outputs).toEqual({ value: "abc" });
    expect((await store.get("company.team", "session"))?.expiresAt).toBe("2031-06-01T12:10:00.000Z");

    now = new Date("2031-06-01T12:10:00.001Z");
    expect((await run(kvGetTask, { key: "session" })).outputs).toEqual({ value: null });
    expect((await run(kvGetKeysTask, {})).outputs).toEqual({ keys: [] });
    await expect(run(kvGetTask, { key: "session", errorOnMissing: true })).rejects.toThrow("No value found");
    expect((await run(kvDeleteTask, { key: "session" })).outputs).toEqual({ deleted: false });
    // Now expired, the key may be set again even without overwrite.
    await run(kvSetTask, { key: "session", value: "fresh", overwrite: false });
    expect((await run(kvGetTask, { key: "session" })).outputs).toEqual({ value: "fresh" });
  });

  it("stores typed values in the flow's namespace unless told otherwise", async () => {
    const store = new KvStore(database(env.DB), uniqueTenantId("kvt"));
    const run = withStore(store);
    await run(kvSetTask, { key: "when", value: "2024-01-02T03:04:05+02:00", kvType: "DATETIME" });
    await run(kvSetTask, { key: "flag", value: "true", kvType: "BOOLEAN", namespace: "other" });
    expect(await store.get("company.team", "when")).toMatchObject({ type: "DATETIME", value: "2024-01-02T01:04:05Z" });
    expect(await store.get("other", "flag")).toMatchObject({ type: "BOOLEAN", value: true });
    expect(await store.get("company.team", "flag")).toBeNull();
  });

  it("fails plainly when the run lends no KV store", async () => {
    const { ctx } = makeRun({ key: "k", value: "v" }, vars);
    await expect(kvSetTask.run(ctx)).rejects.toThrow("The KV store is not available");
  });
});
