// Owns parsing Pebble expressions into the syntax tree (Pratt / precedence climbing).
import type { Arg, Node } from "./ast";
import { RenderError } from "./errors";
import { type Tok, tokenize } from "./lexer";

// Pebble's precedences, plus Kestra's `??`/`???` (120) and `in`/`not in`.
const BINARY: Record<string, number> = {
  or: 10,
  and: 15,
  is: 20,
  contains: 20,
  in: 20,
  "not in": 20,
  "==": 30,
  equals: 30,
  "!=": 30,
  "<": 30,
  ">": 30,
  "<=": 30,
  ">=": 30,
  "+": 40,
  "-": 40,
  "*": 60,
  "/": 60,
  "%": 60,
  "|": 100,
  "~": 110,
  "..": 120,
  "??": 120,
  "???": 120,
};
const UNARY_PRECEDENCE = 500;
const MAX_NESTING = 200;
const WORD_OPERATORS = new Set(["or", "and", "is", "contains", "in", "equals"]);
const LITERALS: Record<string, unknown> = { true: true, false: false, null: null, none: null };

class Parser {
  private i = 0;
  private depth = 0;
  private readonly toks: Tok[];

  constructor(private readonly src: string) {
    this.toks = tokenize(src);
  }

  private peek(offset = 0): Tok {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)] as Tok;
  }

  private next(): Tok {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === "op" && t.text === text;
  }

  fail(message: string): never {
    throw new RenderError(`${message} in the expression \`${this.src.trim()}\``);
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) this.fail(`Expected \`${text}\` but found \`${this.peek().text || "end"}\``);
    this.next();
  }

  expectName(): string {
    const t = this.next();
    if (t.kind !== "name") this.fail(`Expected a name but found \`${t.text || "end"}\``);
    return t.text;
  }

  atEnd(): boolean {
    return this.peek().kind === "end";
  }

  /** Reads a name token without consuming operators, for tag syntax like `for x in`. */
  peekName(): string | undefined {
    const t = this.peek();
    return t.kind === "name" ? t.text : undefined;
  }

  skipComma(): boolean {
    if (!this.isOp(",")) return false;
    this.next();
    return true;
  }

  finish(): void {
    if (!this.atEnd()) this.fail(`Unexpected \`${this.peek().text}\``);
  }

  private guard(): void {
    if (++this.depth > MAX_NESTING) this.fail("Expression nested too deeply");
  }

  private binaryAhead(): { op: string; width: number } | undefined {
    const t = this.peek();
    if (t.kind === "op" && t.text in BINARY) return { op: t.text, width: 1 };
    if (t.kind !== "name") return undefined;
    if (t.text === "not" && this.peek(1).kind === "name" && this.peek(1).text === "in") {
      return { op: "not in", width: 2 };
    }
    return WORD_OPERATORS.has(t.text) ? { op: t.text, width: 1 } : undefined;
  }

  expression(minPrec = 0): Node {
    this.guard();
    let left = this.unary();
    for (;;) {
      const ahead = this.binaryAhead();
      const prec = ahead ? (BINARY[ahead.op] ?? -1) : -1;
      if (!ahead || prec < minPrec) break;
      for (let w = 0; w < ahead.width; w++) this.next();
      if (ahead.op === "|") {
        left = { k: "filter", input: left, name: this.expectName(), args: this.optionalArgs() };
      } else if (ahead.op === "is") {
        const negate = this.peekName() === "not";
        if (negate) this.next();
        left = { k: "test", input: left, name: this.expectName(), args: this.optionalArgs(), negate };
      } else {
        const op = ahead.op === "equals" ? "==" : ahead.op;
        left = { k: "bin", op, l: left, r: this.expression(prec + 1) };
      }
    }
    if (minPrec === 0 && this.isOp("?")) {
      this.next();
      const a = this.expression(0);
      this.expectOp(":");
      left = { k: "tern", c: left, a, b: this.expression(0) };
    }
    this.depth--;
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if ((t.kind === "name" && t.text === "not") || (t.kind === "op" && (t.text === "-" || t.text === "+"))) {
      this.next();
      return { k: "un", op: t.text, e: this.expression(UNARY_PRECEDENCE) };
    }
    return this.postfix(this.primary());
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case "num":
        return { k: "lit", v: t.value, float: t.text.endsWith("f") };
      case "str":
        return { k: "lit", v: t.value };
      case "name":
        if (t.text in LITERALS) return { k: "lit", v: LITERALS[t.text] };
        if (this.isOp("(")) return { k: "call", name: t.text, args: this.args() };
        return { k: "var", name: t.text };
      case "op":
        return this.bracketed(t.text);
      default:
        return this.fail("Unexpected end");
    }
  }

  private bracketed(open: string): Node {
    if (open === "(") {
      const e = this.expression(0);
      this.expectOp(")");
      return e;
    }
    if (open === "[") {
      const items: Node[] = [];
      while (!this.isOp("]")) {
        items.push(this.expression(0));
        if (!this.skipComma()) break;
      }
      this.expectOp("]");
      return { k: "list", items };
    }
    if (open === "{") {
      const entries: [Node, Node][] = [];
      while (!this.isOp("}")) {
        const key = this.expression(0);
        this.expectOp(":");
        entries.push([key, this.expression(0)]);
        if (!this.skipComma()) break;
      }
      this.expectOp("}");
      return { k: "map", entries };
    }
    return this.fail(`Unexpected \`${open}\``);
  }

  private postfix(node: Node): Node {
    let cur = node;
    for (;;) {
      if (this.isOp(".")) {
        this.next();
        const t = this.next();
        if (t.kind !== "name" && t.kind !== "num") this.fail("Expected an attribute name after `.`");
        if (this.isOp("(")) this.fail(`Method calls like \`.${t.text}()\` are not supported`);
        const key = t.kind === "num" ? t.value : t.text;
        cur = { k: "get", obj: cur, key: { k: "lit", v: key }, label: String(key) };
      } else if (this.isOp("[")) {
        this.next();
        const start = this.peek().pos;
        const key = this.expression(0);
        const label = this.src.slice(start, this.peek().pos).trim();
        this.expectOp("]");
        cur = { k: "get", obj: cur, key, label: key.k === "lit" ? String(key.v) : label };
      } else {
        return cur;
      }
    }
  }

  private optionalArgs(): Arg[] {
    return this.isOp("(") ? this.args() : [];
  }

  private args(): Arg[] {
    this.expectOp("(");
    const out: Arg[] = [];
    while (!this.isOp(")")) {
      const t = this.peek();
      if (t.kind === "name" && this.isOp("=", 1)) {
        this.next();
        this.next();
        out.push({ name: t.text, value: this.expression(0) });
      } else {
        out.push({ value: this.expression(0) });
      }
      if (!this.skipComma()) break;
    }
    this.expectOp(")");
    return out;
  }
}

/** Parses a whole `{{ }}` expression. */
export function parseExpression(src: string): Node {
  const p = new Parser(src);
  const node = p.expression(0);
  p.finish();
  return node;
}

/** `{% for item in expr %}` and `{% for key, value in expr %}`. */
export function parseForHeader(src: string): { names: string[]; iterable: Node } {
  const p = new Parser(src);
  const names = [p.expectName()];
  if (p.skipComma()) names.push(p.expectName());
  if (p.expectName() !== "in") p.fail("Expected `in`");
  const iterable = p.expression(0);
  p.finish();
  return { names, iterable };
}

/** `{% set name = expr %}`. */
export function parseSet(src: string): { name: string; value: Node } {
  const eq = src.indexOf("=");
  if (eq < 0) throw new RenderError(`Expected \`name = value\` in \`{% set ${src} %}\``);
  const name = src.slice(0, eq).trim();
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new RenderError(`Invalid variable name \`${name}\` in set`);
  return { name, value: parseExpression(src.slice(eq + 1)) };
}
