// output.OutputValues: the `values` map, rendered all the way down, becomes the output `values`.
import { isRecord } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const outputValuesTask: RunnableTask = {
  async run(ctx) {
    const raw = ctx.task.values ?? {};
    if (!isRecord(raw)) throw new TaskFailure("Property 'values' must be a map");
    return { outputs: { values: await ctx.renderDeep(raw) } };
  },
};
