// Owns evaluating Pebble syntax trees: variables, attributes, operators, tests, filters, calls.
import type { Arg, Node } from "./ast";
import { type Args, type Env, getAttr, lookup } from "./env";
import { RenderError, UndefinedError } from "./errors";
import { FILTERS } from "./filters";
import { FUNCTIONS } from "./functions";
import { TESTS } from "./tests";
import { compare, deepEqual, isDict, toBool, toNumber, toText, typeName } from "./values";

async function evalArgs(args: Arg[], env: Env): Promise<Args> {
  const out: Args = { pos: [], named: {} };
  for (const a of args) {
    const v = await evaluate(a.value, env);
    if (a.name === undefined) out.pos.push(v);
    else out.named[a.name] = v;
  }
  return out;
}

function isFloatLiteral(n: Node): boolean {
  return n.k === "lit" && n.float === true;
}

function arithmetic(op: string, node: { l: Node; r: Node }, l: unknown, r: unknown, env: Env): unknown {
  if (op === "+") {
    if (typeof l === "string" || typeof r === "string") {
      const s = toText(l) + toText(r);
      env.budget.built(s.length);
      return s;
    }
    if (Array.isArray(l)) {
      const out = Array.isArray(r) ? [...l, ...r] : [...l, r];
      env.budget.size(out.length);
      return out;
    }
  }
  const a = toNumber(l, `Operator ${op}`);
  const b = toNumber(r, `Operator ${op}`);
  const integral = Number.isInteger(a) && Number.isInteger(b) && !isFloatLiteral(node.l) && !isFloatLiteral(node.r);
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (integral) {
        if (b === 0) throw new RenderError("Division by zero");
        return Math.trunc(a / b);
      }
      return a / b;
    default:
      if (integral && b === 0) throw new RenderError("Division by zero");
      return a % b;
  }
}

function contains(container: unknown, item: unknown): boolean {
  if (container === null || container === undefined) return false;
  if (typeof container === "string") return container.includes(toText(item));
  if (Array.isArray(container)) {
    if (Array.isArray(item)) return item.every((x) => container.some((c) => deepEqual(c, x)));
    return container.some((c) => deepEqual(c, item));
  }
  if (isDict(container)) return Object.hasOwn(container, toText(item));
  throw new RenderError(`Operator contains: ${typeName(container)} cannot contain anything`);
}

function range(l: unknown, r: unknown, env: Env): number[] {
  const a = toNumber(l, "Range");
  const b = toNumber(r, "Range");
  const n = Math.max(0, Math.floor(b - a) + 1);
  env.budget.size(n);
  return Array.from({ length: n }, (_, i) => a + i);
}

async function binary(node: Extract<Node, { k: "bin" }>, env: Env): Promise<unknown> {
  const { op } = node;
  if (op === "??" || op === "???") {
    let left: unknown;
    try {
      left = await evaluate(node.l, env);
    } catch (e) {
      if (e instanceof UndefinedError) return evaluate(node.r, env);
      throw e;
    }
    return op === "??" && (left === null || left === undefined) ? evaluate(node.r, env) : left;
  }
  const l = await evaluate(node.l, env);
  if (op === "and") return toBool(l) ? toBool(await evaluate(node.r, env)) : false;
  if (op === "or") return toBool(l) ? true : toBool(await evaluate(node.r, env));
  const r = await evaluate(node.r, env);
  switch (op) {
    case "~": {
      const s = toText(l) + toText(r);
      env.budget.built(s.length);
      return s;
    }
    case "==":
      return deepEqual(l, r);
    case "!=":
      return !deepEqual(l, r);
    case "<":
      return compare(l, r) < 0;
    case ">":
      return compare(l, r) > 0;
    case "<=":
      return compare(l, r) <= 0;
    case ">=":
      return compare(l, r) >= 0;
    case "contains":
      return contains(l, r);
    case "in":
      return contains(r, l);
    case "not in":
      return !contains(r, l);
    case "..":
      return range(l, r, env);
    default:
      return arithmetic(op, node, l, r, env);
  }
}

async function applyFilter(node: Extract<Node, { k: "filter" }>, env: Env): Promise<unknown> {
  const fn = FILTERS[node.name];
  if (!fn) throw new RenderError(`Filter [${node.name}] does not exist`);
  let input: unknown;
  try {
    input = await evaluate(node.input, env);
  } catch (e) {
    // `default` is the one filter that tolerates an undefined input, as its name promises.
    if (!(e instanceof UndefinedError) || node.name !== "default") throw e;
    input = null;
  }
  const out = await fn(input, await evalArgs(node.args, env), env);
  if (typeof out === "string") env.budget.built(out.length);
  else if (Array.isArray(out)) env.budget.size(out.length);
  return out;
}

async function applyTest(node: Extract<Node, { k: "test" }>, env: Env): Promise<boolean> {
  const test = TESTS[node.name];
  if (!test) throw new RenderError(`Test [${node.name}] does not exist`);
  let input: unknown;
  try {
    input = await evaluate(node.input, env);
  } catch (e) {
    if (!(e instanceof UndefinedError) || node.name !== "defined") throw e;
    return node.negate;
  }
  const ok = test(input, await evalArgs(node.args, env));
  return node.negate ? !ok : ok;
}

export async function evaluate(node: Node, env: Env): Promise<unknown> {
  env.budget.step();
  switch (node.k) {
    case "lit":
      return node.v;
    case "var":
      return lookup(node.name, env);
    case "get":
      return getAttr(await evaluate(node.obj, env), await evaluate(node.key, env), node.label);
    case "list": {
      const out: unknown[] = [];
      for (const item of node.items) out.push(await evaluate(item, env));
      return out;
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) out[toText(await evaluate(k, env))] = await evaluate(v, env);
      return out;
    }
    case "un": {
      const v = await evaluate(node.e, env);
      if (node.op === "not") return !toBool(v);
      const n = toNumber(v, `Unary ${node.op}`);
      return node.op === "-" ? -n : n;
    }
    case "tern":
      return toBool(await evaluate(node.c, env)) ? evaluate(node.a, env) : evaluate(node.b, env);
    case "bin":
      return binary(node, env);
    case "filter":
      return applyFilter(node, env);
    case "test":
      return applyTest(node, env);
    case "call": {
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new RenderError(`Function [${node.name}] does not exist`);
      return fn(await evalArgs(node.args, env), env);
    }
  }
}
