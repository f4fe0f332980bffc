import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenant";

const yaml = (id: string, namespace = "dev", extra = "") =>
  `id: ${id}
namespace: ${namespace}
${extra}tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
`;

const post = (body: string, headers: Record<string, string> = { "Content-Type": "application/x-yaml" }) => ({
  method: "POST",
  headers,
  body,
});
const put = (body: string) => ({ method: "PUT", headers: { "Content-Type": "application/x-yaml" }, body });

type Json = Record<string, unknown>;

async function rowCounts(tenantId: string) {
  const flows = await env.DB.prepare("SELECT count(*) AS n FROM flows WHERE tenant_id = ?")
    .bind(tenantId)
    .first<{ n: number }>();
  const revs = await env.DB.prepare("SELECT count(*) AS n FROM flow_revisions WHERE tenant_id = ?")
    .bind(tenantId)
    .first<{ n: number }>();
  return { flows: flows?.n, revisions: revs?.n };
}

describe("flows API", () => {
  it("creates a flow from YAML and returns it with its source, revision 1, and the engine's model", async () => {
    const t = await createTenant();
    const source = `# comment kept\n${yaml("hello-world", "dev", "labels:\n  team: core\n")}`;
    const res = await t.fetch("flows", post(source, { "Content-Type": "text/plain" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      id: "hello-world",
      namespace: "dev",
      revision: 1,
      disabled: false,
      deleted: false,
      source,
    });
    const row = await env.DB.prepare("SELECT source, model, labels FROM flows WHERE tenant_id = ?")
      .bind(t.tenantId)
      .first<{ source: string; model: string; labels: string }>();
    expect(row?.source).toBe(source);
    expect(JSON.parse(row?.model ?? "{}")).toMatchObject({ id: "hello-world", tasks: [{ id: "hello" }] });
    expect(JSON.parse(row?.labels ?? "{}")).toEqual({ team: "core" });
  });

  it("answers 409 when creating a flow that already exists, and stores nothing new", async () => {
    const t = await createTenant();
    expect((await t.fetch("flows", post(yaml("a")))).status).toBe(200);
    const res = await t.fetch("flows", post(yaml("a", "dev", "description: other\n")));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "conflict" });
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 1, revisions: 1 });
  });

  it("refuses at save, with a 422 naming it, a WorkingDirectory file property Peregrine does not run", async () => {
    const t = await createTenant();
    const source =
      "id: x\nnamespace: dev\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.WorkingDirectory\n    inputFiles:\n      a.txt: hi\n    tasks:\n      - id: b\n        type: io.kestra.plugin.core.log.Log\n        message: m\n";
    const res = await t.fetch("flows", post(source));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; details: Json[] };
    expect(body.message).toContain("inputFiles");
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 0, revisions: 0 });
  });

  it("rejects invalid YAML with 422, the violation's path and line in details, and stores nothing", async () => {
    const t = await createTenant();
    const cases = [
      "id: x\nnamespace: dev\ntasks: [\n",
      "id: x\nnamespace: dev\n",
      "namespace: dev\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: m\n",
    ];
    for (const source of cases) {
      const res = await t.fetch("flows", post(source));
      expect(res.status, source).toBe(422);
      const body = (await res.json()) as { message: string; code: string; details: Json[] };
      expect(body.code).toBe("invalid");
      expect(body.details.length).toBeGreaterThan(0);
      for (const v of body.details) {
        expect(v).toHaveProperty("path");
        expect(v).toHaveProperty("message");
      }
      expect(body.details.some((v) => typeof v.line === "number")).toBe(true);
      expect(body.message).toMatch(/\(line \d+/);
    }
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 0, revisions: 0 });
  });

  it("names the first violation with its line in the message and lists every violation in details", async () => {
    const t = await createTenant();
    const source =
      "id: x\nnamespace: dev\ntasks:\n  - id: a\n    type: io.kestra.nope.X\n  - id: b\n    type: io.kestra.plugin.core.log.Log\n";
    const res = await t.fetch("flows", post(source));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; details: Json[] };
    expect(body.message).toMatch(/^tasks\[0\]\.type: .*io\.kestra\.nope\.X.* \(line 5, column \d+\)$/);
    expect(body.details[0]).toMatchObject({ path: "tasks[0].type", line: 5 });
    expect(body.details.some((v) => v.path === "tasks[1].message" && v.line === 6)).toBe(true);
  });

  it("updates with PUT: a changed source takes the next revision, an identical one keeps it", async () => {
    const t = await createTenant();
    await t.fetch("flows", post(yaml("f")));
    const same = await t.fetch("flows/dev/f", put(yaml("f")));
    expect(same.status).toBe(200);
    expect(((await same.json()) as Json).revision).toBe(1);
    const changed = await t.fetch("flows/dev/f", put(yaml("f", "dev", "description: now described\n")));
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ revision: 2, description: "now described" });
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 1, revisions: 2 });
  });

  it("answers PUT of an unknown flow with 404 and a body/path mismatch with 422", async () => {
    const t = await createTenant();
    expect((await t.fetch("flows/dev/nope", put(yaml("nope")))).status).toBe(404);
    await t.fetch("flows", post(yaml("f")));
    const mismatch = await t.fetch("flows/dev/f", put(yaml("g")));
    expect(mismatch.status).toBe(422);
    const otherNs = await t.fetch("flows/dev/f", put(yaml("f", "prod")));
    expect(otherNs.status).toBe(422);
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 1, revisions: 1 });
  });

  it("reads a flow without its source by default, with it on ?source=true, and a past revision on ?revision=", async () => {
    const t = await createTenant();
    const v1 = yaml("f");
    await t.fetch("flows", post(v1));
    await t.fetch("flows/dev/f", put(yaml("f", "dev", "description: two\n")));
    const current = (await (await t.fetch("flows/dev/f")).json()) as Json;
    expect(current).toMatchObject({ id: "f", revision: 2, description: "two" });
    expect(current).not.toHaveProperty("source");
    const first = (await (await t.fetch("flows/dev/f?revision=1&source=true")).json()) as Json;
    expect(first).toMatchObject({ revision: 1, source: v1 });
    expect(first).not.toHaveProperty("description");
    expect((await t.fetch("flows/dev/f?revision=9")).status).toBe(404);
    expect((await t.fetch("flows/dev/nope")).status).toBe(404);
  });

  it("soft-deletes: 204, then 404 unless allowDeleted, history kept, and re-creation continues the revisions", async () => {
    const t = await createTenant();
    await t.fetch("flows", post(yaml("f")));
    await t.fetch("flows/dev/f", put(yaml("f", "dev", "description: two\n")));
    const del = await t.fetch("flows/dev/f", { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await t.fetch("flows/dev/f", { method: "DELETE" })).status).toBe(404);
    expect((await t.fetch("flows/dev/f")).status).toBe(404);
    expect(await (await t.fetch("flows/dev/f?allowDeleted=true")).json()).toMatchObject({ revision: 3, deleted: true });
    expect((await t.fetch("flows/dev/f", put(yaml("f")))).status).toBe(404);

    const again = await t.fetch("flows", post(yaml("f")));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ revision: 4, deleted: false });
    const revisions = (await (await t.fetch("flows/dev/f/revisions")).json()) as Json[];
    expect(revisions.map((r) => [r.revision, r.deleted])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(revisions[0]).toHaveProperty("source");
    expect((await t.fetch("flows/dev/never/revisions")).status).toBe(404);
  });

  it("searches with q, namespace (children included), labels, 1-based pages and sort", async () => {
    const t = await createTenant();
    await t.fetch("flows", post(yaml("alpha", "company.team", "labels:\n  env: prod\n")));
    await t.fetch("flows", post(yaml("beta", "company.team.sub", "description: the special one\n")));
    await t.fetch("flows", post(yaml("gamma", "company.teams")));
    await t.fetch("flows", post(yaml("delta", "other")));
    await t.fetch("flows", post(yaml("gone", "company.team")));
    await t.fetch("flows/company.team/gone", { method: "DELETE" });

    const ids = async (query: string) => {
      const res = await t.fetch(`flows/search${query}`);
      expect(res.status, query).toBe(200);
      const body = (await res.json()) as { results: Json[]; total: number };
      return { ids: body.results.map((r) => r.id), total: body.total };
    };
    expect(await ids("")).toEqual({ ids: ["alpha", "beta", "gamma", "delta"], total: 4 });
    expect(await ids("?namespace=company.team")).toEqual({ ids: ["alpha", "beta"], total: 2 });
    expect(await ids("?q=SPECIAL")).toEqual({ ids: ["beta"], total: 1 });
    expect(await ids("?q=eam.su")).toEqual({ ids: ["beta"], total: 1 });
    expect(await ids("?labels=env:prod")).toEqual({ ids: ["alpha"], total: 1 });
    expect(await ids("?labels=env:dev")).toEqual({ ids: [], total: 0 });
    expect(await ids("?size=2&page=2&sort=id:asc")).toEqual({ ids: ["delta", "gamma"], total: 4 });
    expect(await ids("?size=1&sort=id:desc")).toEqual({ ids: ["gamma"], total: 4 });
    expect((await t.fetch("flows/search?page=0")).status).toBe(422);
    expect((await t.fetch("flows/search?sort=nope:asc")).status).toBe(422);
  });

  it("lists the live flows of exactly one namespace", async () => {
    const t = await createTenant();
    await t.fetch("flows", post(yaml("b", "ns")));
    await t.fetch("flows", post(yaml("a", "ns")));
    await t.fetch("flows", post(yaml("c", "ns.child")));
    const list = (await (await t.fetch("flows/ns")).json()) as Json[];
    expect(list.map((f) => f.id)).toEqual(["a", "b"]);
  });

  it("validates multi-document YAML without saving, with per-document violations and whole-body lines", async () => {
    const t = await createTenant();
    const body = `${yaml("ok")}---\nid: broken\nnamespace: dev\n`;
    const res = await t.fetch("flows/validate", post(body));
    expect(res.status).toBe(200);
    const reports = (await res.json()) as Json[];
    expect(reports).toHaveLength(2);
    expect(reports[0]).toEqual({ index: 0, flow: "ok", namespace: "dev" });
    expect(reports[1]).toMatchObject({ index: 1, flow: "broken", namespace: "dev" });
    expect(typeof reports[1]?.constraints).toBe("string");
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 0, revisions: 0 });
  });

  it("bulk-updates a namespace all-or-nothing, and deletes absent flows with delete=true", async () => {
    const t = await createTenant();
    await t.fetch("flows", post(yaml("keep", "ns")));
    await t.fetch("flows", post(yaml("drop", "ns")));
    await t.fetch("flows", post(yaml("elsewhere", "other")));

    const invalidDoc = `${yaml("keep", "ns", "description: x\n")}---\nid: bad\nnamespace: ns\n`;
    const rejected = await t.fetch("flows/ns?delete=true", post(invalidDoc));
    expect(rejected.status).toBe(422);
    const details = ((await rejected.json()) as { details: Json[] }).details;
    expect(details[0]).toMatchObject({ index: 1 });
    expect(details.some((d) => typeof d.line === "number" && d.line >= 9)).toBe(true);
    const wrongNs = await t.fetch("flows/ns", post(`${yaml("keep", "ns")}---\n${yaml("x", "other")}`));
    expect(wrongNs.status).toBe(422);
    expect(await rowCounts(t.tenantId)).toEqual({ flows: 3, revisions: 3 });

    const res = await t.fetch(
      "flows/ns?delete=true",
      post(`${yaml("keep", "ns", "description: x\n")}---\n${yaml("new", "ns")}`),
    );
    expect(res.status).toBe(200);
    const saved = (await res.json()) as Json[];
    expect(saved.map((f) => [f.id, f.revision])).toEqual([
      ["keep", 2],
      ["new", 1],
    ]);
    expect((await t.fetch("flows/ns/drop")).status).toBe(404);
    expect((await t.fetch("flows/other/elsewhere")).status).toBe(200);
    const list = (await (await t.fetch("flows/ns")).json()) as Json[];
    expect(list.map((f) => f.id)).toEqual(["keep", "new"]);
  });

  it("refuses a body over the size limit with 413", async () => {
    const t = await createTenant();
    const huge = `${yaml("big", "dev", `description: "${"x".repeat(9 * 1024 * 1024)}"\n`)}`;
    const res = await t.fetch("flows", post(huge));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
  });
});
