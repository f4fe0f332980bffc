// The one table of runnable task types Peregrine runs itself, keyed by canonical type. It must
// cover every runnable type the flow model accepts (`satisfies Record<RunnableTaskType, …>`), so a
// type that validates but has no runner fails tsc. Flowable types are the engine's business
// (worker/engine/flowable-types.ts).
import type { RunnableTaskType } from "../../schema/flow/tasks/registry";
import { executionResumeTask } from "./execution-resume";
import { failTask } from "./fail";
import { httpDownloadTask } from "./http-download";
import { httpRequestTask } from "./http-request";
import { kvDeleteTask, kvGetKeysTask, kvGetTask, kvSetTask } from "./kv-tasks";
import { labelsTask } from "./labels";
import { echoTask, logTask } from "./log";
import { logFetchTask } from "./log-fetch";
import { outputValuesTask } from "./output-values";
import { returnTask } from "./return";
import { sleepTask } from "./sleep";
import { stateDeleteTask, stateGetTask, stateSetTask } from "./state-tasks";
import { concatTask } from "./storage/concat";
import { deduplicateItemsTask } from "./storage/deduplicate-items";
import { deleteTask } from "./storage/delete";
import { filterItemsTask } from "./storage/filter-items";
import { localFilesTask } from "./storage/local-files";
import { purgeCurrentExecutionFilesTask } from "./storage/purge";
import { reverseTask } from "./storage/reverse";
import { sizeTask } from "./storage/size";
import { splitTask } from "./storage/split";
import { templatedTask } from "./templated";
import type { RunnableTask } from "./types";

export const runnableTasks: Readonly<Record<RunnableTaskType, RunnableTask>> = {
  "io.kestra.plugin.core.log.Log": logTask,
  "io.kestra.plugin.core.debug.Echo": echoTask,
  "io.kestra.plugin.core.debug.Return": returnTask,
  "io.kestra.plugin.core.output.OutputValues": outputValuesTask,
  "io.kestra.plugin.core.execution.Fail": failTask,
  "io.kestra.plugin.core.execution.Labels": labelsTask,
  "io.kestra.plugin.core.flow.Sleep": sleepTask,
  "io.kestra.plugin.core.http.Request": httpRequestTask,
  "io.kestra.plugin.core.kv.Set": kvSetTask,
  "io.kestra.plugin.core.kv.Get": kvGetTask,
  "io.kestra.plugin.core.kv.GetKeys": kvGetKeysTask,
  "io.kestra.plugin.core.kv.Delete": kvDeleteTask,
  "io.kestra.plugin.core.storage.Concat": concatTask,
  "io.kestra.plugin.core.storage.Split": splitTask,
  "io.kestra.plugin.core.storage.Delete": deleteTask,
  "io.kestra.plugin.core.storage.Size": sizeTask,
  "io.kestra.plugin.core.storage.Reverse": reverseTask,
  "io.kestra.plugin.core.storage.DeduplicateItems": deduplicateItemsTask,
  "io.kestra.plugin.core.storage.FilterItems": filterItemsTask,
  "io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles": purgeCurrentExecutionFilesTask,
  "io.kestra.plugin.core.storage.LocalFiles": localFilesTask,
  "io.kestra.plugin.core.log.Fetch": logFetchTask,
  "io.kestra.plugin.core.http.Download": httpDownloadTask,
  "io.kestra.plugin.core.execution.Resume": executionResumeTask,
  "io.kestra.plugin.core.state.Get": stateGetTask,
  "io.kestra.plugin.core.state.Set": stateSetTask,
  "io.kestra.plugin.core.state.Delete": stateDeleteTask,
  "io.kestra.plugin.core.templating.TemplatedTask": templatedTask((type) => runnerOf(type)),
} satisfies Record<RunnableTaskType, RunnableTask>;

export function isRunnable(type: string): type is RunnableTaskType {
  return Object.hasOwn(runnableTasks, type);
}

/** The runner of a canonical type, or undefined when the type is not a runnable one. */
export function runnerOf(type: string): RunnableTask | undefined {
  return isRunnable(type) ? runnableTasks[type] : undefined;
}
