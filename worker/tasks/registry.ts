// The one table of runnable task types Peregrine runs itself, keyed by canonical type.
// Flowable types (Sequential, Parallel, ForEach, Switch, If, Dag, Pause, Subflow, …) are the
// engine's business and are deliberately absent.
import { failTask } from "./fail";
import { httpRequestTask } from "./http-request";
import { kvDeleteTask, kvGetKeysTask, kvGetTask, kvSetTask } from "./kv-tasks";
import { labelsTask } from "./labels";
import { echoTask, logTask } from "./log";
import { outputValuesTask } from "./output-values";
import { returnTask } from "./return";
import { sleepTask } from "./sleep";
import { templatedTask } from "./templated";
import type { RunnableTask } from "./types";

const P = "io.kestra.plugin.core";

export const runnableTasks: Record<string, RunnableTask> = {
  [`${P}.log.Log`]: logTask,
  [`${P}.debug.Echo`]: echoTask,
  [`${P}.debug.Return`]: returnTask,
  [`${P}.output.OutputValues`]: outputValuesTask,
  [`${P}.execution.Fail`]: failTask,
  [`${P}.execution.Labels`]: labelsTask,
  [`${P}.flow.Sleep`]: sleepTask,
  [`${P}.http.Request`]: httpRequestTask,
  [`${P}.kv.Set`]: kvSetTask,
  [`${P}.kv.Get`]: kvGetTask,
  [`${P}.kv.GetKeys`]: kvGetKeysTask,
  [`${P}.kv.Delete`]: kvDeleteTask,
  [`${P}.templating.TemplatedTask`]: templatedTask((type) => (isRunnable(type) ? runnableTasks[type] : undefined)),
};

export function isRunnable(type: string): boolean {
  return Object.hasOwn(runnableTasks, type);
}
