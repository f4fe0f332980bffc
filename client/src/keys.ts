// The tenant's API keys: list (name, prefix, dates; never the key), create (the key is in this one
// answer and nowhere else), revoke (effective on the next request).
import { type Http, seg } from "./http.ts";
import type { ApiKeyInfo, NewApiKey } from "./types.ts";

export class ApiKeys {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.http.json<{ results: ApiKeyInfo[] }>("api-keys")).results;
  }

  /** The new key's `key` is shown here once; keep it, it cannot be read again. */
  create(name: string): Promise<NewApiKey> {
    return this.http.json("api-keys", { method: "POST", json: { name } });
  }

  revoke(id: string): Promise<void> {
    return this.http.empty(`api-keys/${seg(id)}`, { method: "DELETE" });
  }
}
