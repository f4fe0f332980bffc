// How ForEachItem cuts its items file into batches (spec §5 `batch`): by rows, by bytes or into
// N partitions, on a separator. It only reads the file as a stream and reports byte ranges, so the
// caller copies each batch without holding it (or the whole file) in memory.
//
// Choices of ours: `bytes` batches hold whole rows and never exceed the size unless one row alone
// does; `partitions` cuts at the first row end at or after each k·size/N byte (the object's size
// is known up front, so one pass suffices), giving N contiguous parts of about equal bytes — fewer
// when rows are longer than a part. A final row without a separator is a row.

export type BatchSpec =
  | { mode: "rows"; rows: number; separator: Uint8Array }
  | { mode: "bytes"; bytes: number; separator: Uint8Array }
  | { mode: "partitions"; partitions: number; separator: Uint8Array };

const COPIES_AT_ONCE = 8;

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** "10KB", "1.5MB", "512" → bytes (binary units, as Kestra's data sizes). */
export function parseDataSize(value: unknown): number {
  const text = String(value).trim().toUpperCase();
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/.exec(text);
  if (!match) throw new Error(`Invalid batch size '${String(value)}': expected a number of bytes or e.g. 10KB, 5MB`);
  const bytes = Math.floor(Number(match[1]) * (UNITS[match[2] ?? "B"] ?? 1));
  if (bytes < 1) throw new Error(`Invalid batch size '${String(value)}': it must be at least one byte`);
  return bytes;
}

function positive(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`batch.${what} must be a whole number ≥ 1, got '${String(value)}'`);
  return n;
}

/**
 * The rendered `batch` property → a spec; rows 1 when nothing is set. With several set, Kestra's
 * order decides: `bytes`, else `partitions`, else `rows` (rows defaults to 1, so it is always set).
 */
export function batchSpec(batch: unknown): BatchSpec {
  const b = (batch && typeof batch === "object" ? batch : {}) as Record<string, unknown>;
  const text = b.separator === undefined || b.separator === null ? "\n" : String(b.separator);
  if (text === "") throw new Error("batch.separator must not be empty");
  const separator = new TextEncoder().encode(text);
  if (b.bytes !== undefined && b.bytes !== null) return { mode: "bytes", bytes: parseDataSize(b.bytes), separator };
  if (b.partitions !== undefined && b.partitions !== null) {
    return { mode: "partitions", partitions: positive(b.partitions, "partitions"), separator };
  }
  return { mode: "rows", rows: b.rows === undefined || b.rows === null ? 1 : positive(b.rows, "rows"), separator };
}

/** Finds the offset just past each separator, across chunk boundaries (KMP for long separators). */
class RowEnds {
  private matched = 0;
  private readonly fallback: number[];

  constructor(private readonly sep: Uint8Array) {
    this.fallback = new Array<number>(sep.length).fill(0);
    for (let i = 1, k = 0; i < sep.length; i++) {
      while (k > 0 && sep[i] !== sep[k]) k = this.fallback[k - 1]!;
      if (sep[i] === sep[k]) k++;
      this.fallback[i] = k;
    }
  }

  /** Absolute ends of the rows completed in `chunk`, which starts at byte `base` of the file. */
  scan(chunk: Uint8Array, base: number, found: (end: number) => void): void {
    const sep = this.sep;
    if (sep.length === 1) {
      const byte = sep[0]!;
      for (let i = chunk.indexOf(byte); i !== -1; i = chunk.indexOf(byte, i + 1)) found(base + i + 1);
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      while (this.matched > 0 && sep[this.matched] !== b) this.matched = this.fallback[this.matched - 1]!;
      if (sep[this.matched] === b) this.matched++;
      if (this.matched === sep.length) {
        found(base + i + 1);
        this.matched = 0;
      }
    }
  }
}

/** Decides, row end by row end, where batches end. Offsets are absolute and exclusive. */
class Cutter {
  private start = 0;
  private rows = 0;
  private lastEnd = 0;
  private boundary = 1;

  constructor(
    private readonly spec: BatchSpec,
    private readonly size: number,
    private readonly cut: (start: number, end: number) => void,
  ) {}

  private emit(end: number): void {
    this.cut(this.start, end);
    this.start = end;
    this.rows = 0;
  }

  rowEnd(end: number): void {
    const spec = this.spec;
    switch (spec.mode) {
      case "rows":
        if (++this.rows === spec.rows) this.emit(end);
        break;
      case "bytes":
        if (end - this.start > spec.bytes && this.lastEnd > this.start) this.emit(this.lastEnd);
        if (end - this.start >= spec.bytes) this.emit(end);
        break;
      case "partitions": {
        const n = spec.partitions;
        if (this.boundary < n && end >= Math.ceil((this.boundary * this.size) / n)) {
          this.emit(end);
          while (this.boundary < n && Math.ceil((this.boundary * this.size) / n) <= end) this.boundary++;
        }
        break;
      }
    }
    this.lastEnd = end;
  }

  finish(total: number): void {
    if (total > this.lastEnd) this.rowEnd(total);
    if (total > this.start) this.emit(total);
  }
}

/**
 * Reads `stream` (a file of `size` bytes) once and calls `batch` with each batch's byte range, in
 * order, waiting for it before reading on. Returns the number of batches.
 */
export async function cutBatches(
  stream: ReadableStream<Uint8Array>,
  size: number,
  spec: BatchSpec,
  batch: (index: number, start: number, end: number) => Promise<void>,
): Promise<number> {
  const ranges: Array<[number, number]> = [];
  const cutter = new Cutter(spec, size, (start, end) => ranges.push([start, end]));
  const ends = new RowEnds(spec.separator);
  let count = 0;
  let offset = 0;
  // Only the ranges found in the current chunk are pending (at most one per row of it); a few
  // are copied at once, since each copy is a round trip to storage.
  const flush = async () => {
    const pending = ranges.splice(0).map(([start, end]) => ({ index: count++, start, end }));
    const worker = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) await batch(next.index, next.start, next.end);
    };
    await Promise.all(Array.from({ length: Math.min(COPIES_AT_ONCE, pending.length) }, worker));
  };
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      ends.scan(value, offset, (end) => cutter.rowEnd(end));
      offset += value.byteLength;
      await flush();
    }
  } finally {
    reader.releaseLock();
  }
  cutter.finish(offset);
  await flush();
  return count;
}

/** The lines of a text stream, one at a time (the splits file: one batch URI per line). */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let rest = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      for (let i = rest.indexOf("\n"); i !== -1; i = rest.indexOf("\n")) {
        yield rest.slice(0, i);
        rest = rest.slice(i + 1);
      }
    }
  } finally {
    reader.releaseLock();
  }
  rest += decoder.decode();
  if (rest) yield rest;
}
