// Owns Pebble/Kestra functions: now, fromJson, yaml, currentEachOutput, secret, kv, read, fileURI,
// fileSize, render, renderOnce, errorLogs, uuid, id, randomInt, range, max, min,
// printContext/fetchContext.
import { parse as parseYaml } from "yaml";
import { type Args, arg, argString, type Env, type FunctionFn, getAttr, lookup } from "./env";
import { RenderError } from "./errors";
import { formatDate, toInstant } from "./filters/dates";
import { compare, isDict, toNumber, toText } from "./values";

function required<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new RenderError(`${what} is not available in this context`);
  return v;
}

export function fromJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new RenderError(`Invalid JSON given to fromJson: \`${v.slice(0, 100)}\``);
  }
}

export function fromYaml(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  try {
    return parseYaml(toText(v)) as unknown;
  } catch (e) {
    throw new RenderError(`Invalid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function optional(name: string, env: Env): unknown {
  try {
    return lookup(name, env);
  } catch {
    return undefined;
  }
}

/** Walks the outputs tree by the values of the enclosing loops, outermost first, then our own. */
function currentEachOutput(args: Args, env: Env): unknown {
  let out = arg(args, 0, "outputs");
  const parents = optional("parents", env);
  const path: unknown[] = [];
  if (Array.isArray(parents)) {
    for (const p of [...parents].reverse()) {
      const tr = isDict(p) ? p.taskrun : undefined;
      if (isDict(tr) && tr.value !== undefined && tr.value !== null) path.push(tr.value);
    }
  }
  const taskrun = optional("taskrun", env);
  if (isDict(taskrun) && taskrun.value !== undefined && taskrun.value !== null) path.push(taskrun.value);
  for (const key of path) out = getAttr(out, key, toText(key));
  return out;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Kestra-style short id: 22 base62 characters of a random 128-bit value. */
function shortId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = "";
  for (let i = 0; i < 22; i++) {
    s = BASE62.charAt(Number(n % 62n)) + s;
    n /= 62n;
  }
  return s;
}

function rangeOf(args: Args, env: Env): number[] {
  const start = toNumber(arg(args, 0, "start"), "range");
  const end = toNumber(arg(args, 1, "end"), "range");
  const step = toNumber(arg(args, 2, "increment") ?? 1, "range");
  if (step === 0) throw new RenderError("range: the increment cannot be 0");
  const n = Math.max(0, Math.floor((end - start) / step) + 1);
  env.budget.size(n);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

function extreme(args: Args, sign: number): unknown {
  const values = args.pos.length === 1 && Array.isArray(args.pos[0]) ? (args.pos[0] as unknown[]) : args.pos;
  let best: unknown = null;
  for (const v of values) if (best === null || compare(v, best) * sign > 0) best = v;
  return best;
}

async function renderFn(args: Args, env: Env, recursiveDefault: boolean): Promise<unknown> {
  const v = arg(args, 0, "toRender");
  if (typeof v !== "string") return v ?? null;
  const recursive = arg(args, 1, "recursive");
  return env.renderNested(v, recursive === undefined ? recursiveDefault : recursive === true);
}

export const FUNCTIONS: Record<string, FunctionFn> = {
  now: (args, env) => {
    const now = env.services.now?.() ?? new Date();
    return formatDate(
      toInstant(now.toISOString(), undefined),
      argString(args, 0, "format"),
      argString(args, 1, "timeZone"),
    );
  },
  fromJson: (args) => fromJson(arg(args, 0, "json")),
  json: (args) => fromJson(arg(args, 0, "json")),
  yaml: (args) => fromYaml(arg(args, 0, "yaml")),
  currentEachOutput,
  secret: (args, env) => required(env.services.secret, "secret()")(toText(arg(args, 0, "key"))),
  kv: (args, env) => {
    const flow = optional("flow", env);
    const namespace = argString(args, 1, "namespace") ?? (isDict(flow) ? toText(flow.namespace) : "");
    const errorOnMissing = arg(args, 2, "errorOnMissing") === true;
    return required(env.services.kv, "kv()")(namespace, toText(arg(args, 0, "key")), errorOnMissing);
  },
  read: (args, env) => required(env.services.read, "read()")(toText(arg(args, 0, "path"))),
  fileURI: (args, env) => required(env.services.fileURI, "fileURI()")(toText(arg(args, 0, "path"))),
  fileSize: (args, env) => required(env.services.fileSize, "fileSize()")(toText(arg(args, 0, "path"))),
  render: (args, env) => renderFn(args, env, true),
  renderOnce: (args, env) => renderFn(args, env, false),
  errorLogs: (_args, env) => env.services.errorLogs?.() ?? [],
  uuid: () => crypto.randomUUID(),
  id: () => shortId(),
  randomInt: (args) => {
    const lower = Math.ceil(toNumber(arg(args, 0, "lower"), "randomInt"));
    const upper = Math.floor(toNumber(arg(args, 1, "upper"), "randomInt"));
    if (upper <= lower) throw new RenderError("randomInt: upper must be greater than lower");
    return lower + Math.floor(Math.random() * (upper - lower));
  },
  range: rangeOf,
  max: (args) => extreme(args, 1),
  min: (args) => extreme(args, -1),
  printContext: (_args, env) => toText(env.vars),
  fetchContext: (_args, env) => env.vars,
};
