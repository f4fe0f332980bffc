// templating.TemplatedTask (spec §5): renders `spec` into the YAML of one runnable task, validates it
// with the flow model's own task schemas, and runs it in place with the same context (render, logs,
// metrics, files) but the inner task as `task`. Flowables and nested TemplatedTasks are refused.
import { canonicalType } from "../../schema/flow/aliases";
import { errorMap } from "../../schema/flow/common";
import { taskSchema } from "../../schema/flow/tasks/dispatch";
import type { Task } from "../../schema/flow/types";
import { byteLength, composeDocuments, formatPath, MAX_SOURCE_BYTES, readDocument } from "../../schema/flow/yaml";
import { renderString } from "./properties";
import type { RunnableTask } from "./types";
import { TaskFailure } from "./types";

export const TEMPLATED_TYPE = "io.kestra.plugin.core.templating.TemplatedTask";

/** `lookup` finds the runnable implementation of a canonical type (the registry, passed in to avoid a cycle). */
export function templatedTask(lookup: (type: string) => RunnableTask | undefined): RunnableTask {
  return {
    async run(ctx) {
      const inner = parseSpec(await renderString(ctx, "spec"), ctx.task.id);
      if (inner.type === TEMPLATED_TYPE) throw new TaskFailure("A TemplatedTask cannot template another TemplatedTask");
      // The spec validated, so a type without a runner is a flowable one.
      const impl = lookup(inner.type);
      if (!impl) {
        throw new TaskFailure(`The templated task must be a runnable task, '${inner.type}' is a flowable task`);
      }
      return impl.run({ ...ctx, task: inner });
    },
  };
}

/** One YAML mapping, validated as a task; the task's own id is used when the spec names none. */
function parseSpec(spec: string, defaultId: string): Task {
  if (byteLength(spec) > MAX_SOURCE_BYTES) throw new TaskFailure("The rendered spec is larger than 1 MiB");
  const docs = composeDocuments(spec);
  if (docs.length !== 1) throw new TaskFailure("The rendered spec must hold exactly one YAML document");
  const [doc] = docs;
  if (!doc || !("doc" in doc)) throw new TaskFailure(`Invalid spec: ${doc?.violations[0]?.message ?? "empty"}`);
  const read = readDocument(doc);
  if (!read.ok) throw new TaskFailure(`Invalid spec: ${read.violations[0]?.message ?? "unreadable YAML"}`);
  const value = read.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TaskFailure("The rendered spec must be a YAML mapping describing one task");
  }
  const raw: Record<string, unknown> = { id: defaultId, ...(value as Record<string, unknown>) };
  if (typeof raw.type === "string" && canonicalType(raw.type) === TEMPLATED_TYPE) {
    throw new TaskFailure("A TemplatedTask cannot template another TemplatedTask");
  }
  const parsed = taskSchema.safeParse(raw, { error: errorMap });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length
      ? `${formatPath(issue.path.map((s) => (typeof s === "number" ? s : String(s))))}: `
      : "";
    const detail =
      issue?.code === "unrecognized_keys"
        ? `Unknown property '${issue.keys.join("', '")}'`
        : (issue?.message ?? "invalid");
    throw new TaskFailure(`Invalid spec: ${where}${detail}`);
  }
  return parsed.data;
}
