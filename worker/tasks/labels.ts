// execution.Labels: labels given as a JSON string, a map or a list of {key, value}, rendered and
// handed to the engine to merge into the execution. `system.*` labels are Kestra's own.
import { asText, isRecord } from "./properties";
import type { Label, RunnableTask, TaskContext } from "./types";
import { TaskFailure } from "./types";

async function toLabels(ctx: TaskContext, raw: unknown): Promise<Label[]> {
  if (typeof raw === "string") {
    const text = await ctx.render(raw);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TaskFailure(`Property 'labels' must render to a JSON map or list, got '${text}'`);
    }
    // Already rendered: a second render would evaluate template text carried inside values.
    return fromStructure(parsed, async (v) => v);
  }
  return fromStructure(raw, (v) => ctx.render(v));
}

async function fromStructure(raw: unknown, render: (v: string) => Promise<string>): Promise<Label[]> {
  const one = async (key: unknown, value: unknown): Promise<Label> => {
    if (typeof key !== "string" || key === "") throw new TaskFailure("Every label needs a non-empty string key");
    return { key: await render(key), value: await render(asText(value)) };
  };
  if (Array.isArray(raw)) {
    const out: Label[] = [];
    for (const item of raw) {
      if (!isRecord(item) || !("key" in item)) throw new TaskFailure("A list of labels must hold {key, value} entries");
      out.push(await one(item.key, item.value));
    }
    return out;
  }
  if (isRecord(raw)) {
    const out: Label[] = [];
    for (const [k, v] of Object.entries(raw)) out.push(await one(k, v));
    return out;
  }
  throw new TaskFailure("Property 'labels' must be a map, a list of {key, value} or a JSON string");
}

export const labelsTask: RunnableTask = {
  async run(ctx) {
    const raw = ctx.task.labels;
    if (raw === undefined || raw === null) throw new TaskFailure("Property 'labels' is required");
    const labels = await toLabels(ctx, raw);
    const reserved = labels.filter((l) => l.key.startsWith("system."));
    if (reserved.length > 0) {
      throw new TaskFailure(
        `Labels with the reserved 'system.' prefix cannot be set: ${reserved.map((l) => l.key).join(", ")}`,
      );
    }
    // Later entries win, as when Kestra merges them into the execution.
    const merged = new Map(labels.map((l) => [l.key, l.value]));
    return { labels: [...merged].map(([key, value]) => ({ key, value })) };
  },
};
