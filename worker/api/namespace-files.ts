// Namespace files under /api/v1/{tenant}/namespaces/{namespace}/files, Kestra's paths and shapes:
// download, upload (multipart part `fileContent`, or the raw body), delete (a file, or a directory
// with everything under it), list a directory and stat a path. Paths are validated once here
// (worker/storage/namespace-files.ts); files are limited to MAX_FILE_BYTES (413).
//
// R2 has no directories: a directory exists while some file is under it, and it has no dates of
// its own, so a Directory entry carries `size: 0` and null times.
import { Hono } from "hono";
import { badRequest, conflict, invalid, notFound, TooLarge } from "../errors";
import { fileLimit, putLimited } from "../storage/limits";
import { namespaceFileKey, namespacePath, namespaceRoot } from "../storage/namespace-files";
import type { AppEnv } from "./context";
import { checkNamespace } from "./kv";

/** Multipart framing around the file: boundaries, part headers. Generous, since it only guards the early 413. */
const MULTIPART_SLACK = 64 * 1024;
/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

interface FileAttributes {
  fileName: string;
  type: "File" | "Directory";
  size: number;
  lastModifiedTime: number | null;
  creationTime: number | null;
  metadata: Record<string, string>;
}

function pathParam(raw: string | undefined, opts: { root?: boolean } = {}): string {
  if (raw === undefined && !opts.root) throw badRequest("Query parameter 'path' is required", { field: "path" });
  return namespacePath(raw ?? "", opts);
}

function fileOf(name: string, object: R2Object): FileAttributes {
  const time = object.uploaded.getTime();
  return { fileName: name, type: "File", size: object.size, lastModifiedTime: time, creationTime: time, metadata: {} };
}

function directoryOf(name: string): FileAttributes {
  return { fileName: name, type: "Directory", size: 0, lastModifiedTime: null, creationTime: null, metadata: {} };
}

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** Whether any file lives under `prefix` (a directory's key, ending in `/`). */
async function hasChildren(bucket: R2Bucket, prefix: string): Promise<boolean> {
  return (await bucket.list({ prefix, limit: 1 })).objects.length > 0;
}

/** Every key under `prefix`, page by page. */
async function* keysUnder(bucket: R2Bucket, prefix: string): AsyncGenerator<string[]> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    yield page.objects.map((o) => o.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

/** A file may not shadow a directory, nor sit under a path that is a file. */
async function checkPlace(bucket: R2Bucket, tenantId: string, namespace: string, path: string): Promise<void> {
  const key = namespaceFileKey(tenantId, namespace, path);
  if (await hasChildren(bucket, `${key}/`)) throw conflict(`'${path}' is a directory`, { field: "path" });
  const segments = path.split("/").slice(1, -1);
  const ancestors = segments.map((_, i) => `/${segments.slice(0, i + 1).join("/")}`);
  const heads = await Promise.all(ancestors.map((a) => bucket.head(namespaceFileKey(tenantId, namespace, a))));
  const file = ancestors.find((_, i) => heads[i]);
  if (file) throw conflict(`'${file}' is a file, so '${path}' cannot be under it`, { field: "path" });
}

/** The uploaded bytes: the multipart part `fileContent` (Kestra's form), or else the raw body. */
async function uploadBody(request: Request, limit: number): Promise<ReadableStream | ArrayBuffer> {
  const tooLarge = () => new TooLarge(`The file is over the ${limit}-byte limit of internal storage`);
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  const multipart = (request.headers.get("Content-Type") ?? "").toLowerCase().startsWith("multipart/form-data");
  if (declared > limit + (multipart ? MULTIPART_SLACK : 0)) throw tooLarge();
  if (!multipart) return request.body ?? new ArrayBuffer(0);
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw badRequest("Malformed multipart body");
  }
  const part = form.get("fileContent");
  if (!(part instanceof File))
    throw invalid("The multipart part 'fileContent' (a file) is required", { field: "fileContent" });
  return part.stream();
}

export const namespaceFilesApi = new Hono<AppEnv>()
  .get("/:namespace/files", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const path = pathParam(c.req.query("path"));
    const object = await c.env.STORAGE.get(namespaceFileKey(c.get("tenantId"), namespace, path));
    if (!object) throw notFound(`File '${path}' not found in namespace '${namespace}'`);
    return new Response(object.body, {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(object.size),
        "Cache-Control": "no-cache",
      },
    });
  })
  .post("/:namespace/files", async (c) => {
    const tenantId = c.get("tenantId");
    const namespace = checkNamespace(c.req.param("namespace"));
    const path = pathParam(c.req.query("path"));
    const limit = fileLimit(c.env);
    const body = await uploadBody(c.req.raw, limit);
    await checkPlace(c.env.STORAGE, tenantId, namespace, path);
    await putLimited(c.env.STORAGE, namespaceFileKey(tenantId, namespace, path), body, { fileName: path, limit });
    return c.body(null, 200);
  })
  .delete("/:namespace/files", async (c) => {
    const tenantId = c.get("tenantId");
    const namespace = checkNamespace(c.req.param("namespace"));
    const path = pathParam(c.req.query("path"));
    const key = namespaceFileKey(tenantId, namespace, path);
    let deleted = 0;
    if (await c.env.STORAGE.head(key)) {
      await c.env.STORAGE.delete(key);
      deleted++;
    }
    for await (const keys of keysUnder(c.env.STORAGE, `${key}/`)) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) await c.env.STORAGE.delete(keys.slice(i, i + DELETE_BATCH));
      deleted += keys.length;
    }
    if (!deleted) throw notFound(`Nothing at '${path}' in namespace '${namespace}'`);
    return c.body(null, 200);
  })
  .get("/:namespace/files/directory", async (c) => {
    const namespace = checkNamespace(c.req.param("namespace"));
    const path = pathParam(c.req.query("path"), { root: true });
    const root = namespaceRoot(c.get("tenantId"), namespace);
    const prefix = path === "/" ? root : `${root}${path.slice(1)}/`;
    const entries: FileAttributes[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.env.STORAGE.list({ prefix, delimiter: "/", cursor });
      for (const dir of page.delimitedPrefixes) entries.push(directoryOf(dir.slice(prefix.length, -1)));
      for (const object of page.objects) entries.push(fileOf(object.key.slice(prefix.length), object));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    if (!entries.length && path !== "/") throw notFound(`Directory '${path}' not found in namespace '${namespace}'`);
    entries.sort((a, b) => a.fileName.localeCompare(b.fileName));
    return c.json(entries, 200);
  })
  .get("/:namespace/files/stats", async (c) => {
    const tenantId = c.get("tenantId");
    const namespace = checkNamespace(c.req.param("namespace"));
    const path = pathParam(c.req.query("path"), { root: true });
    if (path === "/") return c.json(directoryOf(""), 200);
    const key = namespaceFileKey(tenantId, namespace, path);
    const head = await c.env.STORAGE.head(key);
    if (head) return c.json(fileOf(baseName(path), head), 200);
    if (await hasChildren(c.env.STORAGE, `${key}/`)) return c.json(directoryOf(baseName(path)), 200);
    throw notFound(`Nothing at '${path}' in namespace '${namespace}'`);
  });
