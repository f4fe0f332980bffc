// The document the Worker serves at /api/v1/openapi.json, fetched without a key, is valid
// OpenAPI 3.1 by the specification's own JSON Schema (with every $ref resolved), and the
// reference page is served next to it. Route coverage is test/api/openapi.test.ts's.
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type WorkerServer } from "./server";

let server: WorkerServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("GET /api/v1/openapi.json", () => {
  it("is valid OpenAPI 3.1, served without a key", async () => {
    const res = await fetch(`${server.base}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(Object.keys(doc.paths).length).toBeGreaterThan(60);
  });

  it("is refused as invalid by the same validator once a response loses its description", async () => {
    const doc = (await (await fetch(`${server.base}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
    };
    const op = doc.paths["/api/v1/{tenant}/taskruns/{taskRunId}"]?.get;
    if (op?.responses["200"]) delete op.responses["200"].description;
    expect((await new Validator().validate(doc)).valid).toBe(false);
  });

  it("has its reference page at /api/v1/docs, without a key", async () => {
    const res = await fetch(`${server.base}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("/api/v1/{tenant}/taskruns/{taskRunId}");
  });
});
