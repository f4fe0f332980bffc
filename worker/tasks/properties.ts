// Reading a task's raw properties with the rendering Kestra applies to each kind, so that every
// task reports a missing or mistyped property the same way.
import type { LogLevel, TaskContext } from "./types";
import { TaskFailure } from "./types";

const LEVELS: readonly LogLevel[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

/** A scalar property rendered as text; undefined when absent (or null). */
export async function renderOptionalString(ctx: TaskContext, name: string): Promise<string | undefined> {
  const raw = ctx.task[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "string") return ctx.render(raw);
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  throw new TaskFailure(`Property '${name}' must be a string, got ${Array.isArray(raw) ? "a list" : typeof raw}`);
}

export async function renderString(ctx: TaskContext, name: string, fallback?: string): Promise<string> {
  const value = (await renderOptionalString(ctx, name)) ?? fallback;
  if (value === undefined) throw new TaskFailure(`Property '${name}' is required`);
  return value;
}

/** Booleans may be written as YAML booleans or as templates rendering to "true"/"false". */
export async function renderBoolean(ctx: TaskContext, name: string, fallback: boolean): Promise<boolean> {
  return readBoolean(await ctx.renderDeep(ctx.task[name]), name, fallback);
}

export function readBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  throw new TaskFailure(`Property '${name}' must be a boolean, got '${String(value)}'`);
}

export async function renderLevel(ctx: TaskContext, name = "level"): Promise<LogLevel> {
  const text = ((await renderOptionalString(ctx, name)) ?? "INFO").trim().toUpperCase();
  const level = LEVELS.find((l) => l === text);
  if (!level) throw new TaskFailure(`Property '${name}' must be one of ${LEVELS.join(", ")}, got '${text}'`);
  return level;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Text for a rendered value that should be a string: maps and lists as compact JSON, as Pebble prints them. */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
