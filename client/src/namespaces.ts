// A namespace's stores: KV entries (typed, with an optional TTL), secrets (names only: a value is
// written, never read back) and namespace files (browse, read, upload, delete).
import { type Http, seg } from "./http.ts";

export type KvType = "STRING" | "NUMBER" | "BOOLEAN" | "DATETIME" | "DATE" | "DURATION" | "JSON";

export interface KvEntry {
  key: string;
  type: KvType;
  creationDate: string;
  updateDate: string;
  expirationDate?: string;
}

export interface SecretEntry {
  key: string;
  updateDate: string;
}

export interface NamespaceFile {
  fileName: string;
  type: "File" | "Directory";
  size: number;
  lastModifiedTime: number | null;
  creationTime: number | null;
}

export class Namespaces {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  private path(namespace: string, rest: string): string {
    return `namespaces/${seg(namespace)}/${rest}`;
  }

  kvList(namespace: string): Promise<KvEntry[]> {
    return this.http.json(this.path(namespace, "kv"));
  }

  kvGet(namespace: string, key: string): Promise<{ type: KvType; value: unknown }> {
    return this.http.json(this.path(namespace, `kv/${seg(key)}`));
  }

  /**
   * Writes `text` as the value: with `type` it is converted to that type (or refused), without it
   * the type is inferred (JSON when it parses). `ttl` is an ISO duration such as `PT1H`.
   */
  kvPut(namespace: string, key: string, text: string, options: { type?: KvType; ttl?: string } = {}): Promise<void> {
    return this.http.empty(this.path(namespace, `kv/${seg(key)}`), {
      method: "PUT",
      body: text,
      headers: { "Content-Type": "text/plain" },
      query: { type: options.type, ttl: options.ttl || undefined },
    });
  }

  kvDelete(namespace: string, key: string): Promise<void> {
    return this.http.empty(this.path(namespace, `kv/${seg(key)}`), { method: "DELETE" });
  }

  async secretList(namespace: string): Promise<SecretEntry[]> {
    return (await this.http.json<{ results: SecretEntry[] }>(this.path(namespace, "secrets"))).results;
  }

  /** Adds or replaces the secret's value. */
  secretPut(namespace: string, key: string, value: string): Promise<void> {
    return this.http.empty(this.path(namespace, `secrets/${seg(key)}`), {
      method: "PUT",
      body: value,
      headers: { "Content-Type": "text/plain" },
    });
  }

  secretDelete(namespace: string, key: string): Promise<void> {
    return this.http.empty(this.path(namespace, `secrets/${seg(key)}`), { method: "DELETE" });
  }

  /** A directory's entries (`/` for the root). */
  files(namespace: string, directory = "/"): Promise<NamespaceFile[]> {
    return this.http.json(this.path(namespace, "files/directory"), { query: { path: directory } });
  }

  async fileText(namespace: string, path: string): Promise<string> {
    return (await this.http.call(this.path(namespace, "files"), { query: { path } })).text();
  }

  /** Creates or replaces the file at `path` (directories are made as needed). */
  upload(namespace: string, path: string, content: Blob | string): Promise<void> {
    const form = new FormData();
    form.append("fileContent", typeof content === "string" ? new Blob([content]) : content, path.split("/").pop());
    return this.http.empty(this.path(namespace, "files"), { method: "POST", body: form, query: { path } });
  }

  /** Deletes a file, or a directory with everything under it. */
  deleteFile(namespace: string, path: string): Promise<void> {
    return this.http.empty(this.path(namespace, "files"), { method: "DELETE", query: { path } });
  }
}
