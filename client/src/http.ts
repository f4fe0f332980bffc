// The transport every resource shares: builds tenant URLs, adds the key and the caller's headers,
// sends through the caller's fetch (the dashboard passes one with its cookie and CSRF header),
// and turns any failure into a PeregrineError.
import { PeregrineError } from "./errors.ts";

export type FetchLike = (request: Request) => Promise<Response>;

/** What `fetch` accepts as a body and as headers; spelled from `Request`'s own types because Node's type declarations have no global BodyInit or HeadersInit. */
export type RequestBody = RequestInit["body"];
export type HeaderList = RequestInit["headers"];

export interface PeregrineOptions {
  /** The server, e.g. `http://127.0.0.1:8787`; `""` sends relative URLs (a page served by Peregrine itself). */
  url: string;
  tenant: string;
  /** `pgr_…`; leave it out when `fetch` or `headers` authenticate otherwise (the dashboard's session). */
  apiKey?: string;
  /** Defaults to the global fetch. Called with a Request only. */
  fetch?: FetchLike;
  /** Sent with every request. */
  headers?: HeaderList;
}

export type QueryValue = string | number | boolean | Date | undefined | null | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

export interface CallInit {
  method?: string;
  query?: Query;
  body?: RequestBody;
  headers?: HeaderList;
  signal?: AbortSignal;
  /** A JSON body: serialized, with its content type. */
  json?: unknown;
}

export function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** `{team: "data"}` or `["team:data"]` → `["team:data"]`, the API's `labels` query form. */
export function labelList(labels: Record<string, string> | readonly string[] | undefined): string[] | undefined {
  if (!labels) return undefined;
  if (Array.isArray(labels)) return [...labels];
  return Object.entries(labels as Record<string, string>).map(([k, v]) => `${k}:${v}`);
}

export class Http {
  readonly base: string;
  readonly tenant: string;
  private readonly send: FetchLike;
  private readonly headers: Headers;

  constructor(options: PeregrineOptions) {
    if (typeof options.url !== "string") throw new TypeError("Peregrine: `url` is required");
    if (!options.tenant) throw new TypeError("Peregrine: `tenant` is required");
    this.base = options.url.replace(/\/+$/, "");
    this.tenant = options.tenant;
    // Called as a plain function: a browser's fetch throws when called as a method of another object.
    this.send = options.fetch ?? ((request) => globalThis.fetch(request));
    this.headers = new Headers(options.headers);
    if (options.apiKey) this.headers.set("Authorization", `Bearer ${options.apiKey}`);
  }

  /** `executions/x` → `{url}/api/v1/{tenant}/executions/x`; a path starting with `/` is taken from the server's root. */
  url(path: string, query?: Query): string {
    const full = path.startsWith("/") ? path : `/api/v1/${encodeURIComponent(this.tenant)}/${path}`;
    return `${this.base}${full}${queryString(query)}`;
  }

  /** Sends the call and returns the response when it is a 2xx; throws a PeregrineError otherwise. */
  async call(path: string, init: CallInit = {}): Promise<Response> {
    const method = init.method ?? "GET";
    const url = this.url(path, init.query);
    const headers = new Headers(this.headers);
    for (const [k, v] of new Headers(init.headers)) headers.set(k, v);
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers.set("Content-Type", "application/json");
    }
    const described = `${method} ${url}`;
    const send = this.send;
    let response: Response;
    try {
      response = await send(new Request(url, { method, headers, body: body ?? null, signal: init.signal }));
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new PeregrineError({ status: 0, code: "network_error", message, request: described, cause });
    }
    if (!response.ok) throw await PeregrineError.fromResponse(response, described);
    return response;
  }

  async json<T>(path: string, init: CallInit = {}): Promise<T> {
    const response = await this.call(path, init);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new PeregrineError({
        status: response.status,
        code: "unexpected_response",
        message: `Expected JSON, got: ${text.slice(0, 200)}`,
        request: `${init.method ?? "GET"} ${this.url(path, init.query)}`,
        cause,
      });
    }
  }

  /** For calls that answer 204 or whose body is not needed. */
  async empty(path: string, init: CallInit = {}): Promise<void> {
    const response = await this.call(path, init);
    await response.body?.cancel();
  }
}

/** Encodes one path segment (ids, namespaces). */
export const seg = (value: string): string => encodeURIComponent(value);
