// kv.Set, kv.Get, kv.GetKeys, kv.Delete and the kv() function in real flows run through the API.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { logsOf, runFlow, saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";

function outputsOf(ex: ExecutionJson, taskId: string): Record<string, unknown> | undefined {
  return ex.taskRunList.find((r) => r.taskId === taskId)?.outputs as Record<string, unknown> | undefined;
}

async function errorsOf(tenant: Awaited<ReturnType<typeof createTenant>>, ex: ExecutionJson): Promise<string> {
  return (await logsOf(tenant, ex.id))
    .filter((l) => l.level === "ERROR")
    .map((l) => l.message)
    .join("\n");
}

const kvFlow = `id: kv-flow
namespace: company.team
tasks:
  - id: set
    type: ${P}.kv.Set
    key: counter
    value: "{{ 40 + 2 }}"
    kvType: NUMBER
  - id: set_json
    type: ${P}.kv.Set
    key: cfg
    value:
      a: 1
      b: [true, "{{ flow.id }}"]
  - id: set_other
    type: ${P}.kv.Set
    namespace: other.ns
    key: counter
    value: elsewhere
    ttl: PT1H
  - id: get
    type: ${P}.kv.Get
    key: counter
  - id: keys
    type: ${P}.kv.GetKeys
    prefix: c
  - id: get_json
    type: ${P}.kv.Get
    key: cfg
  - id: delete
    type: ${P}.kv.Delete
    key: cfg
  - id: get_deleted
    type: ${P}.kv.Get
    key: cfg
  - id: log
    type: ${P}.log.Log
    message: "next={{ kv('counter') + 1 }} other={{ kv('counter', namespace='other.ns') }}"
`;

describe("kv tasks in flows", () => {
  it("set, get, list, delete and kv() work together and the API sees the result", async () => {
    const t = await createTenant();
    await saveFlow(t, kvFlow);
    const ex = await runFlow(t, "company.team", "kv-flow");
    expect(ex.state.current, await errorsOf(t, ex)).toBe("SUCCESS");
    expect(outputsOf(ex, "get")).toEqual({ value: 42 });
    expect(outputsOf(ex, "keys")).toEqual({ keys: ["cfg", "counter"] });
    expect(outputsOf(ex, "get_json")).toEqual({ value: { a: 1, b: [true, "kv-flow"] } });
    expect(outputsOf(ex, "delete")).toEqual({ deleted: true });
    expect(outputsOf(ex, "get_deleted")).toEqual({ value: null });
    expect((await logsOf(t, ex.id)).map((l) => l.message)).toContain("next=43 other=elsewhere");

    expect(await (await t.fetch("namespaces/company.team/kv/counter")).json()).toEqual({ type: "NUMBER", value: 42 });
    const other = (await (await t.fetch("namespaces/other.ns/kv")).json()) as {
      key: string;
      expirationDate?: string;
    }[];
    expect(other.map((e) => e.key)).toEqual(["counter"]);
    expect(other[0]?.expirationDate).toBeDefined();
  });

  it("reads a value written through the API, typed", async () => {
    const t = await createTenant();
    await t.fetch("namespaces/qa/kv/settings", { method: "PUT", body: '{"retries":3}' });
    await saveFlow(
      t,
      `id: reader\nnamespace: qa\ntasks:\n  - id: log\n    type: ${P}.log.Log\n    message: "retries={{ kv('settings').retries * 2 }}"\n`,
    );
    const ex = await runFlow(t, "qa", "reader");
    expect(ex.state.current).toBe("SUCCESS");
    expect((await logsOf(t, ex.id)).map((l) => l.message)).toContain("retries=6");
  });

  const failing: [string, string, string][] = [
    [
      "a value that does not fit kvType",
      `type: ${P}.kv.Set\n    key: k\n    value: abc\n    kvType: NUMBER`,
      "not a valid NUMBER",
    ],
    ["an unknown kvType", `type: ${P}.kv.Set\n    key: k\n    value: abc\n    kvType: "{{ 'MONEY' }}"`, "kvType"],
    ["a bad ttl", `type: ${P}.kv.Set\n    key: k\n    value: abc\n    ttl: "{{ 'soon' }}"`, "ttl"],
    ["an invalid key", `type: ${P}.kv.Set\n    key: "bad key"\n    value: abc`, "Invalid KV key"],
    [
      "Get of a missing key with errorOnMissing",
      `type: ${P}.kv.Get\n    key: none\n    errorOnMissing: true`,
      "No value found for key 'none'",
    ],
    [
      "Delete of a missing key with errorOnMissing",
      `type: ${P}.kv.Delete\n    key: none\n    errorOnMissing: true`,
      "No value found",
    ],
    [
      "kv() of a missing key with errorOnMissing",
      `type: ${P}.log.Log\n    message: "{{ kv('none', errorOnMissing=true) }}"`,
      "No value found for key 'none'",
    ],
  ];
  for (const [what, task, message] of failing) {
    it(`fails the task on ${what}`, async () => {
      const t = await createTenant();
      await saveFlow(t, `id: bad\nnamespace: qa\ntasks:\n  - id: task\n    ${task}\n`);
      const ex = await runFlow(t, "qa", "bad");
      expect(ex.state.current).toBe("FAILED");
      expect(await errorsOf(t, ex)).toContain(message);
    });
  }

  it("refuses to overwrite an existing key when overwrite is false", async () => {
    const t = await createTenant();
    await t.fetch("namespaces/qa/kv/k", { method: "PUT", body: '"original"' });
    await saveFlow(
      t,
      `id: keep\nnamespace: qa\ntasks:\n  - id: set\n    type: ${P}.kv.Set\n    key: k\n    value: replaced\n    overwrite: false\n`,
    );
    const ex = await runFlow(t, "qa", "keep");
    expect(ex.state.current).toBe("FAILED");
    expect(await errorsOf(t, ex)).toContain("already exists");
    expect(await (await t.fetch("namespaces/qa/kv/k")).json()).toEqual({ type: "STRING", value: "original" });
  });

  it("a flow of one tenant never reads another tenant's KV, even with the same namespace", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await a.fetch("namespaces/company.team/kv/counter", { method: "PUT", body: "7" });
    await saveFlow(
      b,
      `id: snoop\nnamespace: company.team\ntasks:\n  - id: get\n    type: ${P}.kv.Get\n    key: counter\n  - id: log\n    type: ${P}.log.Log\n    message: "seen=[{{ kv('counter') }}]"\n`,
    );
    const ex = await runFlow(b, "company.team", "snoop");
    expect(ex.state.current).toBe("SUCCESS");
    expect(outputsOf(ex, "get")).toEqual({ value: null });
    expect((await logsOf(b, ex.id)).map((l) => l.message)).toContain("seen=[]");
  });
});
