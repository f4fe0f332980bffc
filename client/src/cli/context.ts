// What every command receives: the parsed command line, the SDK client, the printer, and helpers
// for the options several commands share (repeatable k=v pairs, numbers).
import type { Peregrine } from "../index.ts";
import { UsageError } from "./config.ts";
import type { Printer } from "./output.ts";

/** Every option of every command; parseArgs refuses any other. */
export const OPTIONS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  output: { type: "string", short: "o" },
  url: { type: "string" },
  tenant: { type: "string" },
  namespace: { type: "string", short: "n" },
  flow: { type: "string" },
  q: { type: "string" },
  state: { type: "string", multiple: true },
  label: { type: "string", multiple: true },
  input: { type: "string", multiple: true },
  wait: { type: "boolean" },
  follow: { type: "boolean", short: "f" },
  level: { type: "string" },
  task: { type: "string" },
  execution: { type: "string" },
  value: { type: "string" },
  iteration: { type: "string" },
  parent: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  "trigger-execution": { type: "string" },
  "task-run": { type: "string" },
  sort: { type: "string" },
  size: { type: "string" },
  page: { type: "string" },
  source: { type: "boolean" },
} as const;

export interface Options {
  help?: boolean;
  json?: boolean;
  output?: string;
  url?: string;
  tenant?: string;
  namespace?: string;
  flow?: string;
  q?: string;
  state?: string[];
  label?: string[];
  input?: string[];
  wait?: boolean;
  follow?: boolean;
  level?: string;
  task?: string;
  execution?: string;
  value?: string;
  iteration?: string;
  parent?: string;
  start?: string;
  end?: string;
  "trigger-execution"?: string;
  "task-run"?: string;
  sort?: string;
  size?: string;
  page?: string;
  source?: boolean;
}

export interface Context {
  p: Peregrine;
  out: Printer;
  options: Options;
  /** The positionals after the command's own words (`executions get <id>` → `[id]`). */
  args: string[];
  /** Reads a file given on the command line (relative to the working directory). */
  readFile(path: string): Promise<Uint8Array>;
}

export type Command = (ctx: Context) => Promise<number>;

/** The positional at `index`, or a UsageError naming it. */
export function arg(ctx: Context, index: number, name: string): string {
  const value = ctx.args[index];
  if (value === undefined || value === "") throw new UsageError(`missing <${name}>`);
  return value;
}

/** `--label a=1 --label b=2` → `{a: "1", b: "2"}` (`k:v` accepted too). */
export function pairs(list: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.search(/[=:]/);
    if (at <= 0) throw new UsageError(`--${option} expects key=value, got '${item}'`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

export function integer(raw: string | undefined, option: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${option} expects a whole number, got '${raw}'`);
  return n;
}
