// Internal storage on R2. A `kestra://` URI names a file relative to its tenant; the R2 key always
// starts with the tenant id, so a URI from another tenant resolves to a key that tenant cannot
// reach. Files of an execution live under its own prefix.
export interface ExecutionScope {
  tenantId: string;
  namespace: string;
  flowId: string;
  executionId: string;
}

export const MAX_FILE_BYTES = 100 * 1024 * 1024;

function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200) || "file";
}

export function executionPath(scope: Pick<ExecutionScope, "namespace" | "flowId" | "executionId">): string {
  return `/${scope.namespace.replaceAll(".", "/")}/${scope.flowId}/executions/${scope.executionId}`;
}

/** `kestra:///ns/path/flow/executions/{id}/{...parts}/{name}` */
export function fileUri(scope: ExecutionScope, parts: string[], name: string): string {
  return `kestra://${executionPath(scope)}/${[...parts.map(safeSegment), safeSegment(name)].join("/")}`;
}

export function r2Key(tenantId: string, uri: string): string {
  if (!uri.startsWith("kestra:///")) throw new Error(`Not an internal storage URI: ${uri}`);
  const path = uri.slice("kestra://".length);
  if (path.split("/").some((seg) => seg === ".." || seg === ".")) throw new Error(`Invalid storage path: ${uri}`);
  return `${tenantId}${path}`;
}

/** What of an execution decides which files it may read. */
export interface Reader {
  id: string;
  namespace: string;
  flowId: string;
  trigger?: { type: string; variables?: Record<string, unknown> };
}

const STARTED_BY_PARENT = ["io.kestra.plugin.core.flow.Subflow", "io.kestra.plugin.core.flow.ForEachItem"];

/**
 * The storage prefixes an execution may read: its own, and its parent's when it was started as a
 * Subflow or a ForEachItem batch (its batch file lives there). A prefix, not an id somewhere in the
 * path, since a namespace may itself contain "executions".
 */
export function readablePrefixes(reader: Reader): string[] {
  const own = { namespace: reader.namespace, flowId: reader.flowId, executionId: reader.id };
  const prefixes = [`kestra://${executionPath(own)}/`];
  const v = reader.trigger?.variables ?? {};
  const byParent = reader.trigger && STARTED_BY_PARENT.includes(reader.trigger.type);
  if (
    byParent &&
    typeof v.executionId === "string" &&
    typeof v.namespace === "string" &&
    typeof v.flowId === "string"
  ) {
    prefixes.push(
      `kestra://${executionPath({ namespace: v.namespace, flowId: v.flowId, executionId: v.executionId })}/`,
    );
  }
  return prefixes;
}

export function mayRead(reader: Reader, uri: string): boolean {
  return readablePrefixes(reader).some((prefix) => uri.startsWith(prefix));
}

export async function putFile(
  bucket: R2Bucket,
  tenantId: string,
  uri: string,
  body: ReadableStream | ArrayBuffer | string,
): Promise<string> {
  await bucket.put(r2Key(tenantId, uri), body);
  return uri;
}
