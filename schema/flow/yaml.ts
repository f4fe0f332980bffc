// Bounded YAML reading for flow sources. Size, nesting depth, duplicated keys and alias expansion are
// checked on the token stream / document tree before any plain data is built, so a hostile source costs
// little. Also maps a violation path back to a 1-based line/column of the source.
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
} from "yaml";
import type { Violation } from "./types";

export const MAX_SOURCE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
/** yaml's own guard: (uses of an anchor) × (aliases inside it) may not exceed this. */
export const MAX_ALIAS_COUNT = 100;
/** Upper bound on plain values once aliases are expanded. */
export const MAX_NODES = 200_000;

export type PathSegment = string | number;

export interface SourceDoc {
  /** Position of the document in the stream (0-based, counting empty documents). */
  index: number;
  doc: Document.Parsed;
  lines: LineCounter;
}

export type ReadResult =
  | { ok: true; value: unknown; source: SourceDoc }
  | { ok: false; status: 413 | 422; violations: Violation[]; source?: SourceDoc };

export function byteLength(source: string): number {
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short sources skip the encoding.
  if (source.length * 3 <= MAX_SOURCE_BYTES) return source.length;
  return new TextEncoder().encode(source).length;
}

export function tooLarge(): { ok: false; status: 413; violations: Violation[] } {
  return {
    ok: false,
    status: 413,
    violations: [{ path: "", message: `Flow source is larger than ${MAX_SOURCE_BYTES} bytes` }],
  };
}

/** Deepest collection nesting of one CST token, walked with an explicit stack (no recursion). */
function cstDepth(root: CST.Token): number {
  let max = 0;
  const stack: Array<[CST.Token, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [token, depth] = stack.pop() as [CST.Token, number];
    if (token.type === "document") {
      if (token.value) stack.push([token.value, 1]);
      continue;
    }
    if (token.type !== "block-map" && token.type !== "block-seq" && token.type !== "flow-collection") continue;
    if (depth > max) max = depth;
    if (max > MAX_DEPTH) return max;
    for (const item of token.items) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return max;
}

export type ComposedDoc = SourceDoc | { index: number; violations: Violation[] };

/** Splits a source into documents; a document nested too deeply is refused before it is composed. */
export function composeDocuments(source: string): ComposedDoc[] {
  const lines = new LineCounter();
  const tokens = Array.from(new Parser(lines.addNewLine).parse(source));
  const out: ComposedDoc[] = [];
  const kept: CST.Token[] = [];
  const keptIndexes: number[] = [];
  let index = -1;
  for (const token of tokens) {
    if (token.type === "document") index++;
    if (token.type === "document" && cstDepth(token) > MAX_DEPTH) {
      const pos = lines.linePos(token.offset);
      const message = `YAML nesting is deeper than ${MAX_DEPTH} levels`;
      out.push({ index, violations: [{ path: "", message, line: pos.line, column: pos.col }] });
      continue;
    }
    if (token.type === "document") keptIndexes.push(index);
    kept.push(token);
  }
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false, strict: true });
  let n = 0;
  for (const doc of composer.compose(kept)) {
    out.push({ index: keptIndexes[n] ?? n, doc, lines });
    n++;
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Deepest nesting and value count of plain data, without recursion. */
function measure(value: unknown): { depth: number; nodes: number } {
  let depth = 0;
  let nodes = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    nodes++;
    if (nodes > MAX_NODES) break;
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > depth) depth = d + 1;
    if (depth > MAX_DEPTH) break;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return { depth, nodes };
}

/** Turns one composed document into plain data, or the violations that forbid it. */
export function readDocument(source: SourceDoc): ReadResult {
  const { doc } = source;
  if (doc.errors.length > 0) {
    const violations = doc.errors.map((err): Violation => {
      const offset = err.pos[0];
      const pos = source.lines.linePos(offset);
      const path = formatPath(pathAt(doc, offset));
      const message = err.code === "DUPLICATE_KEY" ? duplicateKeyMessage(doc, offset) : err.message;
      return { path, message, line: pos.line, column: pos.col };
    });
    return { ok: false, status: 422, violations, source };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof ReferenceError ? "YAML aliases expand too much" : `Invalid YAML: ${String(e)}`;
    return { ok: false, status: 422, violations: [{ path: "", message, line: 1, column: 1 }], source };
  }
  const size = measure(value);
  if (size.depth > MAX_DEPTH || size.nodes > MAX_NODES) {
    const message =
      size.nodes > MAX_NODES ? "YAML aliases expand too much" : `YAML nesting is deeper than ${MAX_DEPTH} levels`;
    return { ok: false, status: 422, violations: [{ path: "", message, line: 1, column: 1 }], source };
  }
  return { ok: true, value, source };
}

function duplicateKeyMessage(doc: Document.Parsed, offset: number): string {
  const path = pathAt(doc, offset);
  const key = path[path.length - 1];
  return key === undefined ? "Duplicate key" : `Duplicate key '${key}'`;
}

function keyOf(node: unknown): string | undefined {
  if (isScalar(node)) return String(node.value);
  return undefined;
}

function contains(node: unknown, offset: number): boolean {
  if (!node || typeof node !== "object" || !("range" in node)) return false;
  const range = (node as Node).range;
  return !!range && range[0] <= offset && offset <= range[2];
}

/** The path of the deepest node (or map key) covering a source offset. */
export function pathAt(doc: Document.Parsed, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = doc.contents;
  for (let guard = 0; guard <= MAX_DEPTH + 1 && node; guard++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => contains(p.key, offset) || contains(p.value, offset));
      if (!pair) break;
      const key = keyOf(pair.key);
      if (key === undefined) break;
      path.push(key);
      if (contains(pair.key, offset)) break;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => contains(item, offset));
      if (i < 0) break;
      path.push(i);
      node = node.items[i];
    } else break;
  }
  return path;
}

/** Line/column of the node at `path`, or of its nearest existing ancestor. Map entries point at their key. */
export function locate(source: SourceDoc, path: readonly PathSegment[]): { line: number; column: number } {
  const { doc } = source;
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(seg));
      if (!pair) break;
      const keyRange = (pair.key as Node | null)?.range;
      if (keyRange) offset = keyRange[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) break;
      offset = item.range[0];
      node = item;
    } else break;
  }
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** `tasks[1].tasks[0].message`; keys that are not plain identifiers are quoted: `cases["a b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
