// Owns the per-render evaluation environment and the shapes of filter/function implementations.
import { type Budget, UndefinedError } from "./errors";
import { type Dict, isDict } from "./values";

/** Side-effecting capabilities the execution engine lends to a render (all optional). */
export interface RenderServices {
  /** A namespace file's path (the flow's namespace) or a readable `kestra://` URI → its text. */
  read?(pathOrUri: string): Promise<string>;
  /** The `kestra://` URI of a namespace file of the flow's namespace. */
  fileURI?(path: string): string;
  /** The size in bytes of what read() would read. */
  fileSize?(pathOrUri: string): Promise<number>;
  kv?(namespace: string, key: string, errorOnMissing: boolean): Promise<unknown>;
  secret?(key: string): Promise<string>;
  errorLogs?(): unknown[];
  now?(): Date;
}

export interface Env {
  readonly vars: Dict;
  /** Innermost last; index 0 holds top-level `{% set %}` variables. */
  readonly scopes: Dict[];
  readonly services: RenderServices;
  readonly budget: Budget;
  readonly depth: number;
  /** Source of the template being rendered; Kestra names it in "Unable to find" errors. */
  template: string;
  /** Renders a template string with the same variables one level deeper (render()/renderOnce()). */
  renderNested(src: string, recursive: boolean): Promise<string>;
}

export interface Args {
  pos: unknown[];
  named: Record<string, unknown>;
}

export type FilterFn = (input: unknown, args: Args, env: Env) => unknown;
export type FunctionFn = (args: Args, env: Env) => unknown;

/** A filter/function argument given either at a position or by name. */
export function arg(args: Args, index: number, name: string): unknown {
  if (name in args.named) return args.named[name];
  return args.pos[index];
}

export function argString(args: Args, index: number, name: string): string | undefined {
  const v = arg(args, index, name);
  return v === undefined || v === null ? undefined : String(v);
}

/** A variable's value, from the innermost scope out (loop and set variables) to the render's vars. */
export function lookup(name: string, env: Env): unknown {
  for (let i = env.scopes.length - 1; i >= 0; i--) {
    const scope = env.scopes[i] as Record<string, unknown>;
    if (Object.hasOwn(scope, name)) return scope[name];
  }
  if (Object.hasOwn(env.vars, name)) return env.vars[name] ?? null;
  throw new UndefinedError(name);
}

/** `obj[key]` or `obj.key` as an expression reads it: a missing key or index is an undefined variable. */
export function getAttr(obj: unknown, key: unknown, label: string): unknown {
  if (Array.isArray(obj)) {
    const idx = typeof key === "number" ? key : /^\d+$/.test(String(key)) ? Number(key) : Number.NaN;
    if (Number.isInteger(idx) && idx >= 0 && idx < obj.length) return obj[idx] ?? null;
    throw new UndefinedError(label);
  }
  if (isDict(obj)) {
    const k = String(key);
    if (Object.hasOwn(obj, k)) return obj[k] ?? null;
  }
  throw new UndefinedError(label);
}
