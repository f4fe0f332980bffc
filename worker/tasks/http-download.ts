// http.Download: fetches `uri` (guarded like http.Request) and stores the response body as a file
// of the execution, streamed (never held whole) within the storage limit. Outputs `uri` (the
// kestra:// file), `code`, `length` and `headers`. A code of 400 or more fails the task, and so
// does an empty body unless `failOnEmptyResponse: false`.
import { asText, isRecord, readBoolean, renderOptionalString, renderString } from "./properties";
import type { RunnableTask, TaskContext } from "./types";
import { TaskFailure } from "./types";

async function renderedMap(ctx: TaskContext, name: string): Promise<Record<string, unknown>> {
  const raw = ctx.task[name];
  if (raw === undefined || raw === null) return {};
  const value = await ctx.renderDeep(raw);
  if (!isRecord(value)) throw new TaskFailure(`Property '${name}' must be a map`);
  return value;
}

/** The file name: Content-Disposition's, else the URL path's last segment, else `download`. */
function fileNameOf(response: Response, url: string): string {
  const disposition = response.headers.get("content-disposition") ?? "";
  const quoted = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  if (quoted) return decodeURIComponent(quoted).split(/[\\/]/).pop() || "download";
  const last = new URL(url).pathname.split("/").pop();
  return last ? decodeURIComponent(last) : "download";
}

function headerMap(headers: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of headers) {
    const values = out[name] ?? [];
    values.push(value);
    out[name] = values;
  }
  return out;
}

export const httpDownloadTask: RunnableTask = {
  async run(ctx) {
    const uri = (await renderString(ctx, "uri")).replace(/ /g, "%20");
    const method = (await renderString(ctx, "method", "GET")).trim().toUpperCase();
    const failOnEmpty = readBoolean(await ctx.renderDeep(ctx.task.failOnEmptyResponse), "failOnEmptyResponse", true);
    const headers = new Headers();
    for (const [name, value] of Object.entries(await renderedMap(ctx, "headers"))) {
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, asText(v));
    }
    const contentType = await renderOptionalString(ctx, "contentType");
    if (contentType) headers.set("content-type", contentType);
    const body = method === "GET" || method === "HEAD" ? undefined : await renderOptionalString(ctx, "body");
    let response: Response;
    try {
      response = await ctx.fetch(uri, { method, headers, body });
    } catch (e) {
      if (e instanceof TaskFailure) throw e;
      throw new TaskFailure(`HTTP ${method} ${uri} failed: ${(e as Error).message}`);
    }
    if (response.status >= 400) {
      await response.body?.cancel();
      throw new TaskFailure(`Failed to download '${uri}': response code ${response.status}`);
    }
    let length = 0;
    const counted = (response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          length += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    const file = await ctx.putFile(fileNameOf(response, uri), counted);
    if (length === 0 && failOnEmpty) {
      await ctx.deleteFile(file);
      throw new TaskFailure(`No response from server for '${uri}' (failOnEmptyResponse)`);
    }
    ctx.log("DEBUG", `File '${uri}' downloaded: ${length} bytes`);
    return { outputs: { uri: file, code: response.status, length, headers: headerMap(response.headers) } };
  },
};
