// Properties every task accepts (spec §1.0), spread into each per-type schema.
import * as z from "zod";
import { duration, logLevel, retry, taskId, workerGroup } from "../common";
import { taskList } from "./ref";

export const commonTaskProps = {
  id: taskId,
  type: z.string(),
  description: z.string().optional(),
  retry: retry.optional(),
  timeout: duration.optional(),
  disabled: z.boolean().optional(),
  workerGroup: workerGroup.optional(),
  logLevel: logLevel.optional(),
  logToFile: z.boolean().optional(),
  allowFailure: z.boolean().optional(),
  allowWarning: z.boolean().optional(),
  runIf: z.union([z.string(), z.boolean()]).optional(),
  /** Newer Kestra pins plugin versions per task. */
  version: z.string().optional(),
};

/** `errors` and `finally` branches that flowable tasks carry. */
export const branches = {
  errors: taskList.optional(),
  finally: taskList.optional(),
};
