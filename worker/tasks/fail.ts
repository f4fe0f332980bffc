// execution.Fail: fail unconditionally with the rendered message, or only when `condition`
// renders truthy (then the message goes to the log and the failure says why it happened).
import { isTruthy } from "../expressions";
import { renderOptionalString, renderString } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const failTask: RunnableTask = {
  async run(ctx) {
    const condition = await renderOptionalString(ctx, "condition");
    if (condition === undefined) {
      throw new TaskFailure(await renderString(ctx, "errorMessage", "Task failure"));
    }
    if (!isTruthy(condition)) return {};
    ctx.log("ERROR", await renderString(ctx, "errorMessage", "Task failure"));
    throw new TaskFailure("Fail on a condition");
  },
};
