// Kestra's bulk flow routes: disable/enable and delete by ids and by query (a new revision each,
// the source keeping its comments), export as a zip of sources and import from a zip or one YAML
// file (all or nothing), and another tenant's flows never reached.
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const flow = (ns: string, id: string, extra = "") =>
  `# kept comment\nid: ${id}\nnamespace: ${ns}\n${extra}tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

async function read(t: TestTenant, ns: string, id: string) {
  const res = await t.fetch(`flows/${ns}/${id}?source=true`);
  return res.status === 200 ? ((await res.json()) as { disabled: boolean; revision: number; source: string }) : null;
}

async function seed(t: TestTenant) {
  await saveFlow(t, flow("bulk.a", "one"));
  await saveFlow(t, flow("bulk.a", "two"));
  await saveFlow(t, flow("bulk.b", "three", "labels:\n  team: data\n"));
}

describe("flows bulk actions", () => {
  it("disables and enables by ids and by query, each a new revision with the source's comments kept", async () => {
    const t = await createTenant();
    await seed(t);
    const off = await t.fetch("flows/disable/by-ids", json([{ namespace: "bulk.a", id: "one" }]));
    expect(await off.json()).toEqual({ count: 1 });
    const one = await read(t, "bulk.a", "one");
    expect(one).toMatchObject({ disabled: true, revision: 2 });
    expect(one?.source).toContain("# kept comment");
    expect(one?.source).toContain("disabled: true");
    expect((await t.fetch("executions/bulk.a/one", { method: "POST" })).status).toBe(409);

    const byQuery = await t.fetch("flows/disable/by-query?namespace=bulk.a", { method: "POST" });
    expect(await byQuery.json()).toEqual({ count: 1 });
    expect((await read(t, "bulk.a", "two"))?.disabled).toBe(true);
    expect((await read(t, "bulk.b", "three"))?.disabled).toBe(false);

    const on = await t.fetch("flows/enable/by-query?labels=team:data&q=thr", { method: "POST" });
    expect(await on.json()).toEqual({ count: 0 });
    const back = await t.fetch("flows/enable/by-query?namespace=bulk", { method: "POST" });
    expect(await back.json()).toEqual({ count: 2 });
    expect(await read(t, "bulk.a", "one")).toMatchObject({ disabled: false, revision: 3 });
    expect((await t.fetch("executions/bulk.a/one", { method: "POST" })).status).toBe(200);
  });

  it("deletes by ids (404 naming an unknown flow, nothing deleted) and by query", async () => {
    const t = await createTenant();
    await seed(t);
    const unknown = await t.fetch("flows/delete/by-ids", {
      ...json([
        { namespace: "bulk.a", id: "one" },
        { namespace: "bulk.a", id: "nope" },
      ]),
      method: "DELETE",
    });
    expect(unknown.status).toBe(404);
    expect(await read(t, "bulk.a", "one")).not.toBeNull();
    const ok = await t.fetch("flows/delete/by-ids", {
      ...json([{ namespace: "bulk.a", id: "one" }]),
      method: "DELETE",
    });
    expect(await ok.json()).toEqual({ count: 1 });
    expect(await read(t, "bulk.a", "one")).toBeNull();
    const q = await t.fetch("flows/delete/by-query?labels=team:data", { method: "DELETE" });
    expect(await q.json()).toEqual({ count: 1 });
    expect(await read(t, "bulk.b", "three")).toBeNull();
    expect(await read(t, "bulk.a", "two")).not.toBeNull();
  });

  it("exports a zip of sources by ids and by query, which imports into another tenant unchanged", async () => {
    const t = await createTenant();
    await seed(t);
    const byIds = await t.fetch("flows/export/by-ids", json([{ namespace: "bulk.b", id: "three" }]));
    expect(byIds.headers.get("content-type")).toBe("application/octet-stream");
    const one = unzipSync(new Uint8Array(await byIds.arrayBuffer()));
    expect(Object.keys(one)).toEqual(["bulk.b.three.yml"]);
    expect(strFromU8(one["bulk.b.three.yml"]!)).toBe(flow("bulk.b", "three", "labels:\n  team: data\n"));

    const all = await t.fetch("flows/export/by-query?namespace=bulk");
    const zip = new Uint8Array(await all.arrayBuffer());
    expect(Object.keys(unzipSync(zip)).sort()).toEqual(["bulk.a.one.yml", "bulk.a.two.yml", "bulk.b.three.yml"]);

    const other = await createTenant();
    const form = new FormData();
    form.append("fileUpload", new File([zip], "flows.zip"));
    expect((await other.fetch("flows/import", { method: "POST", body: form })).status).toBe(204);
    expect((await read(other, "bulk.a", "two"))?.source).toBe(flow("bulk.a", "two"));
    // Another tenant's flows are never reached: by ids they are unknown here.
    const foreign = await other.fetch("flows/disable/by-ids", json([{ namespace: "bulk.x", id: "one" }]));
    expect(foreign.status).toBe(404);
  });

  it("imports one YAML file, updating a flow that exists; one invalid source in a zip imports nothing", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("imp", "kept"));
    const single = new FormData();
    single.append("fileUpload", new File([flow("imp", "kept", "description: new\n")], "kept.yaml"));
    expect((await t.fetch("flows/import", { method: "POST", body: single })).status).toBe(204);
    expect(await read(t, "imp", "kept")).toMatchObject({ revision: 2 });

    const zip = zipSync({
      "good.yml": strToU8(flow("imp", "good")),
      "bad.yml": strToU8("id: bad\nnamespace: imp\ntasks:\n  - id: x\n    type: nope.Nope\n"),
    });
    const bad = new FormData();
    bad.append("fileUpload", new File([zip], "flows.zip"));
    const res = await t.fetch("flows/import", { method: "POST", body: bad });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain("bad.yml");
    expect(await read(t, "imp", "good")).toBeNull();
  });

  it("reads GET/DELETE flows/{namespace}/{id} as the flow when a flow has that name (export/by-query, delete/by-ids)", async () => {
    const t = await createTenant();
    await saveFlow(t, flow("export", "by-query"));
    await saveFlow(t, flow("delete", "by-ids"));
    const asFlow = await t.fetch("flows/export/by-query");
    expect(((await asFlow.json()) as { id: string }).id).toBe("by-query");
    const deleted = await t.fetch("flows/delete/by-ids", { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await read(t, "delete", "by-ids")).toBeNull();
    // Without such a flow, the literal routes answer.
    const bulk = await t.fetch("flows/delete/by-ids", {
      ...json([{ namespace: "export", id: "by-query" }]),
      method: "DELETE",
    });
    expect(await bulk.json()).toEqual({ count: 1 });
    expect((await t.fetch("flows/export/by-query")).headers.get("content-type")).toBe("application/octet-stream");
  });
});
