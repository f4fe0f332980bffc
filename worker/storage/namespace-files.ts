// Namespace files: files a tenant keeps per namespace (scripts, configs, data) for its flows to
// read. Their paths are validated here, once, for the API and for read()/fileURI()/fileSize().
//
// In R2 they live under `{tenant}/_files/{namespace}/…`, never under the Kestra URI's path
// (`kestra:///{ns as path}/_files/…`): that path is ambiguous (namespace `a`'s file `_files/x`
// and namespace `a._files`'s file `x` share it, and namespace `a`'s file `f/executions/…` would
// overlay the execution files of a flow `f` in `a._files`). A namespace's first segment starts
// with [a-z0-9], so `_files` cannot be the start of an execution file's key.
import { DomainError } from "../errors";

/** A namespace file path that is refused; the message and details name the `path` field. */
export class InvalidNamespacePath extends DomainError {
  override readonly name = "InvalidNamespacePath";
  readonly code = "invalid";
  constructor(why: string) {
    super(`Invalid 'path': ${why}`, { details: { field: "path" } });
  }
}

/** Longest path accepted, in UTF-8 bytes: R2 keys stop at 1,024 with the tenant and namespace in front. */
export const MAX_PATH_BYTES = 512;

/**
 * `a/b.txt`, `/a/b.txt` → `/a/b.txt`. Refused: `.` and `..` segments, empty segments (`a//b`,
 * a trailing `/`), backslashes and control characters. The root `/` (or empty) only when allowed.
 */
export function namespacePath(raw: string, opts: { root?: boolean } = {}): string {
  const trimmed = raw.startsWith("/") ? raw.slice(1) : raw;
  if (trimmed === "") {
    if (opts.root) return "/";
    throw new InvalidNamespacePath("the path is empty");
  }
  const bad = (why: string) => new InvalidNamespacePath(`invalid path '${raw.slice(0, 200)}': ${why}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\u0000-\u001f\u007f\\]/.test(trimmed)) throw bad("it contains a backslash or a control character");
  if (new TextEncoder().encode(trimmed).byteLength > MAX_PATH_BYTES) {
    throw bad(`it is longer than ${MAX_PATH_BYTES} bytes`);
  }
  for (const segment of trimmed.split("/")) {
    if (segment === "") throw bad("it has an empty segment");
    if (segment === "." || segment === "..") throw bad(`'${segment}' segments are not allowed`);
  }
  return `/${trimmed}`;
}

/** The R2 prefix of one namespace's files, ending in `/`. */
export function namespaceRoot(tenantId: string, namespace: string): string {
  return `${tenantId}/_files/${namespace}/`;
}

/** The R2 key of a validated path (`/a/b.txt`). */
export function namespaceFileKey(tenantId: string, namespace: string, path: string): string {
  return `${tenantId}/_files/${namespace}${path}`;
}

/** Kestra's URI of a namespace file: `kestra:///{namespace with / for .}/_files/{path}`. */
export function namespaceFileUri(namespace: string, path: string): string {
  return `kestra:///${namespace.replaceAll(".", "/")}/_files${path}`;
}

/**
 * What read()/fileSize() were given, seen from a flow in `namespace`: a plain path is one of its
 * namespace files; a `kestra://` URI is one when it has this namespace's `_files` prefix. Returns
 * the validated path, or undefined for any other URI (an execution file, or not readable at all).
 */
export function ownNamespaceFile(namespace: string, target: string): string | undefined {
  if (!target.startsWith("kestra:")) return namespacePath(target);
  const prefix = namespaceFileUri(namespace, "/");
  return target.startsWith(prefix) ? namespacePath(target.slice(prefix.length)) : undefined;
}
