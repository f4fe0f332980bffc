// Namespace files inside flows: read() of a plain path or of its fileURI() reads the flow's
// namespace file, fileSize() gives the bytes of a namespace or execution file, and nothing of
// another namespace or another tenant is readable. Path rules are unit-tested at the end.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import {
  InvalidNamespacePath,
  namespaceFileUri,
  namespacePath,
  ownNamespaceFile,
} from "../../worker/storage/namespace-files";
import { logsOf, runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";

async function upload(t: TestTenant, namespace: string, path: string, content: string): Promise<void> {
  const res = await t.fetch(`namespaces/${namespace}/files?path=${encodeURIComponent(path)}`, {
    method: "POST",
    body: content,
  });
  expect(res.status).toBe(200);
}

const outputsOf = (ex: ExecutionJson, taskId: string) =>
  (ex.taskRunList.find((r) => r.taskId === taskId)?.outputs as { values?: Record<string, unknown> } | undefined)
    ?.values;

async function errorOf(t: TestTenant, ex: ExecutionJson, taskId: string): Promise<string> {
  const logs = await logsOf(t, ex.id);
  return logs
    .filter((l) => l.taskId === taskId && l.level === "ERROR")
    .map((l) => l.message)
    .join("\n");
}

describe("namespace files in flows", () => {
  it("read() takes a plain path or its fileURI(); fileSize() counts bytes of namespace and execution files", async () => {
    const t = await createTenant();
    await upload(t, "company.team", "/scripts/hello.txt", "héllo\n");
    await saveFlow(
      t,
      `id: reader
namespace: company.team
inputs:
  - id: f
    type: FILE
tasks:
  - id: out
    type: ${P}.output.OutputValues
    values:
      plain: "{{ read('scripts/hello.txt') }}"
      slash: "{{ read('/scripts/hello.txt') }}"
      uri: "{{ fileURI('scripts/hello.txt') }}"
      viaUri: "{{ read(fileURI('/scripts/hello.txt')) }}"
      size: "{{ fileSize(fileURI('scripts/hello.txt')) }}"
      plainSize: "{{ fileSize('scripts/hello.txt') }}"
      inputSize: "{{ fileSize(inputs.f) }}"
`,
    );
    const form = new FormData();
    form.set("f", new File(["12345"], "data.csv"));
    const ex = await runFlow(t, "company.team", "reader", { body: form });
    expect(ex.state.current).toBe("SUCCESS");
    expect(outputsOf(ex, "out")).toEqual({
      plain: "héllo\n",
      slash: "héllo\n",
      uri: "kestra:///company/team/_files/scripts/hello.txt",
      viaUri: "héllo\n",
      size: "7",
      plainSize: "7",
      inputSize: "5",
    });
  });

  it("refuses another namespace's file by its URI, traversal, and a missing file, each failing its task", async () => {
    const t = await createTenant();
    await upload(t, "company.other", "/x.txt", "other namespace's data");
    await upload(t, "company", "/x.txt", "parent namespace's data");
    await saveFlow(
      t,
      `id: refused
namespace: company.team
tasks:
  - id: otherNs
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ read('kestra:///company/other/_files/x.txt') }}"
  - id: parentNs
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ read('kestra:///company/_files/x.txt') }}"
  - id: traversal
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ read('../other/x.txt') }}"
  - id: sizeTraversal
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ fileSize(fileURI('a/../../x.txt')) }}"
  - id: missing
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ read('nothing-here.txt') }}"
`,
    );
    const ex = await runFlow(t, "company.team", "refused");
    expect(ex.state.current).toBe("WARNING");
    for (const id of ["otherNs", "parentNs", "traversal", "sizeTraversal", "missing"]) {
      expect(ex.taskRunList.find((r) => r.taskId === id)?.state.current, id).toBe("WARNING");
    }
    expect(await errorOf(t, ex, "otherNs")).toContain("may not read kestra:///company/other/_files/x.txt");
    expect(await errorOf(t, ex, "parentNs")).toContain("may not read");
    expect(await errorOf(t, ex, "traversal")).toContain("'..' segments are not allowed");
    expect(await errorOf(t, ex, "sizeTraversal")).toContain("'..' segments are not allowed");
    expect(await errorOf(t, ex, "missing")).toContain("File not found: nothing-here.txt");
    const logs = JSON.stringify(await logsOf(t, ex.id));
    expect(logs).not.toContain("namespace's data");
  });

  it("never reads another tenant's namespace file, by path or by URI", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await upload(a, "shared", "/token.txt", "tenant-A-private-content");
    const flow = `id: steal
namespace: shared
tasks:
  - id: byPath
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ read('token.txt') }}"
  - id: byUri
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ read('kestra:///shared/_files/token.txt') }}"
  - id: size
    type: ${P}.log.Log
    allowFailure: true
    message: "{{ fileSize('token.txt') }}"
`;
    await saveFlow(b, flow);
    const ex = await runFlow(b, "shared", "steal");
    for (const id of ["byPath", "byUri", "size"]) {
      expect(ex.taskRunList.find((r) => r.taskId === id)?.state.current, id).toBe("WARNING");
      expect(await errorOf(b, ex, id)).toContain("File not found");
    }
    expect(JSON.stringify(await logsOf(b, ex.id))).not.toContain("tenant-A-private-content");
    expect(JSON.stringify(ex)).not.toContain("tenant-A-private-content");

    // The same flow in tenant A reads its own file.
    await saveFlow(a, flow);
    const own = await runFlow(a, "shared", "steal");
    expect(own.state.current).toBe("SUCCESS");
    expect((await logsOf(a, own.id)).map((l) => l.message)).toContain("tenant-A-private-content");
  });
});

describe("namespace file paths", () => {
  it("normalizes a leading slash and refuses '..', '.', empty segments, backslashes and control characters", () => {
    expect(namespacePath("a/b.txt")).toBe("/a/b.txt");
    expect(namespacePath("/a/b.txt")).toBe("/a/b.txt");
    expect(namespacePath("", { root: true })).toBe("/");
    for (const bad of ["", "/", "a/../b", "..", "./a", "a//b", "a/", "a\\b", "a\nb", "x".repeat(513)]) {
      expect(() => namespacePath(bad), JSON.stringify(bad)).toThrow(InvalidNamespacePath);
    }
  });

  it("builds Kestra's URI and recognises only the flow's own namespace in it", () => {
    expect(namespaceFileUri("a.b", "/c/d.txt")).toBe("kestra:///a/b/_files/c/d.txt");
    expect(ownNamespaceFile("a.b", "kestra:///a/b/_files/c/d.txt")).toBe("/c/d.txt");
    expect(ownNamespaceFile("a.b", "c/d.txt")).toBe("/c/d.txt");
    expect(ownNamespaceFile("a.b", "kestra:///a/_files/c/d.txt")).toBeUndefined();
    expect(ownNamespaceFile("a", "kestra:///a/b/_files/c.txt")).toBeUndefined();
    expect(ownNamespaceFile("a.b", "kestra:///a/b/flow/executions/x/y.txt")).toBeUndefined();
    expect(() => ownNamespaceFile("a.b", "kestra:///a/b/_files/../../x")).toThrow(InvalidNamespacePath);
  });
});
