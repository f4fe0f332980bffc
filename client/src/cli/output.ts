// How the CLI prints: tables or JSON (`--json`, `--output json`), and failures as one line with the
// API's code and the field it names, then any violations with their line and column. Colour only
// on a terminal and never with NO_COLOR.
import { PeregrineError } from "../errors.ts";
import type { Env } from "./config.ts";
import { UsageError } from "./config.ts";

export type Format = "table" | "json";

export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Env;
}

/** Exit codes: stable, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2, executionNotSuccessful: 3 } as const;

export class Printer {
  readonly format: Format;
  readonly io: Io;
  private readonly colour: boolean;

  constructor(io: Io, format: Format) {
    this.io = io;
    this.format = format;
    this.colour = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  }

  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Progress and notes: stderr, so that stdout stays the command's result. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** Prints `value` as JSON in json mode, else runs `table`. */
  result(value: unknown, table: () => void): void {
    if (this.format === "json") this.json(value);
    else table();
  }

  state(state: string): string {
    if (!this.colour) return state;
    const code = state === "SUCCESS" ? 32 : ["FAILED", "KILLED"].includes(state) ? 31 : state === "WARNING" ? 33 : 36;
    return `\u001b[${code}m${state}\u001b[0m`;
  }

  table(columns: string[], rows: string[][]): void {
    const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => visible(r[i] ?? "").length)));
    const pad = (cells: string[]) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visible(cell).length)))
        .join("  ");
    this.line(pad(columns));
    for (const row of rows) this.line(pad(row));
  }

  /** Prints a failure and returns its exit code. */
  failure(error: unknown): number {
    if (error instanceof UsageError) {
      this.io.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (!(error instanceof PeregrineError)) throw error;
    const field = fieldOf(error.details);
    if (this.format === "json") {
      const body = { status: error.status, code: error.code, message: error.message, field, details: error.details };
      this.io.stderr.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
      return EXIT.failed;
    }
    const where = [
      `code: ${error.code}`,
      field ? `field: ${field}` : "",
      error.status ? `status: ${error.status}` : "",
    ];
    this.io.stderr.write(`error: ${error.message}\n  ${where.filter(Boolean).join("  ")}\n`);
    for (const v of violations(error.details)) this.io.stderr.write(`  ${v}\n`);
    return EXIT.failed;
  }
}

const ESCAPE = String.fromCharCode(27);
/** The text without its colour codes, to measure its width. */
const visible = (text: string): string =>
  text
    .split(ESCAPE)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")))
    .join("");

/** The field an API error names: `details.field`, or the first violation's path. */
export function fieldOf(details: unknown): string | undefined {
  if (Array.isArray(details)) {
    const first: unknown = details[0];
    if (first && typeof first === "object") {
      const path = (first as { path?: unknown; input?: unknown }).path ?? (first as { input?: unknown }).input;
      return typeof path === "string" && path ? path : undefined;
    }
    return undefined;
  }
  if (details && typeof details === "object") {
    const field = (details as { field?: unknown }).field;
    return typeof field === "string" ? field : undefined;
  }
  return undefined;
}

/** `tasks[0].type: Unknown task type (line 5, column 11)` for each violation the details carry. */
function violations(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d: unknown) => {
    if (!d || typeof d !== "object") return [];
    const v = d as { path?: unknown; message?: unknown; line?: unknown; column?: unknown };
    if (typeof v.message !== "string") return [];
    const at =
      typeof v.line === "number"
        ? ` (line ${v.line}${typeof v.column === "number" ? `, column ${v.column}` : ""})`
        : "";
    return [`${typeof v.path === "string" && v.path ? `${v.path}: ` : ""}${v.message}${at}`];
  });
}
