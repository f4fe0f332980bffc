// storage.Split: cuts a file into several, line by line, as Kestra does: by `bytes` (a new file
// once the current one holds at least that many), else into `partitions` files dealt round-robin
// (empty ones dropped), else by `rows`. Each line is written followed by `separator` ("\n").
// Output `uris`, in order. One of the three must be set; with several, that order decides.
import { parseDataSize } from "../foreach-item-split";
import type { RunnableTask, TaskContext } from "../types";
import { TaskFailure } from "../types";
import { fileLines, separatorOf, storageUri } from "./common";

type Mode = { by: "bytes"; bytes: number } | { by: "partitions"; partitions: number } | { by: "rows"; rows: number };

async function modeOf(ctx: TaskContext): Promise<Mode> {
  const given = async (name: string) => {
    const raw = ctx.task[name];
    return raw === undefined || raw === null ? undefined : ctx.renderDeep(raw);
  };
  const whole = (value: unknown, name: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new TaskFailure(`Property '${name}' must be a whole number ≥ 1, got '${String(value)}'`);
    return n;
  };
  const bytes = await given("bytes");
  if (bytes !== undefined) {
    try {
      return { by: "bytes", bytes: parseDataSize(bytes) };
    } catch (e) {
      throw new TaskFailure((e as Error).message);
    }
  }
  const partitions = await given("partitions");
  if (partitions !== undefined) return { by: "partitions", partitions: whole(partitions, "partitions") };
  const rows = await given("rows");
  if (rows !== undefined) return { by: "rows", rows: whole(rows, "rows") };
  throw new TaskFailure("Invalid configuration: one of 'bytes', 'partitions' or 'rows' must be set");
}

/** `.csv` for `kestra:///…/orders.csv`, `.tmp` when the source has none. */
function extensionOfUri(uri: string): string {
  const name = uri.slice(uri.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : ".tmp";
}

export const splitTask: RunnableTask = {
  async run(ctx) {
    const from = await storageUri(ctx, "from");
    const mode = await modeOf(ctx);
    const separator = await separatorOf(ctx);
    const encoder = new TextEncoder();
    const extension = extensionOfUri(from);
    const uris: string[] = [];
    const store = async (index: number, text: string) => ctx.putFile(`${ctx.task.id}-${index}${extension}`, text);

    if (mode.by === "partitions") {
      const parts: string[][] = Array.from({ length: mode.partitions }, () => []);
      let next = 0;
      for await (const line of fileLines(ctx, from)) {
        parts[next]!.push(line + separator);
        next = (next + 1) % mode.partitions;
      }
      for (const [i, part] of parts.entries()) if (part.length) uris.push(await store(i, part.join("")));
      return { outputs: { uris } };
    }

    // bytes / rows: a new file starts, before a line is written, once the current one is full.
    let current: string[] = [];
    let bytes = 0;
    const full = () => (mode.by === "bytes" ? bytes >= mode.bytes : current.length >= mode.rows);
    for await (const line of fileLines(ctx, from)) {
      if (current.length && full()) {
        uris.push(await store(uris.length, current.join("")));
        current = [];
        bytes = 0;
      }
      const row = line + separator;
      current.push(row);
      bytes += encoder.encode(row).byteLength;
    }
    if (current.length) uris.push(await store(uris.length, current.join("")));
    return { outputs: { uris } };
  },
};
