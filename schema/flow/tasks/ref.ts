// Late-bound reference to the task dispatcher, so per-type schemas can hold child task lists without an
// import cycle (dispatch.ts needs the registry, the registry's flowable schemas need child tasks).
import * as z from "zod";
import type { Task } from "../types";

let dispatcher: z.ZodType<Task> | undefined;

export function bindTaskSchema(schema: z.ZodType<Task>): void {
  dispatcher = schema;
}

/** One task of any registered type, validated by its own schema. */
export const taskRef: z.ZodType<Task> = z.lazy(() => {
  if (!dispatcher) throw new Error("task schema used before dispatch.ts was loaded");
  return dispatcher;
});

export const taskList = z.array(taskRef);
export const nonEmptyTaskList = z.array(taskRef).min(1, { message: "At least one task is required" });
