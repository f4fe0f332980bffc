// What read(), fileSize() and a task's readFile may open for one execution, as Kestra decides it:
// a plain path is a namespace file of the flow's namespace; a `kestra://` URI is either such a
// file (the form fileURI() returns) or an execution file the execution may read (mayRead). The
// R2 key always starts with the execution's tenant, so nothing of another tenant is reachable.
import { DomainError } from "../errors";
import { mayRead, type Reader, r2Key } from "./files";
import { namespaceFileKey, ownNamespaceFile } from "./namespace-files";

/** The file exists or not, but this execution may not read it: answered as if it did not exist. */
export class NotReadable extends DomainError {
  override readonly name = "NotReadable";
  readonly code = "not_found";
}

/** The R2 key of `target` for an execution of `tenantId`; throws NotReadable when it may not read it. */
export function readableKey(tenantId: string, reader: Reader, target: string): string {
  // Execution files first: a parent's file in namespace `a._files` has a URI that also reads as
  // a file of namespace `a` (`kestra:///a/_files/…`), and a child of that parent means the former.
  if (mayRead(reader, target)) return r2Key(tenantId, target);
  const path = ownNamespaceFile(reader.namespace, target);
  if (path === undefined) throw new NotReadable(`This execution may not read ${target}`);
  return namespaceFileKey(tenantId, reader.namespace, path);
}

export async function readText(bucket: R2Bucket, tenantId: string, reader: Reader, target: string): Promise<string> {
  const object = await bucket.get(readableKey(tenantId, reader, target));
  if (!object) throw new Error(`File not found: ${target}`);
  return object.text();
}

export async function sizeOf(bucket: R2Bucket, tenantId: string, reader: Reader, target: string): Promise<number> {
  const head = await bucket.head(readableKey(tenantId, reader, target));
  if (!head) throw new Error(`File not found: ${target}`);
  return head.size;
}
