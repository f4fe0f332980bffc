// storage.PurgeCurrentExecutionFiles: deletes every file of the current execution (its inputs'
// files, task outputs, batches); output `uris`, the deleted files.
import type { RunnableTask } from "../types";

export const purgeCurrentExecutionFilesTask: RunnableTask = {
  async run(ctx) {
    const uris = await ctx.purgeExecutionFiles();
    ctx.log("INFO", `Purged ${uris.length} file(s) of the execution`);
    return { outputs: { uris } };
  },
};
