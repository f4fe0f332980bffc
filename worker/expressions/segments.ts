// Where a template's expressions are: each `{{ … }}` output and `{% … %}` tag with its offset,
// line and column, so that a failure can be pointed at (the expression console). Pure.

export interface Segment {
  kind: "output" | "tag";
  /** The segment's text, delimiters included. */
  text: string;
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
}

export interface Position {
  offset: number;
  length: number;
  line: number;
  column: number;
}

/** Line and column (1-based) of `offset` in `source`. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Every `{{ }}` and `{% %}` in order; an unclosed one runs to the end of the template. */
export function segments(source: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{", i);
    if (open < 0 || open + 1 >= source.length) break;
    const next = source[open + 1];
    if (next !== "{" && next !== "%") {
      i = open + 1;
      continue;
    }
    const close = source.indexOf(next === "{" ? "}}" : "%}", open + 2);
    const end = close < 0 ? source.length : close + 2;
    out.push({
      kind: next === "{" ? "output" : "tag",
      text: source.slice(open, end),
      offset: open,
      ...lineColumn(source, open),
    });
    i = end;
  }
  return out;
}

/** A segment's span; narrowed to one character when the error names it (`Unexpected character \`x\``). */
export function positionOf(source: string, segment: Segment, error: string): Position {
  const named = /Unexpected character `(.)`/.exec(error)?.[1];
  const at = named === undefined ? -1 : segment.text.indexOf(named, 2);
  if (at >= 0) {
    const offset = segment.offset + at;
    return { offset, length: 1, ...lineColumn(source, offset) };
  }
  return { offset: segment.offset, length: segment.text.length, line: segment.line, column: segment.column };
}
