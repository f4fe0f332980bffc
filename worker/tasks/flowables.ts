// Evaluates what a flowable task (or any task with `runIf`) needs before the engine may schedule
// it: runIf, ForEach values, the Switch case, the If side. Rendering is async and may read files
// or secrets, so it happens here, in the Durable Object, and the pure engine receives the result.
import type { Task } from "../../schema/flow/types";
import { flowableKind } from "../engine/flow-index";
import { loopLimitProperty } from "../engine/flowable-types";
import type { PauseBehavior, Resolution } from "../engine/types";
import { isTruthy } from "../expressions";
import type { SecretMasker } from "../secrets/masker";
import { parseDurationMs } from "./duration";

export interface Renderer {
  render(template: string): Promise<string>;
  renderDeep(value: unknown): Promise<unknown>;
}

export async function resolveTask(task: Task, r: Renderer): Promise<Resolution> {
  try {
    if (task.runIf !== undefined && !isTruthy(await r.render(String(task.runIf)))) return { ok: true, skip: true };
    switch (flowableKind(task.type)) {
      case "foreach": {
        const property = loopLimitProperty(task.type);
        const limit = property ? await templatedLimit(task[property], r) : undefined;
        return { ok: true, values: await loopValues(task, r), limit };
      }
      case "switch":
        return await switchCase(task, r);
      case "if": {
        const truthy = isTruthy(await r.render(String(task.condition ?? "")));
        // Kestra's `evaluationResult` output must not be visible to the If's own children (the
        // loop_parents example lists the If in `parents` without outputs), and the engine applies
        // resolution outputs at once; it stays unset until the engine can apply it at the end.
        return {
          ok: true,
          branch: truthy ? "then" : task.else?.length ? "else" : "none",
          endOutputs: { evaluationResult: truthy },
        };
      }
      case "pause":
        return { ok: true, pause: await pauseOf(task, r) };
      case "parallel":
      case "dag":
        return { ok: true, limit: await templatedLimit(task.concurrent, r) };
      case "loop":
        return { ok: true, outputs: { iterationCount: 1 }, loop: await checkFrequencyOf(task, r) };
      case "sequential":
      case undefined:
        return { ok: true };
    }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The resolution as it may leave the run, like a runnable task's result: every value the masker
 * knows (secret(), SECRET inputs) masked in the loop values, the outputs and the error. Masked loop
 * values stay distinct iterations (the engine counts them by index), each with the value `******`.
 */
export function maskResolution(resolution: Resolution, masker: SecretMasker): Resolution {
  if (masker.empty) return resolution;
  if (!resolution.ok) return { ok: false, error: masker.mask(resolution.error) };
  const masked: Resolution = { ...resolution };
  if (resolution.values) masked.values = resolution.values.map((v) => masker.mask(v));
  if (resolution.outputs) masked.outputs = masker.maskDeep(resolution.outputs);
  if (resolution.endOutputs) masked.endOutputs = masker.maskDeep(resolution.endOutputs);
  return masked;
}

/**
 * Pause: `pauseDuration` (0.21's `delay`) elapses into `behavior` (RESUME by default); a
 * `timeout` alone fails the task when it elapses, as in 0.21. Neither: wait for a resume.
 */
async function pauseOf(task: Task, r: Renderer): Promise<{ afterMs?: number; behavior: PauseBehavior }> {
  const declared = typeof task.behavior === "string" ? (task.behavior.toUpperCase() as PauseBehavior) : undefined;
  const duration = task.pauseDuration ?? task.delay;
  if (duration !== undefined) {
    return { afterMs: parseDurationMs(await r.render(String(duration))), behavior: declared ?? "RESUME" };
  }
  if (task.timeout !== undefined) {
    return { afterMs: parseDurationMs(await r.render(String(task.timeout))), behavior: declared ?? "FAIL" };
  }
  return { behavior: declared ?? "RESUME" };
}

/** LoopUntil/WaitFor's checkFrequency, with Kestra 0.21's defaults (100 iterations, PT1H, PT1S). */
async function checkFrequencyOf(
  task: Task,
  r: Renderer,
): Promise<NonNullable<Extract<Resolution, { ok: true }>["loop"]>> {
  const check = (task.checkFrequency ?? {}) as { interval?: unknown; maxIterations?: unknown; maxDuration?: unknown };
  const ms = async (v: unknown, fallback: number) =>
    v === undefined ? fallback : parseDurationMs(await r.render(String(v)));
  const maxIterations = check.maxIterations === undefined ? 100 : Number(await r.render(String(check.maxIterations)));
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new Error(`checkFrequency.maxIterations must be a whole number ≥ 1, got '${String(check.maxIterations)}'`);
  }
  const failOnMaxReached =
    task.failOnMaxReached === undefined ? false : isTruthy(await r.render(String(task.failOnMaxReached)));
  return {
    intervalMs: await ms(check.interval, 1_000),
    maxIterations,
    maxMs: await ms(check.maxDuration, 3_600_000),
    failOnMaxReached,
  };
}

/** A concurrency property given as a template, rendered to a count; plain numbers are read by the engine. */
async function templatedLimit(value: unknown, r: Renderer): Promise<number | undefined> {
  if (typeof value !== "string") return undefined;
  const rendered = (await r.render(value)).trim();
  const n = Number(rendered);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`A concurrency limit must be a whole number ≥ 0, got '${rendered}'`);
  return n;
}

/** Loop values are strings, de-duplicated; objects become their JSON text; null fails the loop. */
async function loopValues(task: Task, r: Renderer): Promise<string[]> {
  const source = task.values ?? task.value;
  let raw: unknown[];
  if (typeof source === "string") {
    const rendered = await r.render(source);
    let parsed: unknown;
    try {
      parsed = JSON.parse(rendered);
    } catch {
      throw new Error(`Unable to parse the ForEach values as a JSON array: ${rendered.slice(0, 200)}`);
    }
    if (!Array.isArray(parsed))
      throw new Error(`The ForEach values must be a JSON array, got: ${rendered.slice(0, 200)}`);
    raw = parsed;
  } else if (Array.isArray(source)) {
    raw = await Promise.all(source.map((v) => (typeof v === "string" || typeof v === "object" ? r.renderDeep(v) : v)));
  } else {
    throw new Error("The ForEach values must be a list or a JSON array string");
  }
  const nulls = raw.filter((v) => v === null || v === undefined).length;
  if (nulls) throw new Error(`Found '${nulls}' null values on Each, with values=${javaList(raw)}`);
  const values = raw.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));
  return [...new Set(values)];
}

/** The list as Kestra prints it in its null-values message: `[1, null, a]`. */
function javaList(values: unknown[]): string {
  const item = (v: unknown) =>
    v === null || v === undefined ? "null" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return `[${values.map(item).join(", ")}]`;
}

async function switchCase(task: Task, r: Renderer): Promise<Resolution> {
  const value = await r.render(String(task.value ?? ""));
  const cases = task.cases ?? {};
  if (Object.hasOwn(cases, value)) return { ok: true, branch: value, outputs: { value, defaults: false } };
  if (task.defaults?.length) return { ok: true, branch: "defaults", outputs: { value, defaults: true } };
  return { ok: false, error: `No task found for the Switch value '${value}' and no defaults` };
}
