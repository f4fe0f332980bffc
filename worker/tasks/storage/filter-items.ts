// storage.FilterItems: keeps (filterType INCLUDE, the default) or drops (EXCLUDE) the items — one
// ION value per line, a map's fields being the variables — for which `filterCondition` is truthy.
// An item whose condition fails to render or renders null follows `errorOrNullBehavior`: FAIL
// (the default), INCLUDE or EXCLUDE. Outputs `uri`, `processedItemsTotal`, `droppedItemsTotal`.
import { isTruthy } from "../../expressions";
import type { RunnableTask } from "../types";
import { TaskFailure } from "../types";
import { fileLines, itemVariables, parseItem, storageUri } from "./common";

function choice<T extends string>(value: unknown, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined || value === null) return fallback;
  const text = String(value).trim().toUpperCase();
  const found = allowed.find((a) => a === text);
  if (!found) throw new TaskFailure(`Property '${name}' must be one of ${allowed.join(", ")}, got '${String(value)}'`);
  return found;
}

export const filterItemsTask: RunnableTask = {
  async run(ctx) {
    const from = await storageUri(ctx, "from");
    const condition = String(ctx.task.filterCondition ?? "");
    const filterType = choice(
      await ctx.renderDeep(ctx.task.filterType),
      ["INCLUDE", "EXCLUDE"],
      "filterType",
      "INCLUDE",
    );
    const onErrorOrNull = choice(
      await ctx.renderDeep(ctx.task.errorOrNullBehavior),
      ["FAIL", "INCLUDE", "EXCLUDE"],
      "errorOrNullBehavior",
      "FAIL",
    );
    const out: string[] = [];
    let processed = 0;
    for await (const line of fileLines(ctx, from)) {
      if (line === "") continue;
      processed++;
      let keep: boolean;
      let value: unknown;
      try {
        value = await ctx.renderTypedWith(condition, itemVariables(await parseItem(line)));
      } catch (e) {
        if (onErrorOrNull === "FAIL") {
          throw new TaskFailure(
            `Unable to evaluate the filter condition on item ${processed}: ${(e as Error).message}`,
          );
        }
        value = null;
      }
      if (value === null || value === undefined) {
        if (onErrorOrNull === "FAIL") throw new TaskFailure(`The filter condition rendered null on item ${processed}`);
        keep = onErrorOrNull === "INCLUDE";
      } else {
        const matches = isTruthy(typeof value === "string" ? value : JSON.stringify(value));
        keep = filterType === "INCLUDE" ? matches : !matches;
      }
      if (keep) out.push(`${line}\n`);
    }
    const uri = await ctx.putFile(`${ctx.task.id}.ion`, out.join(""));
    return { outputs: { uri, processedItemsTotal: processed, droppedItemsTotal: processed - out.length } };
  },
};
