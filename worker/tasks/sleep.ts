// flow.Sleep: the run itself only validates and announces the wait; the execution's Durable
// Object holds the task run on an alarm for `sleepMs`, so nothing busy-waits.
import { formatDurationMs, parseDurationMs } from "./duration";
import { renderString } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const sleepTask: RunnableTask = {
  async run(ctx) {
    const text = await renderString(ctx, "duration");
    let ms: number;
    try {
      ms = parseDurationMs(text);
    } catch (e) {
      throw new TaskFailure(`Property 'duration': ${(e as Error).message}`);
    }
    if (ms < 0) throw new TaskFailure(`Property 'duration' must not be negative, got '${text}'`);
    ctx.log("INFO", `Waiting for ${formatDurationMs(ms)}`);
    return { sleepMs: ms };
  },
};
