// ForEachItem's generated tasks as the execution Durable Object carries them out (spec §5):
// `_split` cuts the items file into batch files, `_items` starts one subflow execution per batch
// and waits for all of them, `_merge` writes their outputs to one file. The batches' executions
// are tracked in this object's SQLite, one row each, never in the engine's memory: a ForEachItem
// over 10,000 items costs the engine three task runs.
import { applyPluginDefaults } from "../../schema/flow/defaults";
import type { Task } from "../../schema/flow/types";
import { FOR_EACH_ITEM, FOR_EACH_ITEM_ITEMS, FOR_EACH_ITEM_MERGE, FOR_EACH_ITEM_SPLIT } from "../engine/flow-index";
import type { ExecutionMachine } from "../engine/machine";
import { isTerminal } from "../engine/state";
import type { EngineEvent, StateType, TaskRun } from "../engine/types";
import { render, renderDeep } from "../expressions";
import { derivedId } from "../ids";
import { childInputs, planChildren, startChild } from "../launch/children";
import type { SecretMasker } from "../secrets/masker";
import { fileUri, mayRead, r2Key } from "../storage/files";
import { checkLimit, fileLimit } from "../storage/limits";
import { ForEachItemChildren } from "../tasks/foreach-item-children";
import { batchSpec, cutBatches, readLines } from "../tasks/foreach-item-split";
import type { RunnerHost } from "./host";
import { executionStub } from "./object";
import { renderScope } from "./runner";

export { ForEachItemChildren };

/** Children started (or killed) at once: enough to be quick, few enough not to flood anything. */
const CHUNK = 50;
/** Fed back while `_items` waits for its children: changes nothing by itself. */
const NOTHING: EngineEvent = { type: "alarm" };

export type ForEachItemWork = "split" | "items" | "merge";

/** Which generated ForEachItem task a task run is, if any. */
export function forEachItemWork(machine: ExecutionMachine, taskRunId: string): ForEachItemWork | undefined {
  const run = machine.taskRun(taskRunId);
  if (!run) return undefined;
  switch (machine.index.places.get(run.taskId)?.task.type) {
    case FOR_EACH_ITEM_SPLIT:
      return "split";
    case FOR_EACH_ITEM_ITEMS:
      return "items";
    case FOR_EACH_ITEM_MERGE:
      return "merge";
    default:
      return undefined;
  }
}

interface Work {
  run: TaskRun;
  /** The ForEachItem itself, plugin defaults applied: the one source of its properties. */
  task: Task;
  vars: Record<string, unknown>;
  /** The run's services: secret() in its properties, and the masker of what it reveals. */
  svc: Awaited<ReturnType<typeof renderScope>>["svc"];
}

async function workOf(host: RunnerHost, taskRunId: string): Promise<Work> {
  const { machine } = host;
  const run = machine.taskRun(taskRunId);
  const parent = run && machine.parentOf(run);
  if (!run || !parent) throw new Error(`Task run ${taskRunId} is not part of a ForEachItem`);
  const task = applyPluginDefaults({ ...machine.taskOf(parent), type: FOR_EACH_ITEM }, machine.state.flow);
  // With the SECRET inputs in plaintext: a batch's inputs may pass them on to its subflow.
  const { vars, svc } = await renderScope(host, run);
  return { run, task, vars, svc };
}

/** The latest task run of a sibling generated task (`_split` for `_items`, `_items` for `_merge`). */
function sibling(machine: ExecutionMachine, run: TaskRun, suffix: string): TaskRun | undefined {
  const id = `${machine.taskOf(machine.parentOf(run)!).id}${suffix}`;
  return machine
    .childrenOf(run.parentTaskRunId ?? "")
    .filter((r) => r.taskId === id)
    .at(-1);
}

/** A failure, its message masked like any task's error once the run has revealed something. */
const failed = (taskRunId: string, e: unknown, masker?: SecretMasker): EngineEvent => {
  const message = e instanceof Error ? e.message : String(e);
  return {
    type: "task-result",
    taskRunId,
    result: { state: "FAILED", error: masker ? masker.mask(message) : message },
  };
};

/**
 * Writes lines to R2 as a stream of known length: neither the lines nor the file are held. The
 * length is known before the first byte is written, so a file over the storage limit is refused
 * with nothing stored.
 */
async function putLines(
  bucket: R2Bucket,
  key: string,
  lines: () => Iterable<string>,
  limit: { fileName: string; limit: number },
): Promise<void> {
  const encoder = new TextEncoder();
  let total = 0;
  for (const line of lines()) total += encoder.encode(line).byteLength + 1;
  checkLimit(total, limit.fileName, limit.limit);
  const { readable, writable } = new FixedLengthStream(total);
  const stored = bucket.put(key, readable);
  const writer = writable.getWriter();
  for (const line of lines()) await writer.write(encoder.encode(`${line}\n`));
  await writer.close();
  await stored;
}

// ── _split ────────────────────────────────────────────────────────────────────────────────────

export async function runSplit(host: RunnerHost, taskRunId: string): Promise<EngineEvent> {
  const { machine, env, scope } = host;
  const limit = fileLimit(env);
  const written: string[] = [];
  let masker: SecretMasker | undefined;
  try {
    const { run, task, vars, svc } = await workOf(host, taskRunId);
    masker = svc.masker;
    const items = (await render(String(task.items ?? ""), vars, svc)).trim();
    if (!items.startsWith("kestra:///")) throw new Error(`ForEachItem 'items' must be a kestra:// URI, got '${items}'`);
    if (!mayRead(machine.execution, items)) {
      throw new Error(`This execution may not read ${items}`);
    }
    const spec = batchSpec(await renderDeep(task.batch ?? {}, vars, svc));
    const key = r2Key(scope.tenantId, items);
    const source = await env.STORAGE.get(key);
    if (!source) throw new Error(`File not found: ${items}`);
    const name = items.slice(items.lastIndexOf("/") + 1);
    const ext = name.lastIndexOf(".") > 0 ? name.slice(name.lastIndexOf(".")) : "";
    const batchUri = (i: number) => fileUri(scope, ["tasks", run.taskId, run.id], `batch-${i + 1}${ext}`);
    // Each batch is a ranged read of the source copied as a stream: no batch is ever buffered.
    const count = await cutBatches(source.body, source.size, spec, async (i, start, end) => {
      checkLimit(end - start, `batch-${i + 1}${ext}`, limit);
      const part = await env.STORAGE.get(key, { range: { offset: start, length: end - start } });
      if (!part) throw new Error(`File not found: ${items}`);
      const batchKey = r2Key(scope.tenantId, batchUri(i));
      written.push(batchKey);
      await env.STORAGE.put(batchKey, part.body);
    });
    const splits = fileUri(scope, ["tasks", run.taskId, run.id], "splits.txt");
    const lines = function* () {
      for (let i = 0; i < count; i++) yield batchUri(i);
    };
    await putLines(env.STORAGE, r2Key(scope.tenantId, splits), lines, { fileName: "splits.txt", limit });
    host.log(taskRunId, "INFO", svc.masker.mask(`Split ${items} into ${count} batch(es)`));
    return {
      type: "task-result",
      taskRunId,
      result: { state: "SUCCESS", outputs: { splits, numberOfBatches: count } },
    };
  } catch (e) {
    // Batches already cut belong to no split file: none of this attempt stays behind.
    if (written.length) await env.STORAGE.delete(written).catch(() => undefined);
    return failed(taskRunId, e, masker);
  }
}

// ── _items ────────────────────────────────────────────────────────────────────────────────────

/**
 * Starts the execution of every batch not started yet (ids are stable per attempt and batch, so
 * running this again after a crash starts nothing twice), then waits, or ends at once (wait false).
 */
export async function startItems(
  host: RunnerHost,
  children: ForEachItemChildren,
  taskRunId: string,
): Promise<EngineEvent> {
  const { machine, env } = host;
  const parent = machine.execution;
  const stillRunning = () => machine.taskRun(taskRunId)?.state.current === "RUNNING";
  let masker: SecretMasker | undefined;
  try {
    const { run, task, vars, svc } = await workOf(host, taskRunId);
    masker = svc.masker;
    const split = sibling(machine, run, "_split");
    const splits = split?.outputs?.splits;
    if (typeof splits !== "string") throw new Error("The ForEachItem split produced no batches file");
    const batches = Number(split?.outputs?.numberOfBatches ?? 0);
    children.expect(taskRunId, run.attempts.length, batches);
    const plan = await planChildren(env, parent, task, vars, svc, { id: task.id, type: FOR_EACH_ITEM });
    if (typeof plan === "string") throw new Error(plan);

    const source = await env.STORAGE.get(r2Key(host.scope.tenantId, splits));
    if (!source) throw new Error(`File not found: ${splits}`);
    const taskrun = vars.taskrun as Record<string, unknown>;
    const startOne = async (items: string, iteration: number) => {
      const id = await derivedId(taskRunId, `item:${run.attempts.length}:${iteration}`);
      if (children.started(taskRunId, iteration, id)) return;
      children.record(taskRunId, iteration, id);
      const inputs = await childInputs(plan, task.inputs, { ...vars, taskrun: { ...taskrun, items, iteration } }, svc);
      if (typeof inputs === "string") throw new Error(inputs);
      await startChild(env, parent, plan, { id, inputs, taskRunId });
      children.markStarted(taskRunId, iteration);
    };
    let chunk: Array<[string, number]> = [];
    const flush = async () => {
      await Promise.all(chunk.map(([items, iteration]) => startOne(items, iteration)));
      chunk = [];
    };
    let iteration = 0;
    for await (const line of readLines(source.body)) {
      if (!line) continue;
      chunk.push([line, ++iteration]);
      if (chunk.length < CHUNK) continue;
      await flush();
      if (!stillRunning()) break;
    }
    if (stillRunning()) await flush();
    // Killed while starting: the abort came before some of these existed.
    if (!stillRunning()) {
      await killItems(host, children, taskRunId);
      return NOTHING;
    }
    if (!plan.wait) {
      // Kestra reports each batch of a ForEachItem that does not wait as a success once started.
      const outputs = { numberOfBatches: batches, iterations: { CREATED: 0, RUNNING: 0, SUCCESS: batches } };
      return { type: "task-result", taskRunId, result: { state: "SUCCESS", outputs } };
    }
    return (await itemsOutcome(host, children, taskRunId)) ?? NOTHING;
  } catch (e) {
    await killItems(host, children, taskRunId);
    return failed(taskRunId, e, masker);
  }
}

/** From `childEnded`, at least once per batch: records the end; after the last one, `_items` ends. */
export async function itemEnded(
  host: RunnerHost,
  children: ForEachItemChildren,
  taskRunId: string,
  executionId: string,
  state: StateType,
  outputs: Record<string, unknown> | undefined,
): Promise<EngineEvent | undefined> {
  if (!isTerminal(state)) return undefined;
  if (!children.ended(taskRunId, executionId, state, outputs ?? {})) return undefined;
  if (host.machine.taskRun(taskRunId)?.state.current !== "RUNNING") return undefined;
  return itemsOutcome(host, children, taskRunId);
}

/** The worst state wins: FAILED, then KILLED, then WARNING (transmitFailed is the engine's). */
function worstOf(iterations: Record<string, number>): StateType {
  if (iterations.FAILED) return "FAILED";
  if (iterations.KILLED || iterations.CANCELLED) return "KILLED";
  if (iterations.WARNING) return "WARNING";
  return "SUCCESS";
}

/** Once every batch's execution ended: `_items` ends with their counts and outputs file. */
async function itemsOutcome(
  host: RunnerHost,
  children: ForEachItemChildren,
  taskRunId: string,
): Promise<EngineEvent | undefined> {
  const progress = children.progress(taskRunId);
  if (!progress || progress.ended < progress.batches) return undefined;
  const run = host.machine.taskRun(taskRunId)!;
  let uri: string;
  try {
    uri = await writeOutputs(host, children, taskRunId, run, "outputs.jsonl");
  } catch (e) {
    // Every batch ended, so nothing is left to kill; `_items` fails with the reason (e.g. the limit).
    return failed(taskRunId, e);
  }
  const outputs = { numberOfBatches: progress.batches, iterations: progress.iterations, uri };
  return { type: "items-ended", taskRunId, state: worstOf(progress.iterations), outputs };
}

/** The batches' executions still running are killed: the kill of the parent cascades to them. */
export async function killItems(host: RunnerHost, children: ForEachItemChildren, taskRunId: string): Promise<void> {
  const ids = children.running(taskRunId);
  for (let i = 0; i < ids.length; i += CHUNK) {
    await Promise.allSettled(
      ids.slice(i, i + CHUNK).map((id) => executionStub(host.env, host.scope.tenantId, id).kill()),
    );
  }
}

// ── _merge ────────────────────────────────────────────────────────────────────────────────────

/** JSON lines of the batches' outputs in batch order (Kestra writes ION; JSON lines is ours). */
async function writeOutputs(
  host: RunnerHost,
  children: ForEachItemChildren,
  itemsRunId: string,
  owner: TaskRun,
  name: string,
): Promise<string> {
  const uri = fileUri(host.scope, ["tasks", owner.taskId, owner.id], name);
  await putLines(host.env.STORAGE, r2Key(host.scope.tenantId, uri), () => children.outputs(itemsRunId), {
    fileName: name,
    limit: fileLimit(host.env),
  });
  return uri;
}

export async function runMerge(
  host: RunnerHost,
  children: ForEachItemChildren,
  taskRunId: string,
): Promise<EngineEvent> {
  const { machine } = host;
  let masker: SecretMasker | undefined;
  try {
    const { run, task, svc } = await workOf(host, taskRunId);
    masker = svc.masker;
    const items = sibling(machine, run, "_items");
    // Without wait, nothing was collected: the batches' executions may still be running.
    if (String(task.wait ?? true) === "false" || !items)
      return { type: "task-result", taskRunId, result: { state: "SUCCESS" } };
    const subflowOutputs = await writeOutputs(host, children, items.id, run, "subflowOutputs.jsonl");
    return { type: "task-result", taskRunId, result: { state: "SUCCESS", outputs: { subflowOutputs } } };
  } catch (e) {
    return failed(taskRunId, e, masker);
  }
}
