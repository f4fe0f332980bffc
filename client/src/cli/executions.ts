// `peregrine executions start|list|get|kill|restart|replay|resume` and `peregrine logs`. A start
// with --wait or --follow exits 3 when the execution ends in another state than SUCCESS.
import path from "node:path";
import { isTerminalState } from "../executions.ts";
import type { ExecutionJson, InputValue, LogJson, StateType, TaskRunJson } from "../types.ts";
import { UsageError } from "./config.ts";
import { arg, type Context, integer, pairs } from "./context.ts";
import { EXIT, type Printer } from "./output.ts";

/** `--input name=value`, `--input file=@path/to/file` (sent as a file). */
async function inputsOf(ctx: Context): Promise<Record<string, InputValue>> {
  const inputs: Record<string, InputValue> = {};
  for (const [name, value] of Object.entries(pairs(ctx.options.input, "input"))) {
    if (value.startsWith("@")) {
      const file = value.slice(1);
      const bytes = await ctx.readFile(file).catch(() => {
        throw new UsageError(`--input ${name}: cannot read ${file}`);
      });
      inputs[name] = new File([bytes as Uint8Array<ArrayBuffer>], path.basename(file));
    } else inputs[name] = value;
  }
  return inputs;
}

const endCode = (execution: ExecutionJson): number =>
  execution.state.current === "SUCCESS" ? EXIT.ok : EXIT.executionNotSuccessful;

function logLine(out: Printer, line: LogJson): void {
  out.line(`${line.timestamp} ${line.level.padEnd(5)} ${line.taskId ?? "-"} ${line.message}`);
}

/** The execution's header and its task runs as a tree (children under their parent, loop values shown). */
function printExecution(out: Printer, ex: ExecutionJson): void {
  out.line(
    `${ex.id}  ${ex.namespace}.${ex.flowId} rev ${ex.flowRevision}  ${out.state(ex.state.current)}  ${ex.state.duration}`,
  );
  const children = new Map<string | undefined, TaskRunJson[]>();
  for (const run of ex.taskRunList)
    children.set(run.parentTaskRunId, [...(children.get(run.parentTaskRunId) ?? []), run]);
  const rows: string[][] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const run of children.get(parent) ?? []) {
      const name = `${"  ".repeat(depth)}${run.taskId}${run.value !== undefined ? ` [${run.value}]` : ""}`;
      rows.push([name, out.state(run.state.current), String(run.attempts.length), run.state.duration, run.id]);
      walk(run.id, depth + 1);
    }
  };
  walk(undefined, 0);
  if (rows.length > 0) out.table(["TASK", "STATE", "ATTEMPTS", "DURATION", "TASK RUN"], rows);
}

/** Prints `[STATE] task [value]` whenever a task run changes state; returns the terminal execution. */
async function followStates(ctx: Context, id: string): Promise<ExecutionJson> {
  const seen = new Map<string, string>();
  for await (const event of ctx.p.executions.follow(id)) {
    for (const run of event.execution.taskRunList) {
      if (seen.get(run.id) === run.state.current) continue;
      seen.set(run.id, run.state.current);
      const value = run.value !== undefined ? ` [${run.value}]` : "";
      if (ctx.out.format === "table") ctx.out.line(`[${ctx.out.state(run.state.current)}] ${run.taskId}${value}`);
    }
    if (event.type === "end") return event.execution;
  }
  return ctx.p.executions.waitForEnd(id);
}

export async function executionsStart(ctx: Context): Promise<number> {
  const [namespace, flowId] = [arg(ctx, 0, "namespace"), arg(ctx, 1, "flowId")];
  const options = { inputs: await inputsOf(ctx), labels: pairs(ctx.options.label, "label") };
  if (ctx.options.follow) {
    const started = await ctx.p.executions.create(namespace, flowId, options);
    ctx.out.note(`started ${started.id}`);
    // Two streams at once: the log lines, and each task run's change of state as it happens.
    const [, ended] = await Promise.all([
      (async () => {
        for await (const line of ctx.p.executions.followLogs(started.id)) {
          if (ctx.out.format === "table") logLine(ctx.out, line);
        }
      })(),
      followStates(ctx, started.id),
    ]);
    ctx.out.result(ended, () => printExecution(ctx.out, ended));
    return endCode(ended);
  }
  const execution = await ctx.p.executions.create(namespace, flowId, { ...options, wait: ctx.options.wait });
  ctx.out.result(execution, () => printExecution(ctx.out, execution));
  return ctx.options.wait ? endCode(execution) : EXIT.ok;
}

export async function executionsList(ctx: Context): Promise<number> {
  const found = await ctx.p.executions.search({
    namespace: ctx.options.namespace,
    flowId: ctx.options.flow,
    q: ctx.options.q,
    state: ctx.options.state?.map((s) => s.toUpperCase() as StateType),
    labels: pairs(ctx.options.label, "label"),
    startDate: ctx.options.start,
    endDate: ctx.options.end,
    size: integer(ctx.options.size, "size") ?? 25,
    page: integer(ctx.options.page, "page"),
    sort: ctx.options.sort,
  });
  ctx.out.result(found, () => {
    ctx.out.table(
      ["ID", "FLOW", "STATE", "STARTED", "DURATION"],
      found.results.map((e) => [
        e.id,
        `${e.namespace}.${e.flowId}`,
        ctx.out.state(e.state.current),
        e.state.startDate,
        e.state.duration,
      ]),
    );
    if (found.total > found.results.length) ctx.out.note(`${found.results.length} of ${found.total}; --page for more`);
  });
  return EXIT.ok;
}

export async function executionsGet(ctx: Context): Promise<number> {
  const execution = await ctx.p.executions.get(arg(ctx, 0, "executionId"));
  ctx.out.result(execution, () => printExecution(ctx.out, execution));
  return EXIT.ok;
}

/** kill, restart and replay: the execution after the action (replay: the new one). */
export function executionsControl(action: "kill" | "restart" | "replay") {
  return async (ctx: Context): Promise<number> => {
    const id = arg(ctx, 0, "executionId");
    const execution =
      action === "replay"
        ? await ctx.p.executions.replay(id, { taskRunId: ctx.options["task-run"] })
        : await ctx.p.executions[action](id);
    ctx.out.result(execution, () => printExecution(ctx.out, execution));
    return EXIT.ok;
  };
}

export async function executionsResume(ctx: Context): Promise<number> {
  const id = arg(ctx, 0, "executionId");
  await ctx.p.executions.resume(id, await inputsOf(ctx));
  ctx.out.result({ id, resumed: true }, () => ctx.out.line(`resumed ${id}`));
  return EXIT.ok;
}

export async function logs(ctx: Context): Promise<number> {
  const id = arg(ctx, 0, "executionId");
  const filter = { minLevel: ctx.options.level?.toUpperCase(), taskId: ctx.options.task };
  if (ctx.options.follow) {
    for await (const line of ctx.p.executions.followLogs(id, filter)) {
      if (ctx.out.format === "json") ctx.out.line(JSON.stringify(line));
      else logLine(ctx.out, line);
    }
    const execution = await ctx.p.executions.get(id);
    return isTerminalState(execution.state.current) ? endCode(execution) : EXIT.ok;
  }
  const lines = await ctx.p.executions.logs(id, filter);
  ctx.out.result(lines, () => {
    for (const line of lines) logLine(ctx.out, line);
  });
  return EXIT.ok;
}
