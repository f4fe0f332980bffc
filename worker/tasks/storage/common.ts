// What the storage.* tasks share: reading their `from`/`uri` property as an internal storage
// URI, reading a file line by line, and the items (one ION value per line) some of them filter.
import { loadIon } from "../../lazy-modules";
import { readLines } from "../foreach-item-split";
import { renderOptionalString, renderString } from "../properties";
import type { TaskContext } from "../types";
import { TaskFailure } from "../types";

/** A rendered property that must be a `kestra://` URI. */
export async function storageUri(ctx: TaskContext, name: string): Promise<string> {
  const uri = (await renderString(ctx, name)).trim();
  if (!uri.startsWith("kestra://")) {
    throw new TaskFailure(
      `Property '${name}' must be an internal storage URI (kestra://…), got '${uri.slice(0, 200)}'`,
    );
  }
  return uri;
}

/** The lines of a file (split on \n, a trailing \r dropped, as a Java readLine reads them). */
export async function* fileLines(ctx: TaskContext, uri: string): AsyncGenerator<string> {
  const { body } = await ctx.openFile(uri);
  for await (const line of readLines(body)) yield line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** `extension` with its dot, `.tmp` by default as in Kestra. */
export async function extensionOf(ctx: TaskContext): Promise<string> {
  const ext = (await renderOptionalString(ctx, "extension")) ?? ".tmp";
  return ext.startsWith(".") || ext === "" ? ext : `.${ext}`;
}

/** The `separator` property, unescaped as YAML gave it, `\n` by default. */
export async function separatorOf(ctx: TaskContext, fallback = "\n"): Promise<string> {
  return (await renderOptionalString(ctx, "separator")) ?? fallback;
}

let ion: ReturnType<typeof loadIon> | undefined;

/**
 * One line of an items file: ION text (JSON is a subset of it) → a plain value. The ION reader
 * is a separate module (worker/lazy/), loaded by the first items task an isolate runs.
 */
export async function parseItem(line: string): Promise<unknown> {
  ion ??= loadIon();
  const value = (await ion).load(line);
  return value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** The variables an item adds when an expression is rendered for it: a map's fields. */
export function itemVariables(item: unknown): Record<string, unknown> {
  return typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
}
