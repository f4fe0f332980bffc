// The OpenAPI document against the app itself: every route the Hono app registers is described
// (and nothing else), the document and its reference page are public, and real responses parse
// with the schemas the document is generated from. The document's validity as OpenAPI 3.1 is
// checked in Node (test/cli/openapi-valid.test.ts), where the validator can compile its schemas.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/api/app";
import { OPERATIONS, openApiDocument, openApiPath } from "../../worker/api/openapi/document";
import {
  errorSchema,
  evalResultSchema,
  executionPageSchema,
  executionSchema,
  flowGraphSchema,
  flowSchema,
  logSchema,
  taskRunPageSchema,
  taskRunViewPageSchema,
  taskRunViewSchema,
  triggerItemSchema,
  validationSchema,
} from "../../worker/api/openapi/shapes";
import { indexNow } from "../helpers/leaks";
import { BASE, createTenant } from "../helpers/tenant";

type Doc = { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>> };

/** `METHOD /path` of every endpoint the app registers (middleware and the operator's `*` guard left out). */
function registered(): Set<string> {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.path.includes("*") || r.method === "ALL") continue;
    out.add(`${r.method.toLowerCase()} ${openApiPath(r.path)}`);
  }
  return out;
}

function documented(doc: Doc): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths))
    for (const method of Object.keys(item)) out.add(`${method} ${path}`);
  return out;
}

describe("the OpenAPI document covers the route table", () => {
  it("describes every route the app registers, and no route the app does not have", () => {
    const doc = openApiDocument() as unknown as Doc;
    const routes = registered();
    expect(routes.size).toBeGreaterThan(80);
    const missing = [...routes].filter((r) => !documented(doc).has(r));
    expect(missing, "routes without a description in worker/api/openapi/operations-*.ts").toEqual([]);
    const extra = [...documented(doc)].filter((r) => !routes.has(r));
    expect(extra, "described routes the app does not register").toEqual([]);
  });

  it("names every path parameter of a route as a required path parameter", () => {
    const doc = openApiDocument() as unknown as Doc;
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const inPath = op.parameters.filter((p) => p.in === "path").map((p) => p.name);
        expect(inPath, `${method} ${path}`).toEqual(names);
      }
    }
  });

  it("gives each operation a distinct operationId", () => {
    const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(OPERATIONS.length);
  });

  it("resolves every $ref to a component of the document", () => {
    const doc = openApiDocument() as unknown as { components: Record<string, Record<string, unknown>> };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(100);
    for (const [ref, kind = "", name = ""] of refs) expect(doc.components[kind]?.[name], ref).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('"$ref":"#/$defs');
  });

  it("carries the query schemas' descriptions onto their parameters", () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, Record<string, { parameters: { name: string; description?: string }[] }>>;
    };
    const params = doc.paths["/api/v1/{tenant}/executions/{namespace}/{flowId}"]?.post?.parameters ?? [];
    expect(params.find((p) => p.name === "labels")?.description).toContain("key:value");
  });
});

describe("serving the document", () => {
  it("serves /api/v1/openapi.json without a key, as OpenAPI 3.1 with the Error body as a component", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc & { components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Error", "Execution", "TaskRunView"]));
    expect(doc.paths["/api/v1/{tenant}/taskruns/{taskRunId}"]?.get).toBeDefined();
  });

  it("serves the reference page without a key: every path on it, no script and nothing loaded from elsewhere", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    const html = await res.text();
    for (const path of Object.keys((openApiDocument() as unknown as Doc).paths)) {
      expect(html, path).toContain(`<code>${path}</code>`);
    }
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
  });
});

describe("real responses fit the document's schemas", () => {
  const P = "io.kestra.plugin.core";
  const flow = `id: loop
namespace: qa.openapi
tasks:
  - id: each
    type: ${P}.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: up
        type: ${P}.debug.Return
        format: "{{ taskrun.value | upper }}"
  - id: said
    type: ${P}.log.Log
    message: hello
`;

  it("parses a flow, an execution, task runs, logs, searches and errors with the document's schemas", async () => {
    const t = await createTenant();
    const json = async (path: string, init?: RequestInit) => (await t.fetch(path, init)).json();
    const yaml = { "Content-Type": "application/x-yaml" };
    flowSchema.parse(await json("flows", { method: "POST", headers: yaml, body: flow }));
    for (const report of (await json("flows/validate", {
      method: "POST",
      headers: yaml,
      body: `${flow}---\nid: x\n`,
    })) as unknown[])
      validationSchema.parse(report);
    const ex = executionSchema.parse(await json("executions/qa.openapi/loop?wait=true", { method: "POST" }));
    expect(ex.state.current).toBe("SUCCESS");
    executionSchema.parse(await json(`executions/${ex.id}`));
    const each = ex.taskRunList.find((r) => r.taskId === "each");
    taskRunViewSchema.parse(await json(`taskruns/${each?.id}?executionId=${ex.id}`));
    taskRunViewPageSchema.parse(await json(`executions/${ex.id}/taskruns?taskId=up&value=b`));
    taskRunViewPageSchema.parse(await json(`executions/${ex.id}/taskruns/${each?.id}/children`));
    for (const line of (await json(`logs/${ex.id}`)) as unknown[]) logSchema.parse(line);
    await indexNow(t, ex.id);
    const runs = taskRunPageSchema.parse(await json(`taskruns/search?executionId=${ex.id}&sort=duration:desc`));
    expect(runs.total).toBeGreaterThan(0);
    const found = executionPageSchema.parse(await json("executions/search?namespace=qa.openapi"));
    expect(found.results.map((e) => e.id)).toContain(ex.id);
    flowGraphSchema.parse(await json("flows/qa.openapi/loop/graph"));
    const rendered = evalResultSchema.parse(
      await json(`executions/${ex.id}/eval/${each?.id}`, { method: "POST", body: "{{ flow.id }}" }),
    );
    expect(rendered.result).toBe("loop");
    const scheduled = `id: yearly\nnamespace: qa.openapi\ntasks:\n  - id: t\n    type: ${P}.log.Log\n    message: x\ntriggers:\n  - id: once\n    type: ${P}.trigger.Schedule\n    cron: "0 0 1 1 *"\n`;
    flowSchema.parse(await json("flows", { method: "POST", headers: yaml, body: scheduled }));
    const triggers = (await json("triggers/search?namespace=qa.openapi")) as { results: unknown[]; total: number };
    expect(triggers.total).toBe(1);
    for (const item of triggers.results) triggerItemSchema.parse(item);
    const notFound = errorSchema.parse(await json("executions/nope"));
    expect(notFound.code).toBe("not_found");
    const invalid = errorSchema.parse(await json("taskruns/search?state=NOPE"));
    expect(invalid.code).toBe("invalid");
    const unauthorized = await exports.default.fetch(`${BASE}/api/v1/${t.tenantId}/flows/search`);
    expect(errorSchema.parse(await unauthorized.json()).code).toBe("unauthorized");
  });
});
