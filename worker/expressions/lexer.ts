// Owns tokenizing the text of one Pebble expression (what sits inside `{{ }}` or a tag).
import { RenderError } from "./errors";

export type TokKind = "num" | "str" | "name" | "op" | "end";

export interface Tok {
  kind: TokKind;
  text: string;
  value?: unknown;
  pos: number;
}

// Longest first so `???` wins over `??` and `?`.
const OPERATORS = [
  "???",
  "??",
  "..",
  "==",
  "!=",
  "<=",
  ">=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "|",
  "?",
  ":",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ".",
  "=",
];

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0" };

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c)) {
      while (i < n && isDigit(src.charAt(i))) i++;
      let float = false;
      if (src.charAt(i) === "." && isDigit(src.charAt(i + 1))) {
        float = true;
        i++;
        while (i < n && isDigit(src.charAt(i))) i++;
      }
      const text = src.slice(start, i);
      toks.push({ kind: "num", text: float ? `${text}f` : text, value: Number(text), pos: start });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && (isIdentStart(src.charAt(i)) || isDigit(src.charAt(i)))) i++;
      toks.push({ kind: "name", text: src.slice(start, i), pos: start });
      continue;
    }
    if (c === '"' || c === "'") {
      let out = "";
      i++;
      while (i < n && src.charAt(i) !== c) {
        const ch = src.charAt(i);
        if (ch === "\\" && i + 1 < n) {
          const next = src.charAt(i + 1);
          out += ESCAPES[next] ?? next;
          i += 2;
        } else {
          out += ch;
          i++;
        }
      }
      if (i >= n) throw new RenderError(`Unclosed string literal in expression \`${src}\``);
      i++;
      toks.push({ kind: "str", text: src.slice(start, i), value: out, pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new RenderError(`Unexpected character \`${c}\` in expression \`${src}\``);
    i += op.length;
    toks.push({ kind: "op", text: op, pos: start });
  }
  toks.push({ kind: "end", text: "", pos: n });
  return toks;
}
