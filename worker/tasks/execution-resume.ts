// execution.Resume: resumes another paused execution of the same tenant (`executionId`), only if
// it is of `namespace` and `flowId` when those are given, passing `inputs` as the onResume inputs
// of its Pause. Resuming the current execution, Kestra's default, cannot happen while this task
// runs in it, so `executionId` is required in practice and its absence fails the task.
import { isRecord, renderOptionalString } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const executionResumeTask: RunnableTask = {
  async run(ctx) {
    const executionId = (await renderOptionalString(ctx, "executionId"))?.trim();
    const current = await ctx.render("{{ execution.id }}");
    if (!executionId || executionId === current) {
      throw new TaskFailure("An execution cannot resume itself: name another execution in executionId");
    }
    const namespace = (await renderOptionalString(ctx, "namespace"))?.trim() || undefined;
    const flowId = (await renderOptionalString(ctx, "flowId"))?.trim() || undefined;
    const inputs = ctx.task.inputs === undefined ? {} : await ctx.renderDeep(ctx.task.inputs);
    if (!isRecord(inputs)) throw new TaskFailure("Property 'inputs' must be a map");
    await ctx.resumeExecution({ executionId, namespace, flowId }, inputs);
    ctx.log("INFO", `Resumed execution '${executionId}'`);
    return {};
  },
};
