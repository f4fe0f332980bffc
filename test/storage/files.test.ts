// The execution file API: download, metas and preview of a FILE input stored in R2, refused (404)
// for paths outside the execution, for another tenant's execution and for traversal tricks.
import { describe, expect, it } from "vitest";
import { checkFileSize } from "../../worker/api/files";
import { DomainError } from "../../worker/errors";
import { MAX_FILE_BYTES } from "../../worker/storage/files";
import { bodyText } from "../helpers/body";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const flow = `id: withfile
namespace: company.team
inputs:
  - id: myfile
    type: FILE
tasks:
  - id: print
    type: io.kestra.plugin.core.log.Log
    message: "{{ read(inputs.myfile) | length }}"
`;

const CONTENT = "line 1\nline 2\nline 3\nline 4\nline 5\n";

async function runWithFile(t: TestTenant, content = CONTENT, name = "data.csv") {
  const form = new FormData();
  form.set("myfile", new File([content], name));
  const ex = await runFlow(t, "company.team", "withfile", { body: form });
  expect(ex.state.current).toBe("SUCCESS");
  const uri = String((ex.inputs as Record<string, unknown>).myfile);
  expect(uri).toMatch(/^kestra:\/\/\/company\/team\/withfile\/executions\/.+\/inputs\/myfile\/data\.csv$/);
  return { ex, uri };
}

const q = (uri: string) => encodeURIComponent(uri);

describe("execution files API", () => {
  it("downloads a FILE input, with its size in metas and a preview of its first lines", async () => {
    const t = await createTenant();
    await saveFlow(t, flow);
    const { ex, uri } = await runWithFile(t);

    const file = await t.fetch(`executions/${ex.id}/file?path=${q(uri)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Disposition")).toContain('filename="data.csv"');
    expect(await bodyText(file)).toBe(CONTENT);

    const metas = await t.fetch(`executions/${ex.id}/file/metas?path=${q(uri)}`);
    expect(await metas.json()).toEqual({ size: CONTENT.length });

    const preview = await t.fetch(`executions/${ex.id}/file/preview?path=${q(uri)}`);
    expect(await preview.json()).toEqual({ extension: "csv", type: "TEXT", content: CONTENT, truncated: false });
    const short = await t.fetch(`executions/${ex.id}/file/preview?path=${q(uri)}&maxRows=2`);
    expect(await short.json()).toMatchObject({ content: "line 1\nline 2", truncated: true });
    expect((await t.fetch(`executions/${ex.id}/file/preview?path=${q(uri)}&maxRows=0`)).status).toBe(400);
  });

  it("previews only the first bytes of a large file", async () => {
    const t = await createTenant();
    await saveFlow(t, flow);
    const big = "x".repeat(300 * 1024);
    const { ex, uri } = await runWithFile(t, big);
    const body = (await (await t.fetch(`executions/${ex.id}/file/preview?path=${q(uri)}`)).json()) as {
      content: string;
      truncated: boolean;
    };
    expect(body.truncated).toBe(true);
    expect(body.content.length).toBe(256 * 1024);
  });

  it("answers 404 for another execution's file, a missing file, traversal and a non-storage path; 400 without path", async () => {
    const t = await createTenant();
    await saveFlow(t, flow);
    const first = await runWithFile(t);
    const second = await runWithFile(t);
    const base = `executions/${first.ex.id}/file`;
    const traversal = `kestra:///company/team/withfile/executions/${first.ex.id}/../${second.ex.id}/inputs/myfile/data.csv`;
    for (const path of [
      second.uri,
      first.uri.replace("data.csv", "nothing.csv"),
      traversal,
      `https://example.com/executions/${first.ex.id}/x`,
    ]) {
      for (const route of [base, `${base}/metas`, `${base}/preview`]) {
        const res = await t.fetch(`${route}?path=${q(path)}`);
        expect(res.status, `${route} ${path}`).toBe(404);
        expect(await bodyText(res)).not.toContain("line 1");
      }
    }
    expect((await t.fetch(base)).status).toBe(400);
    expect((await t.fetch(`executions/nope/file?path=${q(first.uri)}`)).status).toBe(404);
  });

  it("never serves one tenant's file to another, by its own execution id or through the other's path", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await saveFlow(a, flow);
    await saveFlow(b, flow);
    const { ex, uri } = await runWithFile(a, "tenant A's private data\n");
    const bOwn = await runWithFile(b, "b data\n");

    const direct = await b.fetch(`executions/${ex.id}/file?path=${q(uri)}`);
    expect(direct.status).toBe(404);
    expect(await bodyText(direct)).not.toContain("private");
    // Nor through B's own execution: A's URI does not belong to it.
    const viaOwn = await b.fetch(`executions/${bOwn.ex.id}/file?path=${q(uri)}`);
    expect(viaOwn.status).toBe(404);
    expect(await bodyText(viaOwn)).not.toContain("private");
    const crossPath = await b.fetch(`/api/v1/${a.tenantId}/executions/${ex.id}/file?path=${q(uri)}`);
    expect([401, 403, 404]).toContain(crossPath.status);
    expect(await bodyText(crossPath)).not.toContain("private");
  });

  it("existing execution routes still answer under the same prefix", async () => {
    const t = await createTenant();
    await saveFlow(t, flow);
    const { ex } = await runWithFile(t);
    expect((await t.fetch(`executions/${ex.id}`)).status).toBe(200);
    expect((await t.fetch("executions/search")).status).toBe(200);
  });
});

describe("file size limit", () => {
  it("refuses a file over the internal storage limit with a 413 that names the file and the limit", () => {
    expect(() => checkFileSize(MAX_FILE_BYTES, "ok.bin")).not.toThrow();
    try {
      checkFileSize(MAX_FILE_BYTES + 1, "huge.bin");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe("payload_too_large");
      expect((e as DomainError).message).toContain("huge.bin");
      expect((e as DomainError).message).toContain(String(MAX_FILE_BYTES));
    }
  });
});
