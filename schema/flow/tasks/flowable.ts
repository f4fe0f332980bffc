// Own properties of the core flowable tasks (spec §5, `flow.*`): the ones holding child tasks, plus
// Subflow and ForEachItem which start other executions. Keyed by the type name after `io.kestra.plugin.core.`.
import * as z from "zod";
import { anyMap, duration, labels, templBoolean, templInt } from "../common";
import { inputList } from "../inputs";
import { branches } from "./base";
import { nonEmptyTaskList, taskList, taskRef } from "./ref";

const loopValues = z.union([z.string(), z.array(z.unknown())], {
  error: "Expected a list of values or a string holding a JSON array",
});
const dagTask = z.strictObject({ task: taskRef, dependsOn: z.array(z.string()).optional() });
const checkFrequency = z.strictObject({
  interval: duration.optional(),
  maxIterations: templInt.optional(),
  maxDuration: duration.optional(),
});
const loop = {
  tasks: nonEmptyTaskList,
  condition: z.union([z.string(), z.boolean()]),
  failOnMaxReached: templBoolean.optional(),
  checkFrequency: checkFrequency.optional(),
  ...branches,
};
const RESTART = z.enum(["NEW_EXECUTION", "RETRY_FAILED"]);
/** What Subflow and ForEachItem share: which flow to start and how to wait for it. */
const childFlow = {
  namespace: z.string(),
  flowId: z.string(),
  revision: templInt.optional(),
  inputs: anyMap.optional(),
  labels: labels.optional(),
  wait: templBoolean.optional(),
  transmitFailed: templBoolean.optional(),
  inheritLabels: z.boolean().optional(),
  scheduleDate: z.string().optional(),
  restartBehavior: RESTART.optional(),
};

export const flowableProps = {
  "flow.Sequential": { tasks: nonEmptyTaskList, ...branches },
  "flow.Parallel": { tasks: nonEmptyTaskList, concurrent: templInt.optional(), ...branches },
  "flow.ForEach": {
    values: loopValues,
    concurrencyLimit: templInt.optional(),
    tasks: nonEmptyTaskList,
    ...branches,
  },
  "flow.EachSequential": { value: loopValues, tasks: nonEmptyTaskList, ...branches },
  "flow.EachParallel": { value: loopValues, concurrent: templInt.optional(), tasks: nonEmptyTaskList, ...branches },
  "flow.Switch": {
    value: z.union([z.string(), z.number(), z.boolean()]),
    cases: z.record(z.string(), taskList).optional(),
    defaults: taskList.optional(),
    ...branches,
  },
  "flow.If": {
    condition: z.union([z.string(), z.boolean()]),
    // biome-ignore lint/suspicious/noThenProperty: `then` is the If task's property name in Kestra flows.
    then: nonEmptyTaskList,
    else: taskList.optional(),
    ...branches,
  },
  "flow.AllowFailure": { tasks: nonEmptyTaskList, ...branches },
  "flow.Dag": {
    tasks: z.array(dagTask).min(1, { message: "At least one task is required" }),
    concurrent: templInt.optional(),
    ...branches,
  },
  "flow.Pause": {
    delay: duration.optional(),
    pauseDuration: duration.optional(),
    behavior: z.enum(["RESUME", "WARN", "FAIL", "CANCEL"]).optional(),
    onResume: inputList.optional(),
    onPause: taskRef.optional(),
    tasks: taskList.optional(),
    ...branches,
  },
  /**
   * Its tasks run one after the other. Kestra's file properties (inputFiles, outputFiles,
   * namespaceFiles, cache) are for script tasks, which Peregrine does not run: they are refused.
   */
  "flow.WorkingDirectory": { tasks: nonEmptyTaskList, ...branches },
  /** Runs its tasks again while `condition` is truthy (Kestra 0.20's WaitFor). */
  "flow.WaitFor": loop,
  /** Runs its tasks again until `condition` is truthy. */
  "flow.LoopUntil": loop,
  "flow.Subflow": { ...childFlow, outputs: anyMap.optional() },
  "flow.ForEachItem": {
    ...childFlow,
    items: z.string(),
    batch: z
      .strictObject({
        rows: templInt.optional(),
        bytes: z.union([z.string(), z.number()]).optional(),
        partitions: templInt.optional(),
        separator: z.string().optional(),
      })
      .optional(),
    ...branches,
  },
} satisfies Record<string, z.ZodRawShape>;

/** Flowable types whose schema is known but which Peregrine does not run yet (see runnable.ts). */
export const notRunFlowableProps = {} satisfies Record<string, z.ZodRawShape>;
