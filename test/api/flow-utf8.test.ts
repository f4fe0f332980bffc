// Flow sources are kept as sent: bytes that are not UTF-8 are refused, not rewritten to U+FFFD.
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenant";

const enc = new TextEncoder();
const withBadByte = (text: string, at: string) => {
  const [before, after] = text.split(at) as [string, string];
  return new Uint8Array([...enc.encode(before), 0xff, 0xfe, ...enc.encode(after)]);
};

const SOURCE =
  "id: bad\nnamespace: utf\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: caf@\n";

describe("flow sources with invalid UTF-8", () => {
  it.each([
    ["POST", "flows"],
    ["PUT", "flows/utf/bad"],
    ["POST", "flows/validate"],
    ["POST", "flows/utf"],
  ])("%s %s answers 422 naming the line, and stores nothing", async (method, path) => {
    const t = await createTenant();
    if (method === "PUT") {
      const ok = await t.fetch("flows", {
        method: "POST",
        headers: { "Content-Type": "application/x-yaml" },
        body: SOURCE.replace("@", "e"),
      });
      expect(ok.status).toBe(200);
    }
    const res = await t.fetch(path, {
      method,
      headers: { "Content-Type": "application/x-yaml" },
      body: withBadByte(SOURCE, "@"),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; details: { line: number }[] };
    expect(body.message).toContain("not valid UTF-8");
    expect(body.details[0]?.line).toBe(6);
    const stored = await t.fetch("flows/utf/bad?source=true");
    if (method === "PUT") expect(((await stored.json()) as { source: string }).source).not.toContain("\uFFFD");
    else expect(stored.status).toBe(404);
  });

  it("keeps valid multi-byte UTF-8 exactly", async () => {
    const t = await createTenant();
    const source = SOURCE.replace("@", "é ✓ 𝄞");
    const res = await t.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: source,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { source: string }).source).toBe(source);
  });
});
