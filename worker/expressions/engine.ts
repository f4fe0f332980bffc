// Owns the liquidjs set-up for Pebble: liquid tokenizes and drives rendering (text, whitespace
// control, `{% raw %}`), while every `{{ }}` output and the Pebble tags (if/for/set/filter)
// evaluate through our own Pebble expression evaluator. Also owns the parsed-template cache.
import {
  type Context,
  type Emitter,
  Liquid,
  LiquidError,
  Parser,
  type ParseStream,
  Tag,
  type TagToken,
  type Template,
  type Token,
  TokenKind,
  type TopLevelToken,
} from "liquidjs";
import type { Node } from "./ast";
import type { Env } from "./env";
import { RenderError, UndefinedError } from "./errors";
import { evaluate } from "./evaluate";
import { parseExpression, parseForHeader, parseSet } from "./parser";
import { type Dict, toBool, toList, toText } from "./values";

const ENV = Symbol("pebble-env");

function envOf(ctx: Context): Env {
  const env = (ctx.environments as unknown as Record<symbol, Env | undefined>)[ENV];
  if (!env) throw new RenderError("Pebble template rendered outside of the Pebble engine");
  return env;
}

const MAX_QUOTED = 500;

/** Evaluates one expression and names the variable and the expression when something is missing. */
export async function evaluateAt(ast: Node, env: Env, source: string, token: Token): Promise<unknown> {
  try {
    return await evaluate(ast, env);
  } catch (e) {
    if (e instanceof UndefinedError) {
      const line = token.getPosition()[0] ?? 1;
      const expression = env.template.length > MAX_QUOTED ? `${env.template.slice(0, MAX_QUOTED)}…` : env.template;
      throw new RenderError(
        `Unable to find \`${e.variable}\` used in the expression \`${expression || source}\` at line ${line}`,
      );
    }
    throw e;
  }
}

export class PebbleOutput implements Template {
  readonly ast: Node;
  readonly source: string;

  constructor(
    readonly token: Token,
    content: string,
  ) {
    this.source = content.trim();
    this.ast = parseExpression(content);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const env = envOf(ctx);
    const text = toText(yield evaluateAt(this.ast, env, this.source, this.token));
    env.budget.text(emitter.buffer.length + text.length);
    emitter.write(text);
  }
}

const COMMENT = /\{#[\s\S]*?#\}/g;

/** Literal text between tags, with Pebble `{# comments #}` removed. */
class Text implements Template {
  readonly text: string;

  constructor(
    readonly token: Token,
    content: string,
  ) {
    this.text = content.includes("{#") ? content.replace(COMMENT, "") : content;
  }

  render(_ctx: Context, emitter: Emitter): void {
    emitter.write(this.text);
  }
}

function isSimple(templates: Template[]): boolean {
  return templates.every((t) => t instanceof PebbleOutput || t instanceof Text);
}

/** Text and outputs only: written straight to the emitter, skipping liquid's per-template machinery. */
async function writeSimple(templates: Template[], env: Env, emitter: Emitter): Promise<void> {
  for (const t of templates) {
    if (t instanceof PebbleOutput) {
      const text = toText(await evaluateAt(t.ast, env, t.source, t.token));
      env.budget.text(emitter.buffer.length + text.length);
      emitter.write(text);
    } else if (t instanceof Text) {
      emitter.write(t.text);
    }
  }
}

abstract class PebbleTag extends Tag {
  private readonly simpleBodies = new WeakMap<Template[], boolean>();

  protected expr(src: string): Node {
    return parseExpression(src);
  }

  /** Renders a tag body; loop bodies made only of text and outputs take the fast path. */
  protected renderBody(templates: Template[], ctx: Context, emitter: Emitter): unknown {
    let simple = this.simpleBodies.get(templates);
    if (simple === undefined) {
      simple = isSimple(templates);
      this.simpleBodies.set(templates, simple);
    }
    if (simple) return writeSimple(templates, envOf(ctx), emitter);
    return this.liquid.renderer.renderTemplates(templates, ctx, emitter);
  }

  protected body(
    parser: Parser,
    remain: TopLevelToken[],
    end: string,
    branches: Record<string, (token: TagToken) => Template[]>,
  ): Template[] {
    const first: Template[] = [];
    let current = first;
    const stream = parser.parseStream(remain);
    for (const [name, open] of Object.entries(branches)) {
      stream.on(`tag:${name}`, (t: TagToken) => {
        current = open(t);
      });
    }
    stream
      .on(`tag:${end}`, function (this: ParseStream) {
        this.stop();
      })
      .on("template", (tpl: Template) => {
        current.push(tpl);
      })
      .on("end", () => {
        throw new RenderError(`Tag \`${this.token.getText()}\` is not closed by {% ${end} %}`);
      })
      .start();
    return first;
  }
}

class IfTag extends PebbleTag {
  private readonly branches: { cond: Node; source: string; templates: Template[] }[] = [];
  private elseTemplates: Template[] = [];

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remain, liquid);
    const templates = this.body(parser, remain, "endif", {
      elseif: (t) => {
        const branch = { cond: this.expr(t.args), source: t.args, templates: [] };
        this.branches.push(branch);
        return branch.templates;
      },
      else: () => {
        this.elseTemplates = [];
        return this.elseTemplates;
      },
    });
    this.branches.unshift({ cond: this.expr(token.args), source: token.args, templates });
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const env = envOf(ctx);
    for (const b of this.branches) {
      const v = yield evaluateAt(b.cond, env, b.source, this.token);
      if (v === null || v === undefined) {
        throw new RenderError(`null value given to if statement \`${b.source}\` and strict variables is set to true`);
      }
      if (toBool(v)) {
        yield this.renderBody(b.templates, ctx, emitter);
        return;
      }
    }
    yield this.renderBody(this.elseTemplates, ctx, emitter);
  }
}

class ForTag extends PebbleTag {
  private readonly names: string[];
  private readonly iterable: Node;
  private readonly templates: Template[];
  private elseTemplates: Template[] = [];

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remain, liquid);
    ({ names: this.names, iterable: this.iterable } = parseForHeader(token.args));
    this.templates = this.body(parser, remain, "endfor", {
      else: () => {
        this.elseTemplates = [];
        return this.elseTemplates;
      },
    });
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const env = envOf(ctx);
    const source = this.token.args;
    const items = toList(yield evaluateAt(this.iterable, env, source, this.token), "for");
    if (items.length === 0) {
      yield this.renderBody(this.elseTemplates, ctx, emitter);
      return;
    }
    const [first = "item", second] = this.names;
    const scope: Dict = {};
    env.scopes.push(scope);
    try {
      const length = items.length;
      for (let index = 0; index < length; index++) {
        env.budget.iterate();
        const item = items[index];
        if (second === undefined) {
          scope[first] = item;
        } else if (item !== null && typeof item === "object" && "key" in item && "value" in item) {
          scope[first] = item.key;
          scope[second] = item.value;
        } else {
          scope[first] = index;
          scope[second] = item;
        }
        scope.loop = { index, revindex: length - index - 1, first: index === 0, last: index === length - 1, length };
        yield this.renderBody(this.templates, ctx, emitter);
        env.budget.text(emitter.buffer.length);
      }
    } finally {
      env.scopes.pop();
    }
  }
}

class SetTag extends PebbleTag {
  private readonly variable: string;
  private readonly value: Node;

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    ({ name: this.variable, value: this.value } = parseSet(token.args));
  }

  *render(ctx: Context): Generator<unknown, void, unknown> {
    const env = envOf(ctx);
    const value = yield evaluateAt(this.value, env, this.token.args, this.token);
    const scope = env.scopes[env.scopes.length - 1] as Dict;
    scope[this.variable] = value;
  }
}

const FILTER_BODY = "__pebble_filter_body__";

/** `{% filter upper | trim %}…{% endfilter %}` applies filters to the rendered body. */
class FilterTag extends PebbleTag {
  private readonly chain: Node;
  private readonly templates: Template[];

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remain, liquid);
    this.chain = this.expr(`${FILTER_BODY} | ${token.args}`);
    this.templates = this.body(parser, remain, "endfilter", {});
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const env = envOf(ctx);
    const body = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    env.scopes.push({ [FILTER_BODY]: body });
    try {
      const text = toText(yield evaluateAt(this.chain, env, this.token.args, this.token));
      env.budget.text(emitter.buffer.length + text.length);
      emitter.write(text);
    } finally {
      env.scopes.pop();
    }
  }
}

function createLiquid(): { liquid: Liquid; parser: Parser } {
  // An explicit locale: without one liquidjs builds an Intl.DateTimeFormat to ask the default,
  // ~20 ms of a cold isolate's start. No filter of ours reads liquidjs's locale.
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    greedy: true,
    cache: false,
    locale: "en-US",
  });
  for (const name of Object.keys(liquid.tags)) {
    if (name !== "raw") delete liquid.tags[name];
  }
  liquid.registerTag("if", IfTag);
  liquid.registerTag("for", ForTag);
  liquid.registerTag("set", SetTag);
  liquid.registerTag("filter", FilterTag);
  const parser = new Parser(liquid);
  const liquidParseToken = parser.parseToken.bind(parser);
  const parseToken = (token: TopLevelToken, remain: TopLevelToken[]): Template => {
    if (token.kind === TokenKind.Output && "content" in token) return new PebbleOutput(token, token.content);
    if (token.kind === TokenKind.HTML && "getContent" in token) return new Text(token, token.getContent());
    return liquidParseToken(token, remain);
  };
  // liquid types parseToken as returning its own classes; ours honour the same Template contract.
  parser.parseToken = parseToken as Parser["parseToken"];
  return { liquid, parser };
}

const { liquid, parser } = createLiquid();

const CACHE_MAX = 2000;
const CACHE_MAX_SOURCE = 64 * 1024;
export interface Parsed {
  templates: Template[];
  /** Only text and `{{ }}` outputs: rendered directly, without liquid's tag machinery. */
  simple: boolean;
}

const cache = new Map<string, Parsed>();

/** Parses a template once; recently used templates stay cached (LRU by source text). */
export function parseTemplate(src: string): Parsed {
  const hit = cache.get(src);
  if (hit) {
    cache.delete(src);
    cache.set(src, hit);
    return hit;
  }
  const templates = parser.parse(src);
  const parsed = { templates, simple: isSimple(templates) };
  if (src.length <= CACHE_MAX_SOURCE) {
    cache.set(src, parsed);
    if (cache.size > CACHE_MAX) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
  }
  return parsed;
}

export async function renderTemplates(parsed: Parsed, env: Env): Promise<string> {
  if (parsed.simple) {
    let out = "";
    for (const t of parsed.templates) {
      if (t instanceof PebbleOutput) {
        out += toText(await evaluateAt(t.ast, env, t.source, t.token));
        env.budget.text(out.length);
      } else if (t instanceof Text) {
        out += t.text;
      }
    }
    return out;
  }
  const out: unknown = await liquid.render(parsed.templates, { [ENV]: env });
  return toText(out);
}

/** Turns whatever escaped liquid or the evaluator into our single error type. */
export function toRenderError(e: unknown): RenderError {
  let cur: unknown = e;
  for (let i = 0; i < 20; i++) {
    if (cur instanceof RenderError) {
      return cur instanceof UndefinedError ? new RenderError(cur.message) : cur;
    }
    if (LiquidError.is(cur)) {
      const errors = (cur as { errors?: unknown[] }).errors;
      if (cur.originalError) cur = cur.originalError;
      else if (Array.isArray(errors) && errors.length > 0) cur = errors[0];
      else break;
      continue;
    }
    break;
  }
  if (cur instanceof RangeError) return new RenderError(`Template too complex: ${cur.message}`);
  return new RenderError(cur instanceof Error ? cur.message : String(cur));
}
