// log.Fetch: the log lines of this execution (or of `executionId`, another execution of the same
// tenant, which must then be of `namespace` and `flowId` when they are given) at or above `level` (INFO by default), optionally only those of `tasksId`, written to a
// file one entry per line (JSON, which Kestra's ION readers read); outputs `uri` and `size`, the
// number of lines.
import { renderLevel, renderOptionalString } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const logFetchTask: RunnableTask = {
  async run(ctx) {
    const executionId = (await renderOptionalString(ctx, "executionId"))?.trim() || undefined;
    const level = await renderLevel(ctx, "level");
    const tasksId = ctx.task.tasksId === undefined ? undefined : await ctx.renderDeep(ctx.task.tasksId);
    if (tasksId !== undefined && (!Array.isArray(tasksId) || tasksId.some((t) => typeof t !== "string"))) {
      throw new TaskFailure("Property 'tasksId' must be a list of task ids");
    }
    const namespace = await renderOptionalString(ctx, "namespace");
    const flowId = await renderOptionalString(ctx, "flowId");
    const all = await ctx.executionLogs(executionId, level);
    const logs = all?.filter((l) => (!namespace || l.namespace === namespace) && (!flowId || l.flowId === flowId));
    if (!all || (all.length && !logs?.length)) throw new TaskFailure(`Execution '${executionId}' not found`);
    const wanted = tasksId ? new Set(tasksId as string[]) : undefined;
    const lines = (logs ?? []).filter((l) => !wanted || (l.taskId !== null && wanted.has(l.taskId)));
    const uri = await ctx.putFile(`${ctx.task.id}.ion`, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    return { outputs: { uri, size: lines.length } };
  },
};
