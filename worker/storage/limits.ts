// The size limit of internal storage and the one writer that enforces it for files written on
// behalf of an execution (task files, ForEachItem batches and outputs) or uploaded as namespace
// files. A write over the limit fails before anything becomes visible: R2 makes an object visible
// only when its put (or its multipart upload) completes, so the writer either completes a whole
// file or leaves no object at all.
import { DomainError } from "../errors";
import { MAX_FILE_BYTES } from "./files";

/** Multipart parts for streams of unknown length; R2 wants equal parts of at least 5 MiB. */
export const PART_BYTES = 8 * 1024 * 1024;

/** A file over the storage limit; the message names the file and the limit. */
export class FileTooLarge extends DomainError {
  override readonly name = "FileTooLarge";
  readonly code = "payload_too_large";

  constructor(
    readonly fileName: string,
    readonly limit: number,
    readonly size?: number,
  ) {
    super(
      size === undefined
        ? `File '${fileName}' is over the ${limit}-byte limit of internal storage (MAX_FILE_BYTES)`
        : `File '${fileName}' is ${size} bytes, over the ${limit}-byte limit of internal storage (MAX_FILE_BYTES)`,
    );
  }
}

/** The limit in bytes: the Worker variable MAX_FILE_BYTES when it is a positive integer, else 100 MiB. */
export function fileLimit(env: { MAX_FILE_BYTES?: string }): number {
  const n = Number(env.MAX_FILE_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_FILE_BYTES;
}

export function checkLimit(size: number, fileName: string, limit: number): void {
  if (size > limit) throw new FileTooLarge(fileName, limit, size);
}

export interface LimitedPut {
  /** Named in the error. */
  fileName: string;
  limit: number;
  contentType?: string;
  /** For tests: smaller multipart parts. */
  partBytes?: number;
}

/**
 * Stores `body` under `key` if it is within the limit; returns its size. A stream of unknown
 * length is read part by part: the first part is held, and only a stream longer than one part
 * goes to a multipart upload, which is aborted (so never visible) when the stream passes the limit.
 */
export async function putLimited(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream | ArrayBuffer | ArrayBufferView | string,
  opts: LimitedPut,
): Promise<number> {
  const httpMetadata = opts.contentType ? { contentType: opts.contentType } : undefined;
  if (typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const size = typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
    checkLimit(size, opts.fileName, opts.limit);
    await bucket.put(key, body, { httpMetadata });
    return size;
  }
  const partBytes = opts.partBytes ?? PART_BYTES;
  const parts = new PartReader(body.getReader(), partBytes);
  const first = await parts.next();
  if (!parts.done) return putMultipart(bucket, key, first, parts, opts, httpMetadata);
  checkLimit(first.byteLength, opts.fileName, opts.limit);
  await bucket.put(key, first, { httpMetadata });
  return first.byteLength;
}

async function putMultipart(
  bucket: R2Bucket,
  key: string,
  first: Uint8Array,
  parts: PartReader,
  opts: LimitedPut,
  httpMetadata: { contentType: string } | undefined,
): Promise<number> {
  const tooLarge = () => new FileTooLarge(opts.fileName, opts.limit);
  if (first.byteLength > opts.limit) {
    await parts.cancel();
    throw tooLarge();
  }
  const upload = await bucket.createMultipartUpload(key, { httpMetadata });
  try {
    const uploaded: R2UploadedPart[] = [await upload.uploadPart(1, first)];
    let size = first.byteLength;
    while (!parts.done) {
      const part = await parts.next();
      size += part.byteLength;
      if (size > opts.limit) {
        await parts.cancel();
        throw tooLarge();
      }
      if (part.byteLength) uploaded.push(await upload.uploadPart(uploaded.length + 1, part));
    }
    await upload.complete(uploaded);
    return size;
  } catch (e) {
    await upload.abort().catch(() => undefined);
    throw e;
  }
}

/** Cuts a byte stream into parts of exactly `size` bytes (the last one shorter). */
class PartReader {
  done = false;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array | ArrayBuffer | string>,
    private readonly size: number,
  ) {}

  async next(): Promise<Uint8Array> {
    while (this.pendingBytes < this.size) {
      const { done, value } = await this.reader.read();
      if (done) break;
      const chunk = bytes(value);
      this.pending.push(chunk);
      this.pendingBytes += chunk.byteLength;
    }
    const all = concat(this.pending, this.pendingBytes);
    const part = all.subarray(0, Math.min(this.size, all.byteLength));
    const rest = all.subarray(part.byteLength);
    this.pending = rest.byteLength ? [rest] : [];
    this.pendingBytes = rest.byteLength;
    // Done once the source ended and nothing is left over, which needs one more read to know.
    if (!this.pendingBytes) {
      const { done, value } = await this.reader.read();
      if (done) this.done = true;
      else {
        const chunk = bytes(value);
        this.pending = [chunk];
        this.pendingBytes = chunk.byteLength;
      }
    }
    return part;
  }

  cancel(): Promise<void> {
    this.done = true;
    return this.reader.cancel().catch(() => undefined);
  }
}

function bytes(chunk: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  return chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
