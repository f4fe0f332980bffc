// ForEachItem end to end through the API (spec §5, issue 5 item 3): a FILE input split into
// batches, one subflow execution per batch, `_split`/`_items`/`_merge` outputs, failures, wait
// false and the kill cascade; plus the batch cutting on its own (rows, bytes, partitions).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import type { ExecutionJson } from "../../worker/execution/json";
import { batchSpec, cutBatches, parseDataSize } from "../../worker/tasks/foreach-item-split";
import { bodyText } from "../helpers/body";
import { getExecution, logsOf, runFlow, saveFlow, settled } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const lines = (n: number, width = 0) =>
  `${Array.from({ length: n }, (_, i) => `item-${String(i + 1).padStart(width, "0")}`).join("\n")}\n`;

function upload(content: string): { body: FormData } {
  const form = new FormData();
  form.set("file", new File([content], "file"));
  return { body: form };
}

/** The search index is fed after the fact: polls it until `until` holds (or gives up). */
async function children(
  tenant: TestTenant,
  flowId: string,
  until: (kids: ExecutionJson[]) => boolean = () => true,
): Promise<ExecutionJson[]> {
  let kids: ExecutionJson[] = [];
  for (let i = 0; i < 200; i++) {
    const res = await tenant.fetch(`executions/search?flowId=${flowId}&size=500`);
    kids = ((await res.json()) as { results: ExecutionJson[] }).results;
    if (until(kids)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return kids;
}

async function download(tenant: TestTenant, executionId: string, uri: string): Promise<string> {
  const res = await tenant.fetch(`executions/${executionId}/file?path=${encodeURIComponent(uri)}`);
  expect(res.status).toBe(200);
  return bodyText(res);
}

const run = (ex: ExecutionJson, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId);

/** The subflow of every batch: counts the rows of its batch with read(), reports its file and iteration. */
const batchFlow = `id: batch
namespace: qa.sub
inputs:
  - id: file
    type: FILE
  - id: n
    type: INT
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.n == 2 and labels.fail is defined }}"
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.file) | trim | split('-') | length - 1 }}"
outputs:
  - id: rows
    type: INT
    value: "{{ outputs.count.value }}"
  - id: file
    type: STRING
    value: "{{ inputs.file }}"
  - id: iteration
    type: INT
    value: "{{ inputs.n }}"
`;

const parentFlow = (id: string, batch: string, extra = "") => `id: ${id}
namespace: qa
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      ${batch}
    namespace: qa.sub
    flowId: batch
    inputs:
      file: "{{ taskrun.items }}"
      n: "{{ taskrun.iteration }}"
${extra}  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.each_items.numberOfBatches }} batches"
`;

/** The merged outputs file, one JSON object per batch in batch order. */
async function mergedOutputs(
  tenant: TestTenant,
  ex: ExecutionJson,
): Promise<Array<{ rows: number; file: string; iteration: number }>> {
  const text = await download(tenant, ex.id, String(run(ex, "each_merge")!.outputs!.subflowOutputs));
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

/** Every batch file, read the way its subflow execution may read it (its parent's files). */
async function batchFiles(tenant: TestTenant, merged: Array<{ file: string }>): Promise<string[]> {
  const kids = await children(tenant, "batch", (k) => k.length >= merged.length);
  const byFile = new Map(kids.map((k) => [String(k.inputs?.file), k.id]));
  return Promise.all(merged.map((m) => download(tenant, byFile.get(m.file)!, m.file)));
}

describe("ForEachItem", () => {
  it("splits 10,000 lines by rows of 100 into 100 subflow executions that all succeed, and merges their outputs", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("rows", "rows: 100", "    labels:\n      key: value\n"));
    const content = lines(10_000);
    const started = Date.now();
    const ex = await runFlow(tenant, "qa", "rows", upload(content));
    console.info(`ForEachItem over 10,000 lines, rows 100 (100 subflows): ${Date.now() - started} ms`);
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList.map((r) => r.taskId)).toEqual(["each", "each_split", "each_items", "each_merge", "after"]);
    expect(run(ex, "each_split")!.outputs).toMatchObject({ numberOfBatches: 100 });
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 100 });
    // Every state Kestra tracks is counted, zeros included.
    expect(run(ex, "each_items")!.outputs!.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 100 });
    const merged = await mergedOutputs(tenant, ex);
    expect(merged.map((o) => o.iteration)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(merged.every((o) => o.rows === 100)).toBe(true);
    const files = await batchFiles(tenant, merged);
    expect(files.every((f) => f.split("\n").length === 101)).toBe(true);
    expect(files.join("")).toBe(content);
    const kids = await children(tenant, "batch", (k) => k.filter((e) => e.state.current === "SUCCESS").length === 100);
    expect(kids).toHaveLength(100);
    expect(kids.every((k) => k.state.current === "SUCCESS")).toBe(true);
    expect(kids[0]!.labels).toContainEqual({ key: "key", value: "value" });
    expect(kids[0]!.trigger).toMatchObject({
      type: "io.kestra.plugin.core.flow.ForEachItem",
      variables: { executionId: ex.id, flowId: "rows", namespace: "qa" },
    });
  });

  it("splits 10,000 lines into 4 partitions of 2,500 lines, one subflow each", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("parts", "partitions: 4"));
    const content = lines(10_000, 5);
    const started = Date.now();
    const ex = await runFlow(tenant, "qa", "parts", upload(content));
    console.info(`ForEachItem over 10,000 lines, partitions 4: ${Date.now() - started} ms`);
    expect(ex.state.current).toBe("SUCCESS");
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 4, iterations: { SUCCESS: 4 } });
    const merged = await mergedOutputs(tenant, ex);
    expect(merged.map((o) => o.rows)).toEqual([2500, 2500, 2500, 2500]);
    const files = await batchFiles(tenant, merged);
    expect(files.map((f) => f.split("\n").length - 1)).toEqual([2500, 2500, 2500, 2500]);
    expect(files.join("")).toBe(content);
  });

  it("runs the examples README snippet unchanged: rows 4, wait, transmitFailed and labels", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: subflow\nnamespace: dev\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: ok\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ inputs.file }}"\n`,
    );
    await saveFlow(
      tenant,
      `id: readme
namespace: dev
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    inputs:
      file: "{{ taskrun.items }}"
    batch:
      rows: 4
    namespace: dev
    flowId: subflow
    wait: true
    transmitFailed: true
    labels:
      key: value
`,
    );
    const ex = await runFlow(tenant, "dev", "readme", upload(lines(10)));
    expect(ex.state.current).toBe("SUCCESS");
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 3, iterations: { SUCCESS: 3 } });
    const kids = await children(tenant, "subflow", (k) => k.length === 3);
    expect(kids.map((k) => k.labels.find((l) => l.key === "key")?.value)).toEqual(["value", "value", "value"]);
  });

  it("cuts by bytes end to end: 1KB batches of whole lines", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("sized", 'bytes: "1KB"'));
    const content = lines(1000, 4); // 10 bytes a line
    const ex = await runFlow(tenant, "qa", "sized", upload(content));
    expect(ex.state.current).toBe("SUCCESS");
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 10, iterations: { SUCCESS: 10 } });
    const files = await batchFiles(tenant, await mergedOutputs(tenant, ex));
    expect(files.every((f) => f.length <= 1024 && f.endsWith("\n"))).toBe(true);
    expect(files.join("")).toBe(content);
  });

  it("runs batch {rows: 4, bytes: 1024, partitions: 2} as Kestra does: bytes decides", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("several", "rows: 4\n      bytes: 1024\n      partitions: 2"));
    const content = lines(300, 4); // 10 bytes a line: 3,000 bytes
    const ex = await runFlow(tenant, "qa", "several", upload(content));
    expect(ex.state.current).toBe("SUCCESS");
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 3, iterations: { SUCCESS: 3 } });
    const files = await batchFiles(tenant, await mergedOutputs(tenant, ex));
    expect(files.map((f) => f.length)).toEqual([1020, 1020, 960]);
  });

  it("fails with the failed batch when transmitFailed is true, and succeeds with the counts when it is false", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("strict", "rows: 1", "    labels:\n      fail: yes\n"));
    await saveFlow(
      tenant,
      parentFlow("lenient", "rows: 1", "    labels:\n      fail: yes\n    transmitFailed: false\n"),
    );
    const strict = await runFlow(tenant, "qa", "strict", upload(lines(3)));
    expect(strict.state.current).toBe("FAILED");
    expect(run(strict, "each_items")!.state.current).toBe("FAILED");
    expect(run(strict, "each_items")!.outputs!.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 2, FAILED: 1 });
    expect(run(strict, "each_merge")).toBeUndefined();
    expect(run(strict, "after")).toBeUndefined();
    const lenient = await runFlow(tenant, "qa", "lenient", upload(lines(3)));
    expect(lenient.state.current).toBe("SUCCESS");
    expect(run(lenient, "each_items")!.outputs).toMatchObject({ iterations: { SUCCESS: 2, FAILED: 1 } });
    // The failed batch has no flow outputs; the others have theirs, in batch order.
    const merged = await mergedOutputs(tenant, lenient);
    expect(merged.map((o) => o.iteration ?? null)).toEqual([1, null, 3]);
  });

  it("with wait: false ends _items at once; the batches run on without a parent to notify", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: slow\nnamespace: qa.sub\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`,
    );
    await saveFlow(
      tenant,
      `id: fire\nnamespace: qa\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "{{ inputs.file }}"\n    batch:\n      rows: 2\n    namespace: qa.sub\n    flowId: slow\n    wait: false\n    inputs:\n      file: "{{ taskrun.items }}"\n`,
    );
    const ex = await runFlow(tenant, "qa", "fire", upload(lines(5)));
    expect(ex.state.current).toBe("SUCCESS");
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 3 });
    // Kestra counts each batch of a ForEachItem that does not wait as a success once started.
    expect(run(ex, "each_items")!.outputs!.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 3 });
    expect(run(ex, "each_merge")!.state.current).toBe("SUCCESS");
    const kids = await children(tenant, "slow", (k) => k.length === 3);
    expect(kids).toHaveLength(3);
    expect(kids.every((k) => !k.parentId && k.state.current !== "SUCCESS")).toBe(true);
  });

  it("kills every running batch execution when the parent is killed", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: sleeper\nnamespace: qa.sub\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`,
    );
    await saveFlow(
      tenant,
      `id: holder\nnamespace: qa\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "{{ inputs.file }}"\n    namespace: qa.sub\n    flowId: sleeper\n    inputs:\n      file: "{{ taskrun.items }}"\n`,
    );
    const res = await tenant.fetch("executions/qa/holder", { method: "POST", ...upload(lines(4)) });
    const started = (await res.json()) as ExecutionJson;
    await settled(tenant, started.id, (e) => run(e, "each_items")?.state.current === "RUNNING");
    const kids = await children(tenant, "sleeper", (k) => k.filter((e) => e.state.current === "RUNNING").length === 4);
    expect(kids).toHaveLength(4);
    expect((await tenant.fetch(`executions/${started.id}/kill`, { method: "DELETE" })).status).toBe(202);
    for (const kid of kids) {
      expect((await settled(tenant, kid.id, (e) => e.state.current === "KILLED")).state.current).toBe("KILLED");
    }
    const parent = await settled(tenant, started.id, (e) => e.state.current === "KILLED");
    expect(run(parent, "each_items")!.state.current).toBe("KILLED");
  });

  it("a batch's end delivered twice counts once", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("twice", "rows: 2"));
    const ex = await runFlow(tenant, "qa", "twice", upload(lines(4)));
    expect(ex.state.current).toBe("SUCCESS");
    const items = run(ex, "each_items")!;
    const kid = (await children(tenant, "batch", (k) => k.length === 2))[0]!;
    const stub = env.EXECUTIONS.get(env.EXECUTIONS.idFromName(`${tenant.tenantId}:${ex.id}`));
    await runInDurableObject(stub, (instance: ExecutionDurableObject) =>
      instance.childEnded(items.id, kid.id, "FAILED", {}),
    );
    const again = await getExecution(tenant, ex.id);
    expect(again.taskRunList).toEqual(ex.taskRunList);
    expect(run(again, "each_items")!.outputs).toMatchObject({ iterations: { SUCCESS: 2 } });
  });

  it("fails _split clearly when items is not an internal storage URI", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(
      tenant,
      `id: bad\nnamespace: qa\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "https://example.com/items.csv"\n    namespace: qa.sub\n    flowId: batch\n`,
    );
    const ex = await runFlow(tenant, "qa", "bad");
    expect(ex.state.current).toBe("FAILED");
    expect(run(ex, "each_split")!.state.current).toBe("FAILED");
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toContain(
      "ForEachItem 'items' must be a kestra:// URI, got 'https://example.com/items.csv'",
    );
  });

  it("a batch execution reads its batch, a file of its parent, with read(inputs.file)", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: reader\nnamespace: qa.sub\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: count\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ read(inputs.file) | trim | split('-') | length - 1 }}"\noutputs:\n  - id: rows\n    type: INT\n    value: "{{ outputs.count.value }}"\n`,
    );
    await saveFlow(
      tenant,
      `id: readall\nnamespace: qa\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "{{ inputs.file }}"\n    batch:\n      rows: 3\n    namespace: qa.sub\n    flowId: reader\n    inputs:\n      file: "{{ taskrun.items }}"\n`,
    );
    const ex = await runFlow(tenant, "qa", "readall", upload(lines(7)));
    expect(ex.state.current).toBe("SUCCESS");
    const text = await download(tenant, ex.id, String(run(ex, "each_merge")!.outputs!.subflowOutputs));
    expect(text).toBe('{"rows":3}\n{"rows":3}\n{"rows":1}\n');
  });
});

describe("ForEachItem batches", () => {
  const stream = (text: string, chunk: number) => {
    const bytes = new TextEncoder().encode(text);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
        controller.close();
      },
    });
  };
  async function cut(text: string, batch: Record<string, unknown>, chunk = 3): Promise<string[]> {
    const parts: string[] = [];
    const bytes = new TextEncoder().encode(text);
    const decoder = new TextDecoder();
    await cutBatches(stream(text, chunk), bytes.length, batchSpec(batch), async (i, start, end) => {
      parts[i] = decoder.decode(bytes.slice(start, end));
    });
    return parts;
  }

  it("cuts by rows, one row by default, keeping a last row that has no separator", async () => {
    expect(await cut("a\nb\nc", {})).toEqual(["a\n", "b\n", "c"]);
    expect(await cut("a\nb\nc\nd\ne\n", { rows: 2 })).toEqual(["a\nb\n", "c\nd\n", "e\n"]);
    expect(await cut("", { rows: 2 })).toEqual([]);
  });

  it("cuts on a separator of several bytes split across chunks", async () => {
    expect(await cut("a;;b;;c;;", { rows: 1, separator: ";;" }, 1)).toEqual(["a;;", "b;;", "c;;"]);
    expect(await cut("a;b;;c", { rows: 1, separator: ";;" }, 2)).toEqual(["a;b;;", "c"]);
  });

  it("cuts by bytes at row ends without exceeding the size, unless one row alone does", async () => {
    expect(await cut("aaa\nbbb\nccc\n", { bytes: "8" })).toEqual(["aaa\nbbb\n", "ccc\n"]);
    expect(await cut("aaa\nbbbbbbbbbb\nc\n", { bytes: 5 })).toEqual(["aaa\n", "bbbbbbbbbb\n", "c\n"]);
    expect(parseDataSize("10KB")).toBe(10_240);
    expect(() => parseDataSize("ten")).toThrow(/Invalid batch size/);
  });

  it("cuts into N partitions of about equal size, fewer when rows are longer than a part", async () => {
    expect(await cut("a\nb\nc\nd\ne\nf\ng\nh\n", { partitions: 4 })).toEqual(["a\nb\n", "c\nd\n", "e\nf\n", "g\nh\n"]);
    expect(await cut("aaaaaaaaaa\nb\n", { partitions: 4 })).toEqual(["aaaaaaaaaa\n", "b\n"]);
  });

  it("with several ways of batching set, takes bytes, then partitions, then rows, as Kestra does", async () => {
    expect(batchSpec({ rows: 2, partitions: 3 })).toMatchObject({ mode: "partitions", partitions: 3 });
    expect(batchSpec({ rows: 2, partitions: 3, bytes: "1KB" })).toMatchObject({ mode: "bytes", bytes: 1024 });
    expect(await cut("a\nb\nc\nd\n", { rows: 1, partitions: 2 })).toEqual(["a\nb\n", "c\nd\n"]);
    expect(() => batchSpec({ rows: 0 })).toThrow(/batch.rows/);
    expect(() => batchSpec({ rows: 0 })).toThrow(/batch.rows/);
  });
});

describe("ForEachItem and the storage limit", () => {
  it("fails _items with a message naming the limit when the merged outputs would pass it, and stores no part of them", async () => {
    const tenant = await createTenant();
    // Each batch's output is about 340 KB; four of them pass the tests' 1 MiB MAX_FILE_BYTES.
    await saveFlow(
      tenant,
      `id: bulky
namespace: qa.sub
inputs:
  - id: file
    type: FILE
tasks:
  - id: noop
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.file }}"
outputs:
  - id: blob
    type: STRING
    value: "{{ range(1, 60000) | join('-') }}"
`,
    );
    await saveFlow(
      tenant,
      `id: limited
namespace: qa
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: 1
    namespace: qa.sub
    flowId: bulky
    inputs:
      file: "{{ taskrun.items }}"
`,
    );
    const ex = await runFlow(tenant, "qa", "limited", upload(lines(4)));
    expect(ex.state.current).toBe("FAILED");
    const items = run(ex, "each_items")!;
    expect(items.state.current).toBe("FAILED");
    const errors = (await logsOf(tenant, ex.id)).filter((l) => l.taskId === "each_items" && l.level === "ERROR");
    expect(errors.map((l) => l.message).join("\n")).toMatch(
      /File 'outputs\.jsonl' is \d+ bytes, over the 1048576-byte limit of internal storage \(MAX_FILE_BYTES\)/,
    );
    const uri = `kestra:///qa/limited/executions/${ex.id}/tasks/each_items/${items.id}/outputs.jsonl`;
    const file = await tenant.fetch(`executions/${ex.id}/file/metas?path=${encodeURIComponent(uri)}`);
    expect(file.status).toBe(404);
    const listed = await env.STORAGE.list({
      prefix: `${tenant.tenantId}/qa/limited/executions/${ex.id}/tasks/each_items/`,
    });
    expect(listed.objects).toEqual([]);
  });
});
