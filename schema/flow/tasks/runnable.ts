// Own properties of the core runnable tasks (spec §5): log, debug, output, execution, sleep, http, kv,
// storage and templating. Keyed by the type name after `io.kestra.plugin.core.`.
import * as z from "zod";
import { anyMap, duration, LOG_LEVELS, stringList, templBoolean, templEnum, templInt } from "../common";

/** A required property of any shape. */
const present = z.unknown().refine((v) => v !== undefined, { message: "Missing required property" });
const stringOrList = z.union([z.string(), z.array(z.string())]);
const level = templEnum(LOG_LEVELS);
const labelsValue = z.union([
  z.string(),
  z.record(z.string(), z.unknown()),
  z.array(z.strictObject({ key: z.string(), value: z.unknown() })),
]);
const KV_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON"] as const;
const HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"] as const;
/** What names a state of state.Get/Set/Delete. */
const stateProps = {
  name: z.string().optional(),
  namespace: templBoolean.optional(),
  taskrunValue: templBoolean.optional(),
};
const splitProps = {
  bytes: z.union([z.string(), z.number()]).optional(),
  partitions: templInt.optional(),
  rows: templInt.optional(),
  separator: z.string().optional(),
};

export const runnableProps = {
  "log.Log": { message: stringOrList, level: level.optional() },
  "debug.Return": { format: z.string().optional() },
  "debug.Echo": { format: z.string(), level: level.optional() },
  "output.OutputValues": { values: anyMap.optional() },
  "execution.Fail": { errorMessage: z.string().optional(), condition: z.union([z.string(), z.boolean()]).optional() },
  "execution.Labels": { labels: labelsValue },
  "flow.Sleep": { duration },
  "http.Request": {
    uri: z.string(),
    method: templEnum(HTTP_METHODS).optional(),
    body: z.unknown().optional(),
    formData: anyMap.optional(),
    contentType: z.string().optional(),
    headers: anyMap.optional(),
    options: anyMap.optional(),
    sslOptions: anyMap.optional(),
    allowFailed: templBoolean.optional(),
    encryptBody: templBoolean.optional(),
  },
  "kv.Set": {
    key: z.string(),
    value: present,
    namespace: z.string().optional(),
    overwrite: templBoolean.optional(),
    ttl: duration.optional(),
    kvType: templEnum(KV_TYPES).optional(),
  },
  "kv.Get": { key: z.string(), namespace: z.string().optional(), errorOnMissing: templBoolean.optional() },
  "kv.GetKeys": { prefix: z.string().optional(), namespace: z.string().optional() },
  "kv.Delete": { key: z.string(), namespace: z.string().optional(), errorOnMissing: templBoolean.optional() },
  "templating.TemplatedTask": { spec: z.string() },
  "log.Fetch": {
    executionId: z.string().optional(),
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    tasksId: stringList.optional(),
    level: level.optional(),
  },
  "http.Download": {
    uri: z.string(),
    method: templEnum(HTTP_METHODS).optional(),
    body: z.string().optional(),
    contentType: z.string().optional(),
    headers: anyMap.optional(),
    failOnEmptyResponse: templBoolean.optional(),
  },
  "execution.Resume": {
    executionId: z.string().optional(),
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    inputs: anyMap.optional(),
  },
  "state.Get": { ...stateProps, errorOnMissing: templBoolean.optional() },
  "state.Set": { ...stateProps, data: anyMap.optional() },
  "state.Delete": { ...stateProps, errorOnMissing: templBoolean.optional() },
  "storage.LocalFiles": { inputs: z.union([anyMap, z.string()]).optional(), outputs: stringList.optional() },
  "storage.Concat": {
    files: z.union([z.string(), stringList]),
    separator: z.string().optional(),
    extension: z.string().optional(),
  },
  "storage.Split": { from: z.string(), ...splitProps },
  "storage.Delete": { uri: z.string(), errorOnMissing: templBoolean.optional() },
  "storage.Size": { uri: z.string() },
  "storage.Reverse": {
    from: z.string(),
    extension: z.string().optional(),
    separator: z.string().optional(),
    charset: z.string().optional(),
  },
  "storage.DeduplicateItems": { from: z.string(), expr: z.string() },
  "storage.FilterItems": {
    from: z.string(),
    filterCondition: z.string(),
    filterType: templEnum(["INCLUDE", "EXCLUDE"] as const).optional(),
    errorOrNullBehavior: templEnum(["FAIL", "INCLUDE", "EXCLUDE"] as const).optional(),
  },
  "storage.PurgeCurrentExecutionFiles": {},
} satisfies Record<string, z.ZodRawShape>;

/**
 * Core types Kestra has and Peregrine does not run yet: their schema is known, and saving a flow
 * that uses one is refused with a message naming the type rather than accepted and failed later.
 */
export const notRunProps = {} satisfies Record<string, z.ZodRawShape>;
