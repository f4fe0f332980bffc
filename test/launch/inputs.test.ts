import { describe, expect, it } from "vitest";
import type { Input } from "../../schema/flow/types";
import { readSubmittedInputs } from "../../worker/api/submitted-inputs";
import { BadRequest } from "../../worker/errors";
import { render } from "../../worker/expressions";
import { resolveInputs } from "../../worker/launch/inputs";

function harness() {
  const stored: { inputId: string; name: string; text: string }[] = [];
  const opts = {
    async storeFile(inputId: string, file: File) {
      stored.push({ inputId, name: file.name, text: await file.text() });
      return `kestra:///ns/flow/executions/e1/inputs/${inputId}/${file.name}`;
    },
    render: (template: string, vars: Record<string, unknown>) => render(template, vars),
    now: new Date("2025-01-01T00:00:00Z"),
  };
  return { stored, opts };
}

async function resolve(inputs: Input[], values: Record<string, unknown>, files: Record<string, File> = {}) {
  return resolveInputs(inputs, { values, files }, harness().opts);
}

async function ok(input: Input, value: unknown): Promise<unknown> {
  const r = await resolve([input], { [input.id]: value });
  if (!r.ok) throw new Error(`unexpected violations ${JSON.stringify(r.violations)}`);
  return r.inputs[input.id];
}

async function violation(input: Input, value: unknown): Promise<string> {
  const r = await resolve([input], value === undefined ? {} : { [input.id]: value });
  if (r.ok) throw new Error(`expected a violation, got ${JSON.stringify(r.inputs)}`);
  expect(r.violations).toHaveLength(1);
  expect(r.violations[0]?.input).toBe(input.id);
  return r.violations[0]?.message ?? "";
}

describe("resolveInputs: parsing per type", () => {
  it("keeps STRING as is and checks its validator as a whole-string regex", async () => {
    expect(await ok({ id: "s", type: "STRING" }, "hello")).toBe("hello");
    expect(await ok({ id: "s", type: "STRING", validator: "[a-z]+" }, "abc")).toBe("abc");
    expect(await violation({ id: "s", type: "STRING", validator: "[a-z]+" }, "abc1")).toMatch(/pattern/);
  });

  it("checks ENUM and SELECT membership unless custom values are allowed", async () => {
    expect(await ok({ id: "e", type: "ENUM", values: ["A", "B"] }, "B")).toBe("B");
    expect(await violation({ id: "e", type: "ENUM", values: ["A", "B"] }, "C")).toMatch(/one of/);
    expect(await violation({ id: "e", type: "SELECT", values: ["A"] }, "Z")).toMatch(/one of/);
    expect(await ok({ id: "e", type: "SELECT", values: ["A"], allowCustomValue: true }, "Z")).toBe("Z");
  });

  it("checks EMAIL and URI formats", async () => {
    expect(await ok({ id: "m", type: "EMAIL" }, "a@example.com")).toBe("a@example.com");
    expect(await violation({ id: "m", type: "EMAIL" }, "not-an-email")).toMatch(/email/);
    expect(await ok({ id: "u", type: "URI" }, "https://kestra.io/docs")).toBe("https://kestra.io/docs");
    expect(await violation({ id: "u", type: "URI" }, "no uri here")).toMatch(/URI/);
  });

  it("parses INT from text or JSON numbers, with min and max", async () => {
    expect(await ok({ id: "i", type: "INT" }, "42")).toBe(42);
    expect(await ok({ id: "i", type: "INT" }, -3)).toBe(-3);
    expect(await violation({ id: "i", type: "INT" }, "4.5")).toMatch(/integer/);
    expect(await violation({ id: "i", type: "INT" }, "abc")).toMatch(/integer/);
    expect(await violation({ id: "i", type: "INT", min: 5 }, "4")).toMatch(/at least 5/);
    expect(await violation({ id: "i", type: "INT", max: 5 }, 6)).toMatch(/at most 5/);
  });

  it("parses FLOAT with min and max", async () => {
    expect(await ok({ id: "f", type: "FLOAT" }, "3.25")).toBe(3.25);
    expect(await ok({ id: "f", type: "FLOAT" }, 1e3)).toBe(1000);
    expect(await violation({ id: "f", type: "FLOAT" }, "1,5")).toMatch(/number/);
    expect(await violation({ id: "f", type: "FLOAT", max: 1.5 }, "1.6")).toMatch(/at most/);
  });

  it("reads BOOLEAN and BOOL as true only for 'true' in any case, keeping JSON booleans", async () => {
    expect(await ok({ id: "b", type: "BOOLEAN" }, "TRUE")).toBe(true);
    expect(await ok({ id: "b", type: "BOOLEAN" }, "yes")).toBe(false);
    expect(await ok({ id: "b", type: "BOOL" }, true)).toBe(true);
    expect(await ok({ id: "b", type: "BOOL" }, false)).toBe(false);
  });

  it("normalises DATETIME to a UTC instant and checks after and before", async () => {
    expect(await ok({ id: "d", type: "DATETIME" }, "2024-01-15T10:00:00Z")).toBe("2024-01-15T10:00:00Z");
    expect(await ok({ id: "d", type: "DATETIME" }, "2024-01-15T12:30:00.5+02:00")).toBe("2024-01-15T10:30:00.500Z");
    expect(await violation({ id: "d", type: "DATETIME" }, "2024-01-15")).toMatch(/date-time/);
    expect(await violation({ id: "d", type: "DATETIME" }, "2024-02-30T00:00:00Z")).toMatch(/valid/);
    const bounded: Input = { id: "d", type: "DATETIME", after: "2024-01-01T00:00:00Z", before: "2024-12-31T00:00:00Z" };
    expect(await violation(bounded, "2023-06-01T00:00:00Z")).toMatch(/after/);
    expect(await violation(bounded, "2025-06-01T00:00:00Z")).toMatch(/before/);
    expect(await ok(bounded, "2024-06-01T00:00:00Z")).toBe("2024-06-01T00:00:00Z");
  });

  it("checks DATE and TIME as ISO local values", async () => {
    expect(await ok({ id: "d", type: "DATE" }, "2024-02-29")).toBe("2024-02-29");
    expect(await violation({ id: "d", type: "DATE" }, "2023-02-29")).toMatch(/local date/);
    expect(await violation({ id: "d", type: "DATE", after: "2024-03-01" }, "2024-02-29")).toMatch(/after/);
    expect(await ok({ id: "t", type: "TIME" }, "10:15:30")).toBe("10:15:30");
    expect(await violation({ id: "t", type: "TIME" }, "25:00")).toMatch(/local time/);
  });

  it("reads DURATION as ISO-8601 with min and max, written as java.time.Duration does", async () => {
    expect(await ok({ id: "p", type: "DURATION" }, "PT90S")).toBe("PT1M30S");
    expect(await violation({ id: "p", type: "DURATION" }, "90 seconds")).toMatch(/ISO-8601/);
    expect(await violation({ id: "p", type: "DURATION", min: "PT1M" }, "PT30S")).toMatch(/at least PT1M/);
    expect(await violation({ id: "p", type: "DURATION", max: "PT1M" }, "PT2M")).toMatch(/at most PT1M/);
  });

  it("parses JSON text and keeps typed JSON values", async () => {
    expect(await ok({ id: "j", type: "JSON" }, '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(await ok({ id: "j", type: "JSON" }, { a: 1 })).toEqual({ a: 1 });
    expect(await violation({ id: "j", type: "JSON" }, "{oops")).toMatch(/invalid JSON/);
  });

  it("parses YAML text", async () => {
    expect(await ok({ id: "y", type: "YAML" }, "a: 1\nb: [x, y]\n")).toEqual({ a: 1, b: ["x", "y"] });
    expect(await violation({ id: "y", type: "YAML" }, "a: [unclosed")).toMatch(/invalid YAML/);
  });

  it("parses ARRAY items with their itemType, from JSON text or a list", async () => {
    expect(await ok({ id: "a", type: "ARRAY", itemType: "INT" }, "[1, 2, 3]")).toEqual([1, 2, 3]);
    expect(await ok({ id: "a", type: "ARRAY", itemType: "STRING" }, ["x", "y"])).toEqual(["x", "y"]);
    expect(await violation({ id: "a", type: "ARRAY", itemType: "INT" }, '[1, "two"]')).toMatch(/item 1/);
    expect(await violation({ id: "a", type: "ARRAY", itemType: "INT" }, "1,2")).toMatch(/JSON list/);
    expect(await violation({ id: "a", type: "ARRAY" }, "[1]")).toMatch(/itemType/);
  });

  it("checks MULTISELECT values", async () => {
    const input: Input = { id: "m", type: "MULTISELECT", values: ["a", "b", "c"] };
    expect(await ok(input, '["a","c"]')).toEqual(["a", "c"]);
    expect(await ok(input, ["b"])).toEqual(["b"]);
    expect(await violation(input, ["a", "z"])).toMatch(/one of/);
  });

  it("resolves a SECRET value as given (sealed later, as the execution is created), checking its validator", async () => {
    expect(await ok({ id: "k", type: "SECRET" }, "p4ss")).toBe("p4ss");
    expect(await violation({ id: "k", type: "SECRET", validator: "\\d+" }, "p4ss")).toMatch(/pattern/);
  });

  it("accepts MULTISELECT's deprecated options as its values", async () => {
    const input = { id: "m", type: "MULTISELECT", options: ["a", "b"] } as Input;
    expect(await ok(input, ["a"])).toEqual(["a"]);
    expect(await violation(input, ["c"])).toMatch(/one of/);
  });

  it("checks a FILE against allowedFileExtensions", async () => {
    const input = { id: "doc", type: "FILE", allowedFileExtensions: [".csv", "txt"] } as Input;
    const good = await resolve([input], {}, { doc: new File(["x"], "data.TXT") });
    expect(good.ok).toBe(true);
    const bad = await resolve([input], {}, { doc: new File(["x"], "data.exe") });
    expect(bad.ok ? [] : bad.violations).toEqual([{ input: "doc", message: expect.stringMatching(/one of/) }]);
  });

  it("stores FILE uploads and answers their kestra:// URI, adding a missing extension", async () => {
    const { stored, opts } = harness();
    const r = await resolveInputs(
      [{ id: "doc", type: "FILE", extension: ".csv" }],
      { values: {}, files: { doc: new File(["a,b"], "doc") } },
      opts,
    );
    expect(r).toEqual({ ok: true, inputs: { doc: "kestra:///ns/flow/executions/e1/inputs/doc/doc.csv" } });
    expect(stored).toEqual([{ inputId: "doc", name: "doc.csv", text: "a,b" }]);
  });

  it("refuses a FILE with another extension, or a plain string, and keeps kestra:// URIs", async () => {
    const files = { doc: new File(["x"], "doc.txt") };
    const r = await resolve([{ id: "doc", type: "FILE", extension: "csv" }], {}, files);
    expect(r.ok ? [] : r.violations).toEqual([{ input: "doc", message: expect.stringMatching(/\.csv/) }]);
    expect(await violation({ id: "f", type: "FILE" }, "just text")).toMatch(/file/);
    expect(await ok({ id: "f", type: "FILE" }, "kestra:///ns/f/x.txt")).toBe("kestra:///ns/f/x.txt");
  });
});

describe("resolveInputs: presence, defaults and dependencies", () => {
  it("reports a missing required input, and null for a missing optional one", async () => {
    expect(await violation({ id: "x", type: "STRING" }, undefined)).toBe("missing required input");
    expect(await resolve([{ id: "x", type: "INT", required: false }], {})).toEqual({ ok: true, inputs: { x: null } });
  });

  it("applies defaults, parsed by their type", async () => {
    const r = await resolve(
      [
        { id: "greeting", type: "STRING", defaults: "hey" },
        { id: "n", type: "INT", defaults: "7" },
        { id: "when", type: "DATETIME", defaults: "2024-01-01T00:00:00.000Z" },
      ],
      {},
    );
    expect(r).toEqual({ ok: true, inputs: { greeting: "hey", n: 7, when: "2024-01-01T00:00:00Z" } });
  });

  it("prefers the submitted value over the default, and treats an empty non-text field as absent", async () => {
    const inputs: Input[] = [
      { id: "greeting", type: "STRING", defaults: "hey" },
      { id: "n", type: "INT", defaults: 1 },
    ];
    expect(await resolve(inputs, { greeting: "hey there", n: "" })).toEqual({
      ok: true,
      inputs: { greeting: "hey there", n: 1 },
    });
  });

  it("reports every violation at once, each naming its input", async () => {
    const r = await resolve(
      [
        { id: "a", type: "INT" },
        { id: "b", type: "STRING" },
        { id: "c", type: "BOOLEAN" },
      ],
      { a: "x", c: "true" },
    );
    expect(r.ok ? [] : r.violations.map((v) => v.input)).toEqual(["a", "b"]);
  });

  it("ignores submitted keys no input declares", async () => {
    expect(await resolve([{ id: "a", type: "STRING" }], { a: "1", extra: "2" })).toEqual({
      ok: true,
      inputs: { a: "1" },
    });
    expect(await resolveInputs(undefined, { values: { x: 1 }, files: {} }, harness().opts)).toEqual({
      ok: true,
      inputs: {},
    });
  });

  it("nests dotted ids into maps", async () => {
    const r = await resolve(
      [
        { id: "db.host", type: "STRING" },
        { id: "db.port", type: "INT" },
      ],
      { "db.host": "h", "db.port": "5432" },
    );
    expect(r).toEqual({ ok: true, inputs: { db: { host: "h", port: 5432 } } });
  });

  it("resolves dependencies first and drops an input whose condition renders false", async () => {
    const inputs: Input[] = [
      { id: "detail", type: "STRING", dependsOn: { inputs: ["wanted"], condition: "{{ inputs.wanted }}" } },
      { id: "wanted", type: "BOOLEAN" },
      { id: "deeper", type: "STRING", dependsOn: { inputs: ["detail"] } },
    ];
    expect(await resolve(inputs, { wanted: "false" })).toEqual({ ok: true, inputs: { wanted: false } });
    expect(await resolve(inputs, { wanted: "true", detail: "d", deeper: "x" })).toEqual({
      ok: true,
      inputs: { detail: "d", wanted: true, deeper: "x" },
    });
    const missing = await resolve(inputs, { wanted: "true" });
    expect(missing.ok ? [] : missing.violations.map((v) => v.input)).toEqual(["detail", "deeper"]);
  });

  it("reports a dependency cycle against an input", async () => {
    const r = await resolve(
      [
        { id: "a", type: "STRING", dependsOn: { inputs: ["b"] } },
        { id: "b", type: "STRING", dependsOn: { inputs: ["a"] } },
      ],
      { a: "1", b: "2" },
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.violations[0]?.message).toMatch(/depends on itself/);
  });

  it("computes SELECT values from an expression over earlier inputs", async () => {
    const inputs: Input[] = [
      { id: "choices", type: "JSON" },
      { id: "pick", type: "SELECT", expression: "{{ inputs.choices }}", dependsOn: { inputs: ["choices"] } },
    ];
    expect(await resolve(inputs, { choices: '["x","y"]', pick: "y" })).toEqual({
      ok: true,
      inputs: { choices: ["x", "y"], pick: "y" },
    });
    const r = await resolve(inputs, { choices: '["x","y"]', pick: "z" });
    expect(r.ok ? [] : r.violations).toEqual([{ input: "pick", message: expect.stringMatching(/one of/) }]);
  });
});

describe("readSubmittedInputs", () => {
  it("reads multipart text parts by name and file parts by their filename", async () => {
    const form = new FormData();
    form.append("greeting", "hey there");
    form.append("tags", "a");
    form.append("tags", "b");
    form.append("files", new File(["file body"], "myfile"));
    const submitted = await readSubmittedInputs(new Request("http://x/", { method: "POST", body: form }));
    expect(submitted.values).toEqual({ greeting: "hey there", tags: ["a", "b"] });
    expect(Object.keys(submitted.files).sort()).toEqual(["files", "myfile"]);
    expect(await submitted.files.myfile?.text()).toBe("file body");
  });

  it("carries a multipart file through to a stored FILE input", async () => {
    const form = new FormData();
    form.append("files", new File(["hello"], "myfile"));
    const submitted = await readSubmittedInputs(new Request("http://x/", { method: "POST", body: form }));
    const { stored, opts } = harness();
    const r = await resolveInputs([{ id: "myfile", type: "FILE" }], submitted, opts);
    expect(r).toEqual({ ok: true, inputs: { myfile: "kestra:///ns/flow/executions/e1/inputs/myfile/myfile" } });
    expect(stored[0]?.text).toBe("hello");
  });

  it("reads a JSON object body as typed values", async () => {
    const submitted = await readSubmittedInputs(
      new Request("http://x/", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ n: 3, b: true, o: { k: "v" } }),
      }),
    );
    expect(submitted).toEqual({ values: { n: 3, b: true, o: { k: "v" } }, files: {} });
  });

  it("reads urlencoded forms and treats an empty body as no inputs", async () => {
    const urlencoded = new Request("http://x/", { method: "POST", body: new URLSearchParams({ a: "1" }) });
    expect((await readSubmittedInputs(urlencoded)).values).toEqual({ a: "1" });
    expect(await readSubmittedInputs(new Request("http://x/", { method: "POST" }))).toEqual({ values: {}, files: {} });
  });

  it("rejects malformed JSON, a non-object JSON body and unknown content types as bad requests", async () => {
    const post = (body: string, type: string) =>
      readSubmittedInputs(new Request("http://x/", { method: "POST", headers: { "content-type": type }, body }));
    for (const attempt of [
      post("{bad", "application/json"),
      post("[1]", "application/json"),
      post("x", "text/plain"),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(BadRequest);
    }
  });
});
