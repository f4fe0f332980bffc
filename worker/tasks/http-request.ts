// http.Request: one HTTP call through the run's guarded fetch, shaped as Kestra shapes it
// (JSON content type by default, form data as multipart or urlencoded, `kestra://` files read
// from storage for multipart), answered as `{uri, code, headers: {name: [values]}, body}`.
import { parseDurationMs } from "./duration";
import { asText, isRecord, readBoolean, renderOptionalString, renderString } from "./properties";
import type { RunnableTask, TaskContext } from "./types";
import { TaskFailure } from "./types";

/** Kestra's default `options.maxContentLength`: responses are kept in outputs, so they stay small. */
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

async function renderedMap(ctx: TaskContext, name: string, value: unknown): Promise<Record<string, unknown>> {
  if (value === undefined || value === null) return {};
  const rendered = typeof value === "string" ? await ctx.renderTyped(value) : await ctx.renderDeep(value);
  if (!isRecord(rendered)) throw new TaskFailure(`Property '${name}' must be a map`);
  return rendered;
}

async function multipart(ctx: TaskContext, fields: Record<string, unknown>): Promise<FormData> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && value.startsWith("kestra://")) {
      form.append(key, new Blob([await ctx.readFile(value)]), value.slice(value.lastIndexOf("/") + 1));
    } else if (isRecord(value) && typeof value.name === "string" && typeof value.content === "string") {
      form.append(key, new Blob([await ctx.readFile(value.content)]), value.name);
    } else {
      form.append(key, typeof value === "string" ? value : JSON.stringify(value));
    }
  }
  return form;
}

function urlEncoded(fields: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, asText(v));
  }
  return params;
}

function authorization(options: Record<string, unknown>): string | undefined {
  const auth = isRecord(options.auth) ? options.auth : undefined;
  const user = auth?.username ?? options.basicAuthUser;
  const password = auth?.password ?? options.basicAuthPassword;
  const type = typeof auth?.type === "string" ? auth.type.toUpperCase() : user !== undefined ? "BASIC" : undefined;
  if (type === "BEARER" && auth?.token !== undefined) return `Bearer ${asText(auth.token)}`;
  if (type === "BASIC" && user !== undefined) {
    const bytes = new TextEncoder().encode(`${asText(user)}:${asText(password)}`);
    return `Basic ${btoa(String.fromCharCode(...bytes))}`;
  }
  return undefined;
}

function deadline(ctx: TaskContext, options: Record<string, unknown>): AbortSignal {
  const text = options.timeout ?? options.readTimeout;
  if (text === undefined || text === null) return ctx.signal;
  let ms: number;
  try {
    ms = parseDurationMs(asText(text)) + (options.connectTimeout ? parseDurationMs(asText(options.connectTimeout)) : 0);
  } catch (e) {
    throw new TaskFailure(`Property 'options': ${(e as Error).message}`);
  }
  return AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.max(1, Math.ceil(ms)))]);
}

async function readBody(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new TaskFailure(`Response body is larger than ${maxBytes} bytes (options.maxContentLength)`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

function headerMap(headers: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of headers) {
    if (name === "set-cookie") continue;
    out[name] = [value];
  }
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  return out;
}

export const httpRequestTask: RunnableTask = {
  async run(ctx) {
    // Kestra escapes the one character people commonly leave unescaped in a URI.
    const uri = (await renderString(ctx, "uri")).replace(/ /g, "%20");
    const method = (await renderString(ctx, "method", "GET")).trim().toUpperCase();
    const contentType = await renderString(ctx, "contentType", "application/json");
    const options = await renderedMap(ctx, "options", ctx.task.options);
    const allowFailed = readBoolean(
      options.allowFailed ?? (await ctx.renderDeep(ctx.task.allowFailed)),
      "allowFailed",
      false,
    );
    const maxBytes = typeof options.maxContentLength === "number" ? options.maxContentLength : DEFAULT_MAX_BYTES;

    const headers = new Headers();
    let body: BodyInit | undefined;
    const formData = await renderedMap(ctx, "formData", ctx.task.formData);
    if (Object.keys(formData).length > 0) {
      // The runtime writes the multipart boundary or the urlencoded type itself.
      body = contentType === "multipart/form-data" ? await multipart(ctx, formData) : urlEncoded(formData);
    } else {
      // A YAML map or list as body is sent as its JSON text, rendered element-wise.
      const raw = ctx.task.body;
      const text =
        raw !== null && typeof raw === "object"
          ? JSON.stringify(await ctx.renderDeep(raw))
          : await renderOptionalString(ctx, "body");
      if (text !== undefined) body = text;
      headers.set("content-type", contentType);
    }
    const auth = authorization(options);
    if (auth) headers.set("authorization", auth);
    for (const [name, value] of Object.entries(await renderedMap(ctx, "headers", ctx.task.headers))) {
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, asText(v));
    }

    const followRedirects = readBoolean(options.followRedirects, "options.followRedirects", true);
    let response: Response;
    try {
      response = await ctx.fetch(uri, {
        method,
        headers,
        body: method === "GET" || method === "HEAD" ? undefined : body,
        redirect: followRedirects ? "follow" : "manual",
        signal: deadline(ctx, options),
      });
    } catch (e) {
      if (e instanceof TaskFailure) throw e;
      throw new TaskFailure(`HTTP ${method} ${uri} failed: ${(e as Error).message}`);
    }
    const text = await readBody(response, maxBytes);
    if (response.status >= 400 && !allowFailed) {
      const snippet = (text ?? "").slice(0, 500);
      throw new TaskFailure(
        `HTTP ${method} ${uri} failed with response code ${response.status}${snippet ? `: ${snippet}` : ""}`,
      );
    }
    return { outputs: { uri, code: response.status, headers: headerMap(response.headers), body: text } };
  },
};
