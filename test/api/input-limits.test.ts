// Hard limits on what a request may send or make Peregrine store (issue: a 100,000-deep JSON
// input, a 9 MB and a 50 MB input answered 500; a 3 MB input became a 3 MB D1 row).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_STORED_VALUE_BYTES } from "../../worker/limits";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const flow = (id: string, extra = "") => `id: ${id}
namespace: limits
inputs:
  - id: data
    type: JSON
    required: false
  - id: file
    type: FILE
    required: false
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.data ?? 'none' }}"
${extra}`;

async function tenantWithFlow(id: string, extra = ""): Promise<TestTenant> {
  const t = await createTenant();
  await saveFlow(t, flow(id, extra));
  return t;
}

const deepJson = (depth: number) => `{"data":${"[".repeat(depth)}${"]".repeat(depth)}}`;

async function errorOf(res: Response): Promise<{ message: string; code: string; details?: { limit?: number } }> {
  return (await res.json()) as { message: string; code: string; details?: { limit?: number } };
}

describe("execution inputs", () => {
  it("answers 422 naming the depth limit for a JSON input nested 100,000 deep", async () => {
    const t = await tenantWithFlow("deep");
    const res = await t.fetch("executions/limits/deep", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: deepJson(100_000),
    });
    expect(res.status).toBe(422);
    const body = await errorOf(res);
    expect(body.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(body.details?.limit).toBe(MAX_JSON_DEPTH);
  });

  it("refuses a deep JSON input sent as a form field (422)", async () => {
    const t = await tenantWithFlow("deepform");
    const form = new FormData();
    form.set("data", "[".repeat(10_000) + "]".repeat(10_000));
    const res = await t.fetch("executions/limits/deepform", { method: "POST", body: form });
    expect(res.status).toBe(422);
  });

  it.each([9 * 1024 * 1024, 50 * 1024 * 1024])(
    "answers 413 naming the body limit for a %i-byte input",
    async (size) => {
      const t = await tenantWithFlow("huge");
      const body = `{"data":"${"x".repeat(size)}"}`;
      const res = await t.fetch("executions/limits/huge", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
      expect(res.status).toBe(413);
      const err = await errorOf(res);
      expect(err.message).toContain("8 MiB");
      expect(err.details?.limit).toBe(MAX_BODY_BYTES);
    },
  );

  it("answers 413 for a streamed body (no Content-Length) over the limit", async () => {
    const t = await tenantWithFlow("stream");
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await exports.default.fetch(`https://peregrine.test/api/v1/${t.tenantId}/executions/limits/stream`, {
      method: "POST",
      headers: { Authorization: `Bearer ${t.key}`, "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("answers 413 naming the stored limit for a 3 MB JSON input, and takes the same data as a FILE", async () => {
    const t = await tenantWithFlow("big");
    const big = "x".repeat(3 * 1024 * 1024);
    const res = await t.fetch("executions/limits/big", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ data: { s: big } }),
    });
    expect(res.status).toBe(413);
    const err = await errorOf(res);
    expect(err.message).toContain("1 MiB");
    expect(err.message).toContain("FILE");
    expect(err.details?.limit).toBe(MAX_STORED_VALUE_BYTES);

    const form = new FormData();
    form.set("file", new File([big.slice(0, 512 * 1024)], "file")); // the tests' storage limit is 1 MiB
    const ex = await runFlow(t, "limits", "big", { body: form });
    expect(ex.state.current).toBe("SUCCESS");
  });
});

describe("other bodies", () => {
  it("a webhook body nested 100,000 deep is a 422", async () => {
    const t = await tenantWithFlow(
      "hook",
      `triggers:
  - id: w
    type: io.kestra.plugin.core.trigger.Webhook
    key: a-long-enough-webhook-key
`,
    );
    const res = await exports.default.fetch(
      `https://peregrine.test/api/v1/${t.tenantId}/executions/webhook/limits/hook/a-long-enough-webhook-key`,
      { method: "POST", headers: { "Content-Type": "application/json" }, body: deepJson(100_000) },
    );
    expect(res.status).toBe(422);
  });

  it("a KV value nested deeper than the limit is a 422", async () => {
    const t = await createTenant();
    const res = await t.fetch("namespaces/limits/kv/deep", {
      method: "PUT",
      body: "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1),
    });
    expect(res.status).toBe(422);
  });

  it("a flow source over the body limit is a 413 naming it", async () => {
    const t = await createTenant();
    const res = await t.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: `id: x\nnamespace: limits\n# ${"x".repeat(MAX_BODY_BYTES)}\ntasks: []\n`,
    });
    expect(res.status).toBe(413);
  });
});

describe("stored values", () => {
  it("a task whose outputs exceed the stored limit fails, naming it", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      `id: bigout
namespace: limits
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{% for i in range(1, 20000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}"
`,
    );
    const ex = await runFlow(t, "limits", "bigout");
    expect(ex.state.current).toBe("FAILED");
    const logs = (await (await t.fetch(`logs/${ex.id}`)).json()) as { message: string }[];
    expect(logs.map((l) => l.message).join("\n")).toContain("1 MiB");
  });
});
