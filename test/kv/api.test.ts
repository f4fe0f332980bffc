// The KV API: typed values in and out, listing with metadata, ttl, deletion, validation, limits,
// and that no tenant reaches another's keys.
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenant";

const put = (body: string, headers: Record<string, string> = {}): RequestInit => ({ method: "PUT", body, headers });

describe("KV API", () => {
  it("stores the body as JSON when it parses, text otherwise, and returns {type, value}", async () => {
    const t = await createTenant();
    const cases: [string, string, unknown][] = [
      ["num", "42", 42],
      ["bool", "true", true],
      ["obj", '{"a":[1,2]}', { a: [1, 2] }],
      ["quoted", '"hello"', "hello"],
      ["text", "hello world", "hello world"],
      ["when", "2024-05-06T07:08:09Z", "2024-05-06T07:08:09Z"],
      ["day", '"2024-05-06"', "2024-05-06"],
      ["span", "PT10M", "PT10M"],
    ];
    for (const [key, body] of cases)
      expect((await t.fetch(`namespaces/company.team/kv/${key}`, put(body))).status).toBe(204);
    const types: Record<string, string> = {};
    for (const [key, , value] of cases) {
      const res = await t.fetch(`namespaces/company.team/kv/${key}`);
      expect(res.status).toBe(200);
      const got = (await res.json()) as { type: string; value: unknown };
      expect(got.value).toEqual(value);
      types[key] = got.type;
    }
    expect(types).toEqual({
      num: "NUMBER",
      bool: "BOOLEAN",
      obj: "JSON",
      quoted: "STRING",
      text: "STRING",
      when: "DATETIME",
      day: "DATE",
      span: "DURATION",
    });
  });

  it("lists keys with type and dates, an expirationDate only for keys with a ttl", async () => {
    const t = await createTenant();
    await t.fetch("namespaces/ns/kv/b", put("1", { ttl: "PT1H" }));
    await t.fetch("namespaces/ns/kv/a", put('"x"'));
    await t.fetch("namespaces/ns/kv/c?ttl=P1D", put("true"));
    const res = await t.fetch("namespaces/ns/kv");
    expect(res.status).toBe(200);
    const list = (await res.json()) as Record<string, string>[];
    expect(list.map((e) => e.key)).toEqual(["a", "b", "c"]);
    expect(list[0]).not.toHaveProperty("expirationDate");
    expect(list[0]).toMatchObject({ type: "STRING", updateDate: expect.any(String), creationDate: expect.any(String) });
    const inAnHour = Date.parse(list[1]?.expirationDate ?? "") - Date.now();
    expect(inAnHour).toBeGreaterThan(59 * 60_000);
    expect(inAnHour).toBeLessThanOrEqual(60 * 60_000);
    expect(Date.parse(list[2]?.expirationDate ?? "") - Date.now()).toBeGreaterThan(23 * 3_600_000);
  });

  it("overwrites on PUT, deletes on DELETE (true, then false) and answers 404 for a missing key", async () => {
    const t = await createTenant();
    await t.fetch("namespaces/ns/kv/k", put("1"));
    await t.fetch("namespaces/ns/kv/k", put('"two"'));
    expect(await (await t.fetch("namespaces/ns/kv/k")).json()).toEqual({ type: "STRING", value: "two" });
    expect(await (await t.fetch("namespaces/ns/kv/k", { method: "DELETE" })).json()).toBe(true);
    expect(await (await t.fetch("namespaces/ns/kv/k", { method: "DELETE" })).json()).toBe(false);
    const missing = await t.fetch("namespaces/ns/kv/k");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain("'k'");
  });

  it("refuses invalid keys, namespaces and ttls with 422 and an oversized value with 413", async () => {
    const t = await createTenant();
    expect((await t.fetch("namespaces/ns/kv/bad%20key", put("1"))).status).toBe(422);
    expect((await t.fetch("namespaces/Bad.NS/kv/k", put("1"))).status).toBe(422);
    const ttl = await t.fetch("namespaces/ns/kv/k", put("1", { ttl: "an hour" }));
    expect(ttl.status).toBe(422);
    expect(((await ttl.json()) as { message: string }).message).toContain("Invalid ttl");
    const big = await t.fetch("namespaces/ns/kv/k", put(JSON.stringify("x".repeat(1024 * 1024))));
    expect(big.status).toBe(413);
    expect((await t.fetch("namespaces/ns/kv/k")).status).toBe(404);
  });

  it("keeps tenants apart: same namespace and key, separate values; another tenant's path is refused", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await a.fetch("namespaces/shared/kv/token", put('"from-a"'));
    expect((await b.fetch("namespaces/shared/kv/token")).status).toBe(404);
    expect(await (await b.fetch("namespaces/shared/kv")).json()).toEqual([]);
    expect(await (await b.fetch("namespaces/shared/kv/token", { method: "DELETE" })).json()).toBe(false);

    const onA = `/api/v1/${a.tenantId}/namespaces/shared/kv/token`;
    const read = await b.fetch(onA);
    expect([401, 403, 404]).toContain(read.status);
    expect(await read.text()).not.toContain("from-a");
    expect([401, 403, 404]).toContain((await b.fetch(onA, put('"from-b"'))).status);
    expect(await (await a.fetch("namespaces/shared/kv/token")).json()).toEqual({ type: "STRING", value: "from-a" });
  });

  it("takes a declared type with ?type=, converting the body to it or refusing it (422)", async () => {
    const t = await createTenant();
    expect((await t.fetch("namespaces/qa/kv/code?type=STRING", put("42"))).status).toBe(204);
    expect(await (await t.fetch("namespaces/qa/kv/code")).json()).toEqual({ type: "STRING", value: "42" });
    expect((await t.fetch("namespaces/qa/kv/count?type=number", put("7"))).status).toBe(204);
    expect(await (await t.fetch("namespaces/qa/kv/count")).json()).toEqual({ type: "NUMBER", value: 7 });
    const notNumber = await t.fetch("namespaces/qa/kv/bad?type=NUMBER", put("seven"));
    expect(notNumber.status).toBe(422);
    const unknown = await t.fetch("namespaces/qa/kv/bad?type=COLOUR", put("red"));
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toMatch(/type/);
  });
});
