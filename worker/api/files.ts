// Internal storage downloads under /api/v1/{tenant}/executions/{id}/file: the file itself, its
// metadata and a text preview. A path is served only when the execution exists in this tenant and
// the path is under its storage prefix (or its parent's, for a subflow); anything else is a
// 404, so the API never confirms that another execution's or tenant's file exists.
import { Hono } from "hono";
import { badRequest, notFound, TooLarge } from "../errors";
import { executionStub } from "../execution/object";
import { MAX_FILE_BYTES, mayRead, r2Key } from "../storage/files";
import type { AppEnv } from "./context";

/** A preview reads at most this many bytes of the file and shows at most MAX_PREVIEW_ROWS lines. */
export const MAX_PREVIEW_BYTES = 256 * 1024;
const DEFAULT_PREVIEW_ROWS = 100;
const MAX_PREVIEW_ROWS = 5_000;

/** The clear error for a file over the storage limit; FILE inputs and task files should call it before storing. */
export function checkFileSize(size: number, name: string, max = MAX_FILE_BYTES): void {
  if (size > max) {
    throw new TooLarge(`File '${name}' is ${size} bytes, over the ${max}-byte limit of internal storage`);
  }
}

async function locate(env: Env, tenantId: string, executionId: string, path: string | undefined) {
  if (!path) throw badRequest("Query parameter 'path' is required");
  const execution = await executionStub(env, tenantId, executionId).summary();
  if (!execution || execution.deleted) throw notFound(`Execution '${executionId}' not found`);
  const missing = notFound(`File '${path}' not found in execution '${executionId}'`);
  if (!mayRead(execution, path)) throw missing;
  let key: string;
  try {
    key = r2Key(tenantId, path);
  } catch {
    throw missing;
  }
  return { key, missing, name: path.slice(path.lastIndexOf("/") + 1) || "file" };
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

function contentDisposition(name: string): string {
  return `attachment; filename="${name.replace(/["\\\r\n]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function previewRows(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_PREVIEW_ROWS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest(`maxRows must be a positive integer, got '${raw}'`);
  return Math.min(n, MAX_PREVIEW_ROWS);
}

export const filesApi = new Hono<AppEnv>()
  .get("/:executionId/file", async (c) => {
    const { key, missing, name } = await locate(
      c.env,
      c.get("tenantId"),
      c.req.param("executionId"),
      c.req.query("path"),
    );
    const object = await c.env.STORAGE.get(key);
    if (!object) throw missing;
    return new Response(object.body, {
      headers: {
        "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
        "Content-Length": String(object.size),
        "Content-Disposition": contentDisposition(name),
      },
    });
  })
  .get("/:executionId/file/metas", async (c) => {
    const { key, missing } = await locate(c.env, c.get("tenantId"), c.req.param("executionId"), c.req.query("path"));
    const head = await c.env.STORAGE.head(key);
    if (!head) throw missing;
    return c.json({ size: head.size }, 200);
  })
  .get("/:executionId/file/preview", async (c) => {
    const rows = previewRows(c.req.query("maxRows"));
    const { key, missing, name } = await locate(
      c.env,
      c.get("tenantId"),
      c.req.param("executionId"),
      c.req.query("path"),
    );
    const object = await c.env.STORAGE.get(key, { range: { offset: 0, length: MAX_PREVIEW_BYTES } });
    if (!object) throw missing;
    const bytes = new Uint8Array(await object.arrayBuffer());
    // A cut in the middle of a multi-byte character decodes to U+FFFD rather than failing.
    let text = new TextDecoder().decode(bytes);
    let truncated = object.size > bytes.byteLength;
    const lines = text.split("\n");
    if (lines.length > rows) {
      text = lines.slice(0, rows).join("\n");
      truncated = true;
    }
    return c.json({ extension: extensionOf(name), type: "TEXT" as const, content: text, truncated }, 200);
  });
