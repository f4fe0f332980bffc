// storage.Concat: the files of `files` (a list, or a JSON array as text) one after the other in
// one new file, `separator` between two of them (none by default); output `uri`.
import { isRecord } from "../properties";
import type { RunnableTask, TaskContext } from "../types";
import { TaskFailure } from "../types";
import { extensionOf, separatorOf } from "./common";

async function filesOf(ctx: TaskContext): Promise<string[]> {
  const raw = ctx.task.files;
  let list: unknown = raw;
  if (typeof raw === "string") {
    const rendered = await ctx.render(raw);
    try {
      list = JSON.parse(rendered);
    } catch {
      list = [rendered];
    }
  } else {
    list = await ctx.renderDeep(raw);
  }
  if (!Array.isArray(list) || list.some((f) => typeof f !== "string" || isRecord(f))) {
    throw new TaskFailure("Property 'files' must be a list of kestra:// URIs or a JSON array of them");
  }
  return list as string[];
}

export const concatTask: RunnableTask = {
  async run(ctx) {
    const files = await filesOf(ctx);
    const separator = new TextEncoder().encode(await separatorOf(ctx, ""));
    const extension = await extensionOf(ctx);
    let index = 0;
    let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
    // Pulled file by file: only one source is open at a time and nothing is held whole.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          if (!current) {
            if (index >= files.length) return controller.close();
            if (index > 0 && separator.byteLength) controller.enqueue(separator);
            current = (await ctx.openFile(files[index++]!)).body.getReader();
          }
          const { done, value } = await current.read();
          if (!done) return controller.enqueue(value);
          current = undefined;
        }
      },
      cancel: () => current?.cancel(),
    });
    return { outputs: { uri: await ctx.putFile(`${ctx.task.id}${extension}`, body) } };
  },
};
