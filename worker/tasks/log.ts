// log.Log and the deprecated debug.Echo: render each message and log it at the chosen level.
import { renderLevel, renderString } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const logTask: RunnableTask = {
  async run(ctx) {
    const level = await renderLevel(ctx);
    const raw = ctx.task.message;
    if (raw === undefined || raw === null) throw new TaskFailure("Property 'message' is required");
    const messages: unknown[] = Array.isArray(raw) ? raw : [raw];
    for (const message of messages) {
      if (typeof message !== "string" && typeof message !== "number" && typeof message !== "boolean") {
        throw new TaskFailure("Property 'message' must be a string or a list of strings");
      }
      ctx.log(level, await ctx.render(String(message)));
    }
    return {};
  },
};

export const echoTask: RunnableTask = {
  async run(ctx) {
    const level = await renderLevel(ctx);
    ctx.log(level, await renderString(ctx, "format"));
    return {};
  },
};
