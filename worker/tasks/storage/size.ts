// storage.Size: the size in bytes of an internal storage file, as output `size`.
import type { RunnableTask } from "../types";
import { storageUri } from "./common";

export const sizeTask: RunnableTask = {
  async run(ctx) {
    return { outputs: { size: await ctx.fileSize(await storageUri(ctx, "uri")) } };
  },
};
