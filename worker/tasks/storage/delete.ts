// storage.Delete: deletes one file of this execution; outputs `uri` and `deleted`. A missing file
// is no error unless `errorOnMissing` (false by default).
import { renderBoolean } from "../properties";
import type { RunnableTask } from "../types";
import { TaskFailure } from "../types";
import { storageUri } from "./common";

export const deleteTask: RunnableTask = {
  async run(ctx) {
    const uri = await storageUri(ctx, "uri");
    const errorOnMissing = await renderBoolean(ctx, "errorOnMissing", false);
    const deleted = await ctx.deleteFile(uri);
    if (!deleted && errorOnMissing) throw new TaskFailure(`Unable to find file '${uri}'`);
    return { outputs: { uri, deleted } };
  },
};
