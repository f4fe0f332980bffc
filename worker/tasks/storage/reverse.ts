// storage.Reverse: the lines of a file in reverse order, each followed by `separator` ("\n" by
// default), into a new file; output `uri`. The lines are held in memory, as the file is bounded
// by the storage limit.
import type { RunnableTask } from "../types";
import { extensionOf, fileLines, separatorOf, storageUri } from "./common";

export const reverseTask: RunnableTask = {
  async run(ctx) {
    const from = await storageUri(ctx, "from");
    const separator = await separatorOf(ctx);
    const extension = await extensionOf(ctx);
    const lines: string[] = [];
    for await (const line of fileLines(ctx, from)) lines.push(line);
    const text = lines
      .reverse()
      .map((l) => l + separator)
      .join("");
    return { outputs: { uri: await ctx.putFile(`${ctx.task.id}${extension}`, text) } };
  },
};
