// What a task run may do with internal storage beyond reading text: open a file as a stream,
// delete one of its execution's files, and purge them all. Reads follow readable.ts (the
// execution's own files, its parent's as a subflow, its namespace's files); writes and deletes
// reach only the execution's own prefix. Every R2 key starts with the tenant id.

import type { Reader } from "../storage/files";
import { type ExecutionScope, executionPath, r2Key } from "../storage/files";
import { readableKey } from "../storage/readable";

export class FileNotFound extends Error {}

/** The `kestra://` prefix of the execution's own files. */
export function ownPrefix(scope: ExecutionScope): string {
  return `kestra://${executionPath(scope)}/`;
}

export async function openFile(
  bucket: R2Bucket,
  scope: ExecutionScope,
  reader: Reader,
  uri: string,
): Promise<{ body: ReadableStream<Uint8Array>; size: number }> {
  const object = await bucket.get(readableKey(scope.tenantId, reader, uri));
  if (!object) throw new FileNotFound(`File not found: ${uri}`);
  return { body: object.body, size: object.size };
}

export async function deleteOwnFile(bucket: R2Bucket, scope: ExecutionScope, uri: string): Promise<boolean> {
  if (!uri.startsWith(ownPrefix(scope))) throw new Error(`This execution may not delete ${uri}: not one of its files`);
  const key = r2Key(scope.tenantId, uri);
  if (!(await bucket.head(key))) return false;
  await bucket.delete(key);
  return true;
}

/** Deletes every object under the execution's prefix, a listing page at a time. */
export async function purgeOwnFiles(bucket: R2Bucket, scope: ExecutionScope): Promise<string[]> {
  const keyPrefix = r2Key(scope.tenantId, ownPrefix(scope));
  const uris: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: keyPrefix, cursor });
    const keys = page.objects.map((o) => o.key);
    if (keys.length) await bucket.delete(keys);
    for (const key of keys) uris.push(`kestra://${key.slice(scope.tenantId.length)}`);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return uris;
}
