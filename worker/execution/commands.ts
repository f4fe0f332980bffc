// What the execution object does with each command of the engine: work in this object (a task,
// a flowable's resolution, the flow outputs, ForEachItem's parts) is launched and comes back as
// the next event; kills and cascades to other objects are left to run in the background.
import type { Command, EngineEvent } from "../engine/types";
import { startRetryExecution } from "../launch/start";
import { type ForEachItemChildren, forEachItemWork, killItems, runMerge, runSplit, startItems } from "./foreach-item";
import type { RunnerHost } from "./host";
import { executionStub } from "./object";
import { checkLoop, renderOutputs, resolve, runTask } from "./runner";
import { startSubflow } from "./subflow";

export interface CommandContext {
  host: RunnerHost;
  items: ForEachItemChildren;
  waitUntil: (work: Promise<unknown>) => void;
  /** Runs work whose result is the engine's next event. */
  launch: (work: Promise<EngineEvent>) => void;
}

export function carryOut(command: Command, { host, items, waitUntil, launch }: CommandContext): void {
  switch (command.type) {
    case "run": {
      const work = forEachItemWork(host.machine, command.taskRunId);
      if (work === "split") return launch(runSplit(host, command.taskRunId));
      if (work === "merge") return launch(runMerge(host, items, command.taskRunId));
      return launch(runTask(host, command.taskRunId));
    }
    case "resolve":
      return launch(resolve(host, command.taskRunId));
    case "check-loop":
      return launch(checkLoop(host, command.taskRunId, command.iteration));
    case "render-outputs":
      return launch(renderOutputs(host));
    case "abort":
      host.controllers.get(command.taskRunId)?.abort();
      // The kill cascades to every batch execution of a ForEachItem.
      if (command.cascade !== false && forEachItemWork(host.machine, command.taskRunId) === "items") {
        waitUntil(killItems(host, items, command.taskRunId));
      }
      return;
    case "log":
      host.log(command.taskRunId ?? null, command.level, command.message);
      return;
    case "create-retry-execution":
      return launch(
        startRetryExecution(host.env, host.machine.state).then((id) => {
          host.log(null, "INFO", `Retrying in a new execution ${id}`);
          return { type: "alarm" } as const;
        }),
      );
    case "subflow":
      if (forEachItemWork(host.machine, command.taskRunId) === "items") {
        return launch(startItems(host, items, command.taskRunId));
      }
      return launch(startSubflow(host, command.taskRunId));
    case "kill-child": {
      const kill = executionStub(host.env, host.machine.execution.tenantId, command.executionId).kill();
      waitUntil(kill.then(() => undefined));
      return;
    }
    case "follow-up":
      return launch(Promise.resolve(command.event));
    case "ended":
      return;
  }
}
