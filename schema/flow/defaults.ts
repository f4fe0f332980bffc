// pluginDefaults: which defaults apply to a task (exact canonical type or a package prefix) and how they merge
// (plain defaults fill what the task lacks; forced ones override it). Never applied to the stored Flow.
import { canonicalType } from "./aliases";
import type { PluginDefault } from "./types";

type Values = Record<string, unknown>;

function isPlainObject(v: unknown): v is Values {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge where `over` wins; untouched values keep their identity. */
function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

export function defaultsMatch(defaultType: string, taskType: string): boolean {
  if (defaultType === taskType || canonicalType(defaultType) === taskType) return true;
  const prefix = defaultType.endsWith(".") ? defaultType : `${defaultType}.`;
  return taskType.startsWith(prefix);
}

export function matchingDefaults(taskType: string, defaults: readonly PluginDefault[] | undefined): PluginDefault[] {
  return (defaults ?? []).filter((d) => defaultsMatch(d.type, taskType));
}

export function mergeDefaults<T extends { type: string }>(task: T, defaults: readonly PluginDefault[]): T {
  let result: Values = { ...task };
  for (const d of defaults) if (!d.forced) result = deepMerge(d.values, result);
  for (const d of defaults) if (d.forced) result = deepMerge(result, d.values);
  const merged = result as T & { id?: unknown };
  const original = task as T & { id?: unknown };
  return { ...merged, type: task.type, ...(original.id !== undefined ? { id: original.id } : {}) };
}

/** The task (or trigger) with the flow's matching pluginDefaults merged in; the input is not modified. */
export function applyPluginDefaults<T extends { type: string }>(
  task: T,
  flow: { pluginDefaults?: readonly PluginDefault[] },
): T {
  const defaults = matchingDefaults(task.type, flow.pluginDefaults);
  return defaults.length === 0 ? task : mergeDefaults(task, defaults);
}
