// Owns parsing jq programs (the subset the jq filter supports) into a small syntax tree.
import { RenderError } from "../errors";

export type J =
  | { t: "id" }
  | { t: "recurse" }
  | { t: "lit"; v: unknown }
  | { t: "field"; of: J; name: J; opt: boolean }
  | { t: "slice"; of: J; from?: J; to?: J }
  | { t: "iter"; of: J; opt: boolean }
  | { t: "pipe"; l: J; r: J }
  | { t: "comma"; l: J; r: J }
  | { t: "bin"; op: string; l: J; r: J }
  | { t: "neg"; e: J }
  | { t: "array"; e?: J }
  | { t: "object"; entries: [J, J][] }
  | { t: "call"; name: string; args: J[] };

const TOKEN =
  /\s*(\.\.|==|!=|<=|>=|\/\/|\?\/\/|[.|,()[\]{}:<>+\-*/%?;]|"(?:[^"\\]|\\.)*"|\d+(?:\.\d+)?|\$?[A-Za-z_][\w]*)/y;

export function lex(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) {
      if (/^\s*$/.test(src.slice(at))) break;
      throw new RenderError(`jq: cannot parse \`${src}\` near \`${src.slice(at, at + 10)}\``);
    }
    out.push(m[1] as string);
  }
  return out;
}

export class JqParser {
  private i = 0;
  constructor(
    private readonly toks: string[],
    private readonly src: string,
  ) {}
  private peek(): string | undefined {
    return this.toks[this.i];
  }
  private eat(t: string): boolean {
    if (this.peek() !== t) return false;
    this.i++;
    return true;
  }
  private expect(t: string): void {
    if (!this.eat(t)) throw new RenderError(`jq: expected \`${t}\` in \`${this.src}\``);
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  pipe(): J {
    let l = this.comma();
    while (this.eat("|")) l = { t: "pipe", l, r: this.comma() };
    return l;
  }
  private comma(): J {
    let l = this.binary(0);
    while (this.eat(",")) l = { t: "comma", l, r: this.binary(0) };
    return l;
  }
  private static readonly LEVELS = [
    ["//"],
    ["or"],
    ["and"],
    ["==", "!=", "<", "<=", ">", ">="],
    ["+", "-"],
    ["*", "/", "%"],
  ];
  private binary(level: number): J {
    const ops = JqParser.LEVELS[level];
    if (!ops) return this.postfix();
    let l = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (!op || !ops.includes(op)) return l;
      this.i++;
      l = { t: "bin", op, l, r: this.binary(level + 1) };
    }
  }
  private postfix(): J {
    let e = this.primary();
    for (;;) {
      if (this.peek() === "." && /^[A-Za-z_"]/.test(this.toks[this.i + 1] ?? "")) {
        this.i++;
        e = this.fieldOf(e);
      } else if (this.peek() === "[" || (this.peek() === "." && this.toks[this.i + 1] === "[")) {
        this.eat(".");
        e = this.bracket(e);
      } else if (this.eat("?")) {
        if (e.t === "field" || e.t === "iter") e = { ...e, opt: true };
      } else return e;
    }
  }
  private fieldOf(of: J): J {
    const name = this.toks[this.i++] as string;
    const key = name.startsWith('"') ? (JSON.parse(name) as string) : name;
    return { t: "field", of, name: { t: "lit", v: key }, opt: false };
  }
  private bracket(of: J): J {
    this.expect("[");
    if (this.eat("]")) return { t: "iter", of, opt: false };
    if (this.eat(":")) {
      const to = this.pipe();
      this.expect("]");
      return { t: "slice", of, to };
    }
    const idx = this.pipe();
    if (this.eat(":")) {
      const to = this.peek() === "]" ? undefined : this.pipe();
      this.expect("]");
      return { t: "slice", of, from: idx, to };
    }
    this.expect("]");
    return { t: "field", of, name: idx, opt: false };
  }
  private primary(): J {
    const t = this.toks[this.i++];
    if (t === undefined) throw new RenderError(`jq: unexpected end of \`${this.src}\``);
    if (t === ".") {
      const next = this.peek();
      if (next && /^[A-Za-z_"]/.test(next)) return this.fieldOf({ t: "id" });
      if (next === "[") return this.bracket({ t: "id" });
      return { t: "id" };
    }
    if (t === "..") return { t: "recurse" };
    if (t.startsWith('"')) return { t: "lit", v: JSON.parse(t) };
    if (/^\d/.test(t)) return { t: "lit", v: Number(t) };
    if (t === "-") return { t: "neg", e: this.postfix() };
    if (t === "(") {
      const e = this.pipe();
      this.expect(")");
      return e;
    }
    if (t === "[") {
      if (this.eat("]")) return { t: "array" };
      const e = this.pipe();
      this.expect("]");
      return { t: "array", e };
    }
    if (t === "{") return this.object();
    if (t === "true" || t === "false" || t === "null") return { t: "lit", v: JSON.parse(t) };
    if (/^[A-Za-z_]/.test(t)) {
      const args: J[] = [];
      if (this.eat("(")) {
        do args.push(this.pipe());
        while (this.eat(";"));
        this.expect(")");
      }
      return { t: "call", name: t, args };
    }
    throw new RenderError(`jq: unexpected \`${t}\` in \`${this.src}\``);
  }
  private object(): J {
    const entries: [J, J][] = [];
    while (!this.eat("}")) {
      const k = this.toks[this.i++] ?? "";
      let key: J;
      if (k === "(") {
        key = this.pipe();
        this.expect(")");
      } else key = { t: "lit", v: k.startsWith('"') ? JSON.parse(k) : k };
      const value: J = this.eat(":") ? this.binary(0) : { t: "field", of: { t: "id" }, name: key, opt: false };
      entries.push([key, value]);
      if (!this.eat(",")) {
        this.expect("}");
        break;
      }
    }
    return { t: "object", entries };
  }
}
