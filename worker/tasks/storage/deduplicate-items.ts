// storage.DeduplicateItems: keeps, for each key that `expr` renders from an item (one ION value
// per line; a map's fields are the expression's variables), only the last item with that key, in
// file order. Two passes over the file, as Kestra does: only the keys are held in memory.
// Outputs `uri`, `numKeys`, `processedItemsTotal`, `droppedItemsTotal`.
import type { RunnableTask, TaskContext } from "../types";
import { TaskFailure } from "../types";
import { fileLines, itemVariables, parseItem, storageUri } from "./common";

async function keyOf(ctx: TaskContext, expr: string, line: string, index: number): Promise<string> {
  try {
    const key = await ctx.renderTypedWith(expr, itemVariables(await parseItem(line)));
    return typeof key === "object" && key !== null ? JSON.stringify(key) : String(key);
  } catch (e) {
    throw new TaskFailure(`Unable to compute the key of item ${index + 1}: ${(e as Error).message}`);
  }
}

export const deduplicateItemsTask: RunnableTask = {
  async run(ctx) {
    const from = await storageUri(ctx, "from");
    const expr = String(ctx.task.expr ?? "");
    const lastOf = new Map<string, number>();
    let processed = 0;
    for await (const line of fileLines(ctx, from)) {
      if (line === "") continue;
      lastOf.set(await keyOf(ctx, expr, line, processed), processed);
      processed++;
    }
    const kept = new Set(lastOf.values());
    const out: string[] = [];
    let index = 0;
    for await (const line of fileLines(ctx, from)) {
      if (line === "") continue;
      if (kept.has(index++)) out.push(`${line}\n`);
    }
    const uri = await ctx.putFile(`${ctx.task.id}.ion`, out.join(""));
    return {
      outputs: { uri, numKeys: lastOf.size, processedItemsTotal: processed, droppedItemsTotal: processed - out.length },
    };
  },
};
