// The storage.* tasks end to end (Kestra's core storage plugin): files written by one task are
// `kestra://` URIs in its outputs that read(), the files API and the next task open; sizes,
// splits, reversal, concatenation, item filtering and deduplication as Kestra documents them;
// deletes reach only the execution's own files, and nothing of another tenant.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core.storage";

function upload(content: string): { body: FormData } {
  const form = new FormData();
  form.set("file", new File([content], "file.txt"));
  return { body: form };
}

const out = (ex: ExecutionJson, taskId: string) => {
  const r = ex.taskRunList.find((x) => x.taskId === taskId);
  if (!r) throw new Error(`no task run ${taskId}`);
  return r;
};

async function file(t: TestTenant, executionId: string, uri: unknown): Promise<{ status: number; text: string }> {
  const res = await t.fetch(`executions/${executionId}/file?path=${encodeURIComponent(String(uri))}`);
  return { status: res.status, text: new TextDecoder().decode(await res.arrayBuffer()) };
}

async function run(t: TestTenant, id: string, tasks: string, content: string): Promise<ExecutionJson> {
  await saveFlow(t, `id: ${id}\nnamespace: storage.test\ninputs:\n  - id: file\n    type: FILE\ntasks:\n${tasks}`);
  return runFlow(t, "storage.test", id, upload(content));
}

describe("storage tasks on lines", () => {
  it("size, reverse, concat, split (rows, partitions round-robin, bytes) and delete, each file readable by the next task and the API", async () => {
    const t = await createTenant();
    const ex = await run(
      t,
      "lines",
      `  - id: size
    type: ${P}.Size
    uri: "{{ inputs.file }}"
  - id: reverse
    type: ${P}.Reverse
    from: "{{ inputs.file }}"
  - id: concat
    type: ${P}.Concat
    files: ["{{ inputs.file }}", "{{ outputs.reverse.uri }}"]
    separator: "--\\n"
    extension: .txt
  - id: read_back
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.concat.uri) | trim | split('\\n') | length }}"
  - id: by_rows
    type: ${P}.Split
    from: "{{ outputs.reverse.uri }}"
    rows: 2
  - id: by_partitions
    type: ${P}.Split
    from: "{{ inputs.file }}"
    partitions: 2
  - id: by_bytes
    type: ${P}.Split
    from: "{{ inputs.file }}"
    bytes: 4
    rows: 1
  - id: delete
    type: ${P}.Delete
    uri: "{{ outputs.reverse.uri }}"
  - id: delete_again
    type: ${P}.Delete
    uri: "{{ outputs.reverse.uri }}"
`,
      "1\n2\n3\n4\n5\n",
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(out(ex, "size").outputs).toEqual({ size: 10 });
    const concat = out(ex, "concat").outputs as { uri: string };
    expect(concat.uri).toMatch(/^kestra:\/\/\/storage\/test\/lines\/executions\/.*\.txt$/);
    expect((await file(t, ex.id, concat.uri)).text).toBe("1\n2\n3\n4\n5\n--\n5\n4\n3\n2\n1\n");
    expect(out(ex, "read_back").outputs).toEqual({ value: "11" });

    const texts = async (task: string) =>
      Promise.all(
        ((out(ex, task).outputs as { uris: string[] }).uris ?? []).map(async (u) => (await file(t, ex.id, u)).text),
      );
    expect(await texts("by_rows")).toEqual(["5\n4\n", "3\n2\n", "1\n"]);
    expect(await texts("by_partitions")).toEqual(["1\n3\n5\n", "2\n4\n"]);
    // bytes wins over rows, as in Kestra; a file is closed once it holds at least 4 bytes.
    expect(await texts("by_bytes")).toEqual(["1\n2\n", "3\n4\n", "5\n"]);

    const reversed = (out(ex, "reverse").outputs as { uri: string }).uri;
    expect(out(ex, "delete").outputs).toEqual({ uri: reversed, deleted: true });
    expect(out(ex, "delete_again").outputs).toEqual({ uri: reversed, deleted: false });
    expect((await file(t, ex.id, reversed)).status).toBe(404);
  });

  it("fails Delete with errorOnMissing, and a Concat over the storage limit with the limit in its message", async () => {
    const t = await createTenant();
    const big = `${"x".repeat(700 * 1024)}\n`;
    const ex = await run(
      t,
      "limits",
      `  - id: missing
    type: ${P}.Delete
    uri: "{{ inputs.file }}.nope"
    errorOnMissing: true
    allowFailure: true
  - id: too_big
    type: ${P}.Concat
    files: ["{{ inputs.file }}", "{{ inputs.file }}"]
`,
      big,
    );
    expect(out(ex, "missing").state.current).toBe("WARNING");
    expect(out(ex, "too_big").state.current).toBe("FAILED");
    const logs = (await (await t.fetch(`logs/${ex.id}`)).json()) as { message: string }[];
    expect(logs.map((l) => l.message).join("\n")).toMatch(/Unable to find file '.*\.nope'/);
    expect(logs.map((l) => l.message).join("\n")).toMatch(/over the 1048576-byte limit/);
  });
});

describe("storage tasks on items", () => {
  const items = '{"key":"a","value":1}\n{key:"b",value:null}\n{"key":"a","value":3}\n';

  it("deduplicates on the last item per key and filters on a condition, ION or JSON lines", async () => {
    const t = await createTenant();
    const ex = await run(
      t,
      "items",
      `  - id: dedup
    type: ${P}.DeduplicateItems
    from: "{{ inputs.file }}"
    expr: "{{ key }}"
  - id: not_null
    type: ${P}.FilterItems
    from: "{{ inputs.file }}"
    filterCondition: " {{ value == null }}"
    filterType: EXCLUDE
    errorOrNullBehavior: EXCLUDE
  - id: big
    type: ${P}.FilterItems
    from: "{{ inputs.file }}"
    filterCondition: "{{ value > 2 }}"
    errorOrNullBehavior: INCLUDE
  - id: null_fails
    type: ${P}.FilterItems
    from: "{{ inputs.file }}"
    filterCondition: "{{ value }}"
    allowFailure: true
`,
      items,
    );
    const dedup = out(ex, "dedup").outputs as Record<string, unknown>;
    expect(dedup).toMatchObject({ numKeys: 2, processedItemsTotal: 3, droppedItemsTotal: 1 });
    expect((await file(t, ex.id, dedup.uri)).text).toBe('{key:"b",value:null}\n{"key":"a","value":3}\n');
    const notNull = out(ex, "not_null").outputs as Record<string, unknown>;
    expect(notNull).toMatchObject({ processedItemsTotal: 3, droppedItemsTotal: 1 });
    expect((await file(t, ex.id, notNull.uri)).text).toBe('{"key":"a","value":1}\n{"key":"a","value":3}\n');
    const big = out(ex, "big").outputs as Record<string, unknown>;
    expect((await file(t, ex.id, big.uri)).text).toBe('{key:"b",value:null}\n{"key":"a","value":3}\n');
    expect(out(ex, "null_fails").state.current).toBe("WARNING");
  });

  it("LocalFiles stores the inputs matching its output globs; Purge deletes every file of the execution", async () => {
    const t = await createTenant();
    const ex = await run(
      t,
      "local",
      `  - id: local
    type: ${P}.LocalFiles
    inputs:
      a.txt: "hello {{ flow.id }}"
      b.csv: "x,y"
      copy.txt: "{{ inputs.file }}"
    outputs: ["*.txt"]
  - id: read_local
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.local.uris['a.txt']) }} {{ read(outputs.local.uris['copy.txt']) }}"
  - id: purge
    type: ${P}.PurgeCurrentExecutionFiles
`,
      "from the input",
    );
    expect(ex.state.current).toBe("SUCCESS");
    const uris = (out(ex, "local").outputs as { uris: Record<string, string> }).uris;
    expect(Object.keys(uris).sort()).toEqual(["a.txt", "copy.txt"]);
    expect(out(ex, "read_local").outputs).toEqual({ value: "hello local from the input" });
    const purged = (out(ex, "purge").outputs as { uris: string[] }).uris;
    expect(purged.sort()).toEqual([String(ex.inputs?.file), uris["a.txt"], uris["copy.txt"]].sort());
    expect((await file(t, ex.id, uris["a.txt"])).status).toBe(404);
    expect((await file(t, ex.id, ex.inputs?.file)).status).toBe(404);
  });
});

describe("storage tasks and tenancy", () => {
  it("never reach another execution's files to delete, nor another tenant's files at all", async () => {
    const a = await createTenant();
    const first = await run(
      a,
      "keep",
      "  - id: noop\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
      "mine",
    );
    const uri = String(first.inputs?.file);
    const tasks = `  - id: delete_other
    type: ${P}.Delete
    uri: "${uri}"
    allowFailure: true
  - id: size_other
    type: ${P}.Size
    uri: "${uri}"
    allowFailure: true
`;
    const sameTenant = await run(a, "thief", tasks, "x");
    expect(out(sameTenant, "delete_other").state.current).toBe("WARNING");
    const b = await createTenant();
    const otherTenant = await run(b, "thief", tasks, "x");
    expect(out(otherTenant, "delete_other").state.current).toBe("WARNING");
    expect(out(otherTenant, "size_other").state.current).toBe("WARNING");
    expect((await file(a, first.id, uri)).text).toBe("mine");
  });
});
