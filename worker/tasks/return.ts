// debug.Return: the rendered `format` becomes the output `value`, with Kestra's two metrics
// (the value's length, and how long rendering took) tagged by the rendered text.
import { renderOptionalString } from "./properties";
import type { RunnableTask } from "./types";

export const returnTask: RunnableTask = {
  async run(ctx) {
    const start = performance.now();
    const value = await renderOptionalString(ctx, "format");
    const elapsed = performance.now() - start;
    const tags = { format: value ?? "" };
    ctx.metric({ type: "counter", name: "length", value: value?.length ?? 0, tags });
    ctx.metric({ type: "timer", name: "duration", value: elapsed, tags });
    return { outputs: { value: value ?? null } };
  },
};
