// The KV store module on the real D1 binding: typing, expiry against an injected clock, overwrite,
// prefixes and tenant isolation.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { KvStore } from "../../worker/kv/store";
import { coerce, inferType, KvValueError, KvValueTooLarge, typedValue, valueOfBody } from "../../worker/kv/values";
import { uniqueTenantId } from "../helpers/tenant";

const db = database(env.DB);

describe("KV value types", () => {
  it("infers the Kestra type of an untyped value", () => {
    expect(inferType(42)).toBe("NUMBER");
    expect(inferType(true)).toBe("BOOLEAN");
    expect(inferType("2024-01-02T03:04:05Z")).toBe("DATETIME");
    expect(inferType("2024-01-02")).toBe("DATE");
    expect(inferType("PT5M")).toBe("DURATION");
    expect(inferType("plain")).toBe("STRING");
    expect(inferType({ a: 1 })).toBe("JSON");
    expect(inferType([1, 2])).toBe("JSON");
  });

  it("converts a declared kvType and refuses values that do not fit it", () => {
    expect(coerce("12.5", "NUMBER")).toBe(12.5);
    expect(coerce("TRUE", "BOOLEAN")).toBe(true);
    expect(coerce('{"a":[1]}', "JSON")).toEqual({ a: [1] });
    expect(coerce({ a: 1 }, "STRING")).toBe('{"a":1}');
    expect(coerce("pt1h", "DURATION")).toBe("PT1H");
    expect(coerce("2024-02-29", "DATE")).toBe("2024-02-29");
    expect(() => coerce("abc", "NUMBER")).toThrow(KvValueError);
    expect(() => coerce("yes", "BOOLEAN")).toThrow("is not a valid BOOLEAN");
    expect(() => coerce("2023-02-29", "DATE")).toThrow(KvValueError);
    expect(() => coerce("tomorrow", "DATETIME")).toThrow(KvValueError);
    expect(() => coerce("5 minutes", "DURATION")).toThrow(KvValueError);
    expect(() => coerce("{not json", "JSON")).toThrow(KvValueError);
  });

  it("reads an API body as JSON when it parses and as text otherwise", () => {
    expect(valueOfBody("42")).toBe(42);
    expect(valueOfBody('"quoted"')).toBe("quoted");
    expect(valueOfBody("not json")).toBe("not json");
    expect(typedValue(valueOfBody('{"x":1}'))).toEqual({ value: { x: 1 }, type: "JSON" });
  });
});

describe("KvStore", () => {
  it("hides an entry once its ttl has passed, by the store's clock", async () => {
    let now = new Date("2030-01-01T00:00:00.000Z");
    const store = new KvStore(db, uniqueTenantId("kv"), () => now);
    await store.put("ns", "short", { value: "v", type: "STRING" }, { ttlMs: 60_000 });
    await store.put("ns", "forever", { value: 1, type: "NUMBER" });
    expect((await store.get("ns", "short"))?.expiresAt).toBe("2030-01-01T00:01:00.000Z");

    now = new Date("2030-01-01T00:00:59.999Z");
    expect((await store.get("ns", "short"))?.value).toBe("v");

    now = new Date("2030-01-01T00:01:00.000Z");
    expect(await store.get("ns", "short")).toBeNull();
    expect((await store.list("ns")).map((e) => e.key)).toEqual(["forever"]);
    expect(await store.delete("ns", "short")).toBe(false);
  });

  it("without overwrite leaves a live key alone but replaces an expired one", async () => {
    let now = new Date("2030-01-01T00:00:00.000Z");
    const store = new KvStore(db, uniqueTenantId("kv"), () => now);
    expect(await store.put("ns", "k", { value: "first", type: "STRING" }, { ttlMs: 1000 })).toBe(true);
    expect(await store.put("ns", "k", { value: "second", type: "STRING" }, { overwrite: false })).toBe(false);
    expect((await store.get("ns", "k"))?.value).toBe("first");
    now = new Date("2030-01-01T00:00:02.000Z");
    expect(await store.put("ns", "k", { value: "third", type: "STRING" }, { overwrite: false })).toBe(true);
    expect(await store.get("ns", "k")).toMatchObject({ value: "third", expiresAt: null });
  });

  it("lists keys by prefix, in order, taking prefix characters literally", async () => {
    const store = new KvStore(db, uniqueTenantId("kv"));
    for (const key of ["b_1", "a.2", "a.1", "a_1", "ab"]) await store.put("ns", key, { value: key, type: "STRING" });
    expect((await store.list("ns", "a.")).map((e) => e.key)).toEqual(["a.1", "a.2"]);
    expect((await store.list("ns", "a_")).map((e) => e.key)).toEqual(["a_1"]);
    expect((await store.list("ns")).length).toBe(5);
    expect(await store.list("other")).toEqual([]);
  });

  it("never shows one tenant's entries to another, in the same namespace and key", async () => {
    const a = new KvStore(db, uniqueTenantId("kva"));
    const b = new KvStore(db, uniqueTenantId("kvb"));
    await a.put("shared.ns", "token", { value: "a-only", type: "STRING" });
    expect(await b.get("shared.ns", "token")).toBeNull();
    expect(await b.list("shared.ns")).toEqual([]);
    expect(await b.delete("shared.ns", "token")).toBe(false);
    expect((await a.get("shared.ns", "token"))?.value).toBe("a-only");
  });

  it("refuses a value over the size limit", async () => {
    const store = new KvStore(db, uniqueTenantId("kv"));
    await expect(store.put("ns", "big", { value: "x".repeat(1024 * 1024 + 1), type: "STRING" })).rejects.toThrow(
      KvValueTooLarge,
    );
  });
});
