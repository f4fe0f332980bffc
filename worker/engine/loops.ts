// LoopUntil and WaitFor (Kestra's `flow.LoopUntil`, 0.20's `flow.WaitFor`): their tasks run as one
// iteration; once it ended well the condition is rendered (a `check-loop` command, answered by a
// `loop-checked` event), and the loop either ends or starts its next iteration after
// `checkFrequency.interval`, until maxIterations or maxDuration (then FAILED with failOnMaxReached,
// else the loop just ends). The `iterationCount` output counts the iteration in flight, from 1.
import { endsWhenTruthy } from "./flowable-types";
import type { ExecutionMachine } from "./machine";
import { applyAllowances } from "./state";
import type { TaskRun } from "./types";

/** The condition of `iteration` was rendered: `again` when the loop must run another iteration. */
export function onLoopChecked(
  m: ExecutionMachine,
  taskRunId: string,
  iteration: number,
  truthy: boolean,
  error?: string,
): void {
  const run = m.taskRun(taskRunId);
  const loop = run?.meta?.loop;
  if (!run || !loop || run.state.current !== "RUNNING" || loop.iteration !== iteration || loop.over) return;
  if (run.meta?.dueAction === "loop-next") return;
  if (error !== undefined) {
    m.emit({ type: "log", level: "ERROR", message: error, taskRunId });
    return m.end(run, applyAllowances("FAILED", m.taskOf(run)));
  }
  const again = endsWhenTruthy(m.taskOf(run).type) ? !truthy : truthy;
  if (!again) return finish(m, run);
  const count = iteration + 1;
  const started = Date.parse(run.state.histories[0]!.date);
  const maxed =
    loop.maxIterations !== undefined && count >= loop.maxIterations
      ? "Max iterations reached"
      : loop.maxMs !== undefined && m.now.getTime() - started >= loop.maxMs
        ? "Max duration reached"
        : undefined;
  if (maxed) {
    m.emit({ type: "log", level: "WARN", message: maxed, taskRunId });
    if (loop.failOnMaxReached) return m.end(run, applyAllowances("FAILED", m.taskOf(run)));
    return finish(m, run);
  }
  m.setDue(run, m.now.getTime() + loop.intervalMs, "loop-next");
}

function finish(m: ExecutionMachine, run: TaskRun): void {
  run.meta = { ...run.meta, loop: { ...run.meta!.loop!, over: true } };
  m.touch(run);
  m.wake(run.id);
}

/** The interval elapsed: the next iteration starts, and iterationCount says so. */
export function nextIteration(m: ExecutionMachine, run: TaskRun): void {
  const loop = run.meta?.loop;
  if (!loop || run.state.current !== "RUNNING") return;
  run.meta = { ...run.meta, loop: { ...loop, iteration: loop.iteration + 1 } };
  m.setOutputs(run, { ...run.outputs, iterationCount: loop.iteration + 2 });
  m.wake(run.id);
}
