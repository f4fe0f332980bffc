// `peregrine taskruns search [filters] [--sort duration[:desc]]` over the search index, and
// `peregrine taskruns get <taskRunId>` or `<executionId> <taskId> [--value v | --iteration n]`,
// read from the execution (authoritative), with whether the task run is final.
import type { StateType } from "../types.ts";
import { arg, type Context, integer, pairs } from "./context.ts";
import { EXIT } from "./output.ts";

/** `duration` → `duration:desc` (longest first, what one usually wants); `field:dir` as given. */
const sortOf = (raw: string | undefined): string | undefined =>
  raw === undefined ? undefined : raw.includes(":") ? raw : raw === "duration" ? "duration:desc" : `${raw}:asc`;

export async function taskRunsSearch(ctx: Context): Promise<number> {
  const o = ctx.options;
  const found = await ctx.p.taskRuns.search({
    q: o.q,
    namespace: o.namespace,
    flowId: o.flow,
    executionId: o.execution,
    taskId: o.task,
    state: o.state?.map((s) => s.toUpperCase() as StateType),
    value: o.value,
    parentTaskRunId: o.parent,
    labels: pairs(o.label, "label"),
    startDate: o.start,
    endDate: o.end,
    triggerExecutionId: o["trigger-execution"],
    sort: sortOf(o.sort),
    size: integer(o.size, "size") ?? 25,
    page: integer(o.page, "page"),
  });
  ctx.out.result(found, () => {
    ctx.out.table(
      ["TASK RUN", "EXECUTION", "TASK", "VALUE", "STATE", "DURATION"],
      found.results.map((r) => [
        r.id,
        r.executionId,
        r.taskId,
        r.value ?? "",
        ctx.out.state(r.state.current),
        r.state.duration,
      ]),
    );
    if (found.total > found.results.length) ctx.out.note(`${found.results.length} of ${found.total}; --page for more`);
  });
  return EXIT.ok;
}

export async function taskRunsGet(ctx: Context): Promise<number> {
  const iteration = integer(ctx.options.iteration, "iteration");
  const view =
    ctx.args.length >= 2
      ? await ctx.p.taskRuns.fromTask(arg(ctx, 0, "executionId"), arg(ctx, 1, "taskId"), {
          value: ctx.options.value,
          iteration,
        })
      : await ctx.p.taskRuns.get(arg(ctx, 0, "taskRunId"), { executionId: ctx.options.execution });
  ctx.out.result(view.data, () => {
    const d = view.data;
    ctx.out.table(
      ["FIELD", "VALUE"],
      [
        ["id", d.id],
        ["execution", `${d.executionId} (${ctx.out.state(d.executionState)})`],
        ["task", `${d.taskId}${d.value !== undefined ? ` [${d.value}]` : ""}`],
        ["state", ctx.out.state(d.state.current)],
        ["final", d.final ? "yes" : "no (outputs may still change)"],
        ["attempts", String(d.attempts.length)],
        ["duration", d.state.duration],
        ["outputs", JSON.stringify(d.outputs ?? {})],
      ],
    );
  });
  return EXIT.ok;
}
