// GET /logs/search over the D1 index: by namespace (and those under it), flow, text, minimum level
// and date range, newest first and paged; another tenant finds nothing.
import { describe, expect, it } from "vitest";
import { runFlow, saveFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { createTenant } from "../helpers/tenant";

const chatty = (ns: string, id: string) => `id: ${id}
namespace: ${ns}
tasks:
  - id: info
    type: io.kestra.plugin.core.log.Log
    message: "hello from ${id}"
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: "careful in ${id}"
`;

type Page = { results: { flowId: string; level: string; message: string; timestamp: string }[]; total: number };

describe("logs search", () => {
  it("filters by namespace, flow, text, minLevel and dates, newest first, paged; other tenants see nothing", async () => {
    const t = await createTenant();
    await saveFlow(t, chatty("logs.a", "one"));
    await saveFlow(t, chatty("logs.a.sub", "two"));
    await saveFlow(t, chatty("other", "three"));
    const before = new Date().toISOString();
    for (const [ns, id] of [
      ["logs.a", "one"],
      ["logs.a.sub", "two"],
      ["other", "three"],
    ] as const) {
      const ex = await runFlow(t, ns, id);
      await indexNow(t, ex.id);
    }
    const search = async (query: string) => (await (await t.fetch(`logs/search?${query}`)).json()) as Page;

    const underA = await search("namespace=logs.a&size=50");
    expect(underA.total).toBe(4);
    expect(new Set(underA.results.map((r) => r.flowId))).toEqual(new Set(["one", "two"]));
    const stamps = underA.results.map((r) => r.timestamp);
    expect([...stamps].sort().reverse()).toEqual(stamps);

    expect((await search("flowId=two")).results.map((r) => r.message).sort()).toEqual([
      "careful in two",
      "hello from two",
    ]);
    expect((await search("q=careful&namespace=other")).results.map((r) => r.message)).toEqual(["careful in three"]);
    const warnings = await search("minLevel=WARN&size=50");
    expect(warnings.total).toBe(3);
    expect(warnings.results.every((r) => r.level === "WARN")).toBe(true);
    expect((await search(`endDate=${encodeURIComponent(before)}`)).total).toBe(0);
    expect((await search(`startDate=${encodeURIComponent(before)}&size=50`)).total).toBe(6);
    const paged = await search("size=2&page=2");
    expect(paged.results).toHaveLength(2);
    expect(paged.total).toBe(6);

    const stranger = await createTenant();
    expect(((await (await stranger.fetch("logs/search?q=hello")).json()) as Page).total).toBe(0);
  });
});
