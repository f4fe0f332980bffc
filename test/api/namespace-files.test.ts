// The namespace files API end to end against R2: upload (multipart `fileContent` or a raw body),
// download, list, stats and delete; paths validated with a 4xx naming the field; the size limit a
// 413; and one tenant never sees another's files.
import { describe, expect, it } from "vitest";
import { bodyText } from "../helpers/body";
import { createTenant, type TestTenant } from "../helpers/tenant";

const q = (path: string) => encodeURIComponent(path);

function upload(t: TestTenant, namespace: string, path: string, content: string, multipart = true) {
  let body: BodyInit = content;
  if (multipart) {
    const form = new FormData();
    form.set("fileContent", new File([content], "ignored-name.txt"));
    body = form;
  }
  return t.fetch(`namespaces/${namespace}/files?path=${q(path)}`, { method: "POST", body });
}

interface Entry {
  fileName: string;
  type: string;
  size: number;
  lastModifiedTime: number | null;
}

describe("namespace files API", () => {
  it("uploads by multipart or raw body, downloads the same bytes, and lists and stats them", async () => {
    const t = await createTenant();
    expect((await upload(t, "company.team", "/scripts/hello.py", "print('hi')\n")).status).toBe(200);
    expect((await upload(t, "company.team", "config.json", '{"a":1}', false)).status).toBe(200);
    expect((await upload(t, "company.team", "/scripts/sub/deep.sql", "select 1")).status).toBe(200);

    const file = await t.fetch(`namespaces/company.team/files?path=${q("/scripts/hello.py")}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(await bodyText(file)).toBe("print('hi')\n");
    const raw = await t.fetch(`namespaces/company.team/files?path=${q("/config.json")}`);
    expect(await bodyText(raw)).toBe('{"a":1}');

    const root = (await (await t.fetch("namespaces/company.team/files/directory")).json()) as Entry[];
    expect(root.map((e) => [e.fileName, e.type, e.size])).toEqual([
      ["config.json", "File", 7],
      ["scripts", "Directory", 0],
    ]);
    expect(typeof root[0]?.lastModifiedTime).toBe("number");
    const scripts = (await (
      await t.fetch(`namespaces/company.team/files/directory?path=${q("/scripts")}`)
    ).json()) as Entry[];
    expect(scripts.map((e) => [e.fileName, e.type])).toEqual([
      ["hello.py", "File"],
      ["sub", "Directory"],
    ]);

    const stats = await t.fetch(`namespaces/company.team/files/stats?path=${q("/scripts/hello.py")}`);
    expect(await stats.json()).toMatchObject({ fileName: "hello.py", type: "File", size: 12 });
    const dirStats = await t.fetch(`namespaces/company.team/files/stats?path=${q("/scripts")}`);
    expect(await dirStats.json()).toMatchObject({ fileName: "scripts", type: "Directory" });
    expect(await (await t.fetch("namespaces/company.team/files/stats")).json()).toMatchObject({ type: "Directory" });
  });

  it("overwrites a file in place, deletes a file or a whole directory, then answers 404", async () => {
    const t = await createTenant();
    await upload(t, "qa", "/a/one.txt", "first");
    await upload(t, "qa", "/a/one.txt", "second");
    await upload(t, "qa", "/a/b/two.txt", "2");
    await upload(t, "qa", "/keep.txt", "k");
    expect(await bodyText(await t.fetch(`namespaces/qa/files?path=${q("/a/one.txt")}`))).toBe("second");

    expect((await t.fetch(`namespaces/qa/files?path=${q("/a/one.txt")}`, { method: "DELETE" })).status).toBe(200);
    expect((await t.fetch(`namespaces/qa/files?path=${q("/a/one.txt")}`)).status).toBe(404);
    expect((await t.fetch(`namespaces/qa/files?path=${q("/a")}`, { method: "DELETE" })).status).toBe(200);
    expect((await t.fetch(`namespaces/qa/files?path=${q("/a/b/two.txt")}`)).status).toBe(404);
    expect((await t.fetch(`namespaces/qa/files/directory?path=${q("/a")}`)).status).toBe(404);
    expect((await t.fetch(`namespaces/qa/files/stats?path=${q("/a")}`)).status).toBe(404);
    expect((await t.fetch(`namespaces/qa/files?path=${q("/a")}`, { method: "DELETE" })).status).toBe(404);
    const root = (await (await t.fetch("namespaces/qa/files/directory")).json()) as Entry[];
    expect(root.map((e) => e.fileName)).toEqual(["keep.txt"]);
  });

  it("refuses traversal, empty segments and a missing path with a 4xx JSON error naming the field", async () => {
    const t = await createTenant();
    for (const path of ["/a/../b.txt", "../x", "/a//b.txt", "/a/./b", "/dir/", "a\\b"]) {
      for (const [method, route] of [
        ["POST", "files"],
        ["GET", "files"],
        ["DELETE", "files"],
        ["GET", "files/stats"],
      ] as const) {
        const res = await t.fetch(`namespaces/qa/${route}?path=${q(path)}`, {
          method,
          body: method === "POST" ? "x" : undefined,
        });
        expect(res.status, `${method} ${route} ${path}`).toBe(422);
        const body = (await res.json()) as { code: string; message: string; details: unknown };
        expect(body.code).toBe("invalid");
        expect(body.message).toContain("'path'");
        expect(body.details).toEqual({ field: "path" });
      }
    }
    const missing = await t.fetch("namespaces/qa/files", { method: "POST", body: "x" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ details: { field: "path" } });
    const form = new FormData();
    form.set("other", "text");
    const noPart = await t.fetch(`namespaces/qa/files?path=${q("/x.txt")}`, { method: "POST", body: form });
    expect(noPart.status).toBe(422);
    expect(await noPart.json()).toMatchObject({ details: { field: "fileContent" } });
    expect((await t.fetch(`namespaces/NOT_VALID/files?path=${q("/x.txt")}`)).status).toBe(422);
  });

  it("refuses a file where a directory is, and a file under a file, with 409", async () => {
    const t = await createTenant();
    await upload(t, "qa", "/dir/x.txt", "x");
    expect((await upload(t, "qa", "/dir", "shadow")).status).toBe(409);
    expect((await upload(t, "qa", "/dir/x.txt/y.txt", "under")).status).toBe(409);
  });

  it("answers 413 naming the limit for a file over MAX_FILE_BYTES, raw or multipart, and stores nothing", async () => {
    const t = await createTenant();
    const big = "x".repeat(1024 * 1024 + 1);
    for (const multipart of [false, true]) {
      const res = await upload(t, "qa", "/big.bin", big, multipart);
      expect(res.status).toBe(413);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe("payload_too_large");
      expect(body.message).toContain("1048576-byte limit");
      expect((await t.fetch(`namespaces/qa/files?path=${q("/big.bin")}`)).status).toBe(404);
    }
    // A stream without a length is counted as it is stored.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode("y".repeat(300 * 1024)));
        controller.close();
      },
    });
    const res = await t.fetch(`namespaces/qa/files?path=${q("/stream.bin")}`, { method: "POST", body: chunked });
    expect(res.status).toBe(413);
    expect((await t.fetch(`namespaces/qa/files?path=${q("/stream.bin")}`)).status).toBe(404);
    expect((await upload(t, "qa", "/fits.bin", "x".repeat(1024 * 1024), false)).status).toBe(200);
  });

  it("never shows one tenant's namespace files to another", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await upload(a, "shared.ns", "/private.txt", "tenant A only");
    expect((await b.fetch(`namespaces/shared.ns/files?path=${q("/private.txt")}`)).status).toBe(404);
    expect((await b.fetch(`namespaces/shared.ns/files/stats?path=${q("/private.txt")}`)).status).toBe(404);
    expect(await (await b.fetch("namespaces/shared.ns/files/directory")).json()).toEqual([]);
    expect((await b.fetch(`namespaces/shared.ns/files?path=${q("/private.txt")}`, { method: "DELETE" })).status).toBe(
      404,
    );
    const cross = await b.fetch(`/api/v1/${a.tenantId}/namespaces/shared.ns/files?path=${q("/private.txt")}`);
    expect([401, 404]).toContain(cross.status);
    expect(await bodyText(cross)).not.toContain("tenant A only");
    expect(await bodyText(await a.fetch(`namespaces/shared.ns/files?path=${q("/private.txt")}`))).toBe("tenant A only");
  });
});
