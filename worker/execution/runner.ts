// Carries out the engine's work commands inside the Durable Object: runs a runnable task with its
// context (render, logs, metrics, files, guarded fetch, timeout), evaluates flowables before they
// are scheduled, and renders the flow outputs at the end. Each returns the event to feed back.

import { applyPluginDefaults } from "../../schema/flow/defaults";
import type { EngineEvent, MetricEntry, TaskResult, TaskRun } from "../engine/types";
import { executionVariables, type InstanceVariables, parseGlobals, taskRunVariables } from "../engine/variables";
import { isTruthy, type RenderServices, render, renderDeep, renderTyped } from "../expressions";
import { typedOutputValue } from "../launch/inputs";
import { checkStoredValue } from "../limits";
import { createGuardedFetch } from "../net/guarded-fetch";
import { withSecretInputs } from "../secrets/inputs";
import { withSecretOutputs } from "../secrets/outputs";
import { type StoreServices, storeServices } from "../secrets/services";
import { fileUri, r2Key } from "../storage/files";
import { fileLimit, putLimited } from "../storage/limits";
import { namespaceFileUri, namespacePath } from "../storage/namespace-files";
import { readText, sizeOf } from "../storage/readable";
import { parseDurationMs } from "../tasks/duration";
import { maskResolution, resolveTask } from "../tasks/flowables";
import { runnerOf } from "../tasks/registry";
import { type LogLevel, type TaskContext, TaskFailure } from "../tasks/types";
import { type RunnerHost, TaskAbort } from "./host";
import { resumeExecution } from "./resume";
import { deleteOwnFile, openFile, purgeOwnFiles } from "./task-files";
import { executionLogs } from "./task-logs";

const envsByEnv = new WeakMap<Env, InstanceVariables>();

/**
 * Worker variables named `KESTRA_X` become `{{ envs.x }}`, as Kestra does with its env-vars prefix,
 * and the JSON object of the `GLOBALS` variable becomes `{{ globals }}` (Kestra's
 * `kestra.variables.globals`). Read once per `env` object (an object's lives as long as it does),
 * not once per task run.
 */
function envsOf(env: Env): InstanceVariables {
  let found = envsByEnv.get(env);
  if (!found) {
    const envs: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) {
      if (key.startsWith("KESTRA_") && typeof value === "string") envs[key.slice(7).toLowerCase()] = value;
    }
    found = { envs, globals: parseGlobals((env as { GLOBALS?: unknown }).GLOBALS) };
    envsByEnv.set(env, found);
  }
  return found;
}

type Vars = Record<string, unknown>;

const LEVEL_RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** The variables a task run renders against, with this Worker's `envs` (SECRET inputs masked: see renderScope). */
export function runVariables(host: RunnerHost, run: TaskRun): Record<string, unknown> {
  return taskRunVariables(host.machine, run, envsOf(host.env));
}

type Services = RenderServices & StoreServices;

function services(host: RunnerHost): Services {
  return {
    read: (target) => readScoped(host, target),
    fileURI: (path) => namespaceFileUri(host.scope.namespace, namespacePath(path)),
    fileSize: (target) => sizeOf(host.env.STORAGE, host.scope.tenantId, host.machine.execution, target),
    errorLogs: () => host.errorLogs(),
    ...storeServices(host.env, host.scope),
  };
}

function readScoped(host: RunnerHost, target: string): Promise<string> {
  return readText(host.env.STORAGE, host.scope.tenantId, host.machine.execution, target);
}

/** `vars` with the execution's sealed values (SECRET inputs, SECRET onResume outputs) opened, each told to `masker`. */
async function withSecrets(host: RunnerHost, vars: Vars, masker: StoreServices["masker"]): Promise<Vars> {
  const withInputs = await withSecretInputs(host.env, host.machine.execution, vars, masker);
  return withSecretOutputs(host.env, host.machine, withInputs, masker);
}

/**
 * What a task run renders with: its variables, with the execution's SECRET inputs decrypted into
 * `inputs` (and SECRET onResume values into `outputs`), and services whose masker knows those
 * values as it knows every value secret() reveals. Whatever leaves the run goes through that masker.
 */
export async function renderScope(host: RunnerHost, run: TaskRun): Promise<{ vars: Vars; svc: Services }> {
  const svc = services(host);
  const vars = await withSecrets(host, runVariables(host, run), svc.masker);
  return { vars, svc };
}

export async function resolve(host: RunnerHost, taskRunId: string): Promise<EngineEvent> {
  const { machine } = host;
  const run = machine.taskRun(taskRunId)!;
  const task = applyPluginDefaults(machine.taskOf(run), machine.state.flow);
  let scope: Awaited<ReturnType<typeof renderScope>>;
  try {
    scope = await renderScope(host, run);
  } catch (e) {
    return {
      type: "resolved",
      taskRunId,
      resolution: { ok: false, error: e instanceof Error ? e.message : String(e) },
    };
  }
  const { vars, svc } = scope;
  const resolution = await resolveTask(task, {
    render: (t) => render(t, vars, svc),
    renderDeep: (v) => renderDeep(v, vars, svc),
  });
  // Loop values, Switch outputs and errors are stored and shown: no revealed value may stay in them.
  return { type: "resolved", taskRunId, resolution: maskResolution(resolution, svc.masker) };
}

/** A LoopUntil/WaitFor iteration ended: its condition, rendered with the loop's own scope. */
export async function checkLoop(host: RunnerHost, taskRunId: string, iteration: number): Promise<EngineEvent> {
  const { machine } = host;
  const run = machine.taskRun(taskRunId)!;
  const task = applyPluginDefaults(machine.taskOf(run), machine.state.flow);
  try {
    const { vars, svc } = await renderScope(host, run);
    const again = isTruthy(await render(String(task.condition ?? ""), vars, svc));
    return { type: "loop-checked", taskRunId, iteration, again };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { type: "loop-checked", taskRunId, iteration, again: false, error: services(host).masker.mask(error) };
  }
}

export async function runTask(host: RunnerHost, taskRunId: string): Promise<EngineEvent> {
  const { machine } = host;
  const run = machine.taskRun(taskRunId)!;
  const task = applyPluginDefaults(machine.taskOf(run), machine.state.flow);
  const impl = runnerOf(task.type);
  const fail = (error: string): EngineEvent => ({ type: "task-result", taskRunId, result: { state: "FAILED", error } });
  // Saving refuses a type without a runner; a flow stored before a type lost its runner ends here.
  if (!impl) return fail(`Task type ${task.type} is not supported by Peregrine`);

  let scope: Awaited<ReturnType<typeof renderScope>>;
  try {
    scope = await renderScope(host, run);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const { vars, svc } = scope;
  const metrics: MetricEntry[] = [];
  const controller = new TaskAbort();
  host.controllers.set(taskRunId, controller);
  let guarded: ReturnType<typeof createGuardedFetch> | undefined;
  const ctx: TaskContext = {
    task,
    kv: svc.kvStore,
    get signal() {
      return controller.signal;
    },
    render: (t) => render(t, vars, svc),
    renderTyped: (t) => renderTyped(t, vars, svc),
    renderDeep: (v) => renderDeep(v, vars, svc),
    log: (level, message) => {
      // The task's logLevel is the lowest level it keeps, as in Kestra.
      if (task.logLevel && LEVEL_RANK[level] < LEVEL_RANK[task.logLevel]) return;
      host.log(taskRunId, level, svc.masker.mask(message));
    },
    metric: (m) => metrics.push({ ...m, tags: m.tags ?? {}, timestamp: new Date().toISOString() }),
    putFile: async (name, body) => {
      // Whole or not at all, within the storage limit: a task fails with FileTooLarge's message.
      const uri = fileUri(host.scope, ["tasks", task.id, taskRunId], name);
      const limit = fileLimit(host.env);
      await putLimited(host.env.STORAGE, r2Key(host.scope.tenantId, uri), body, { fileName: name, limit });
      return uri;
    },
    readFile: (uri) => readScoped(host, uri),
    openFile: (uri) => openFile(host.env.STORAGE, host.scope, host.machine.execution, uri),
    fileSize: (uri) => sizeOf(host.env.STORAGE, host.scope.tenantId, host.machine.execution, uri),
    deleteFile: (uri) => deleteOwnFile(host.env.STORAGE, host.scope, uri),
    purgeExecutionFiles: () => purgeOwnFiles(host.env.STORAGE, host.scope),
    resumeExecution: async (target, inputs) => {
      if (target.executionId === host.scope.executionId) {
        throw new TaskFailure("An execution cannot resume itself: name another execution in executionId");
      }
      const submitted = async () => ({ values: inputs, files: {} });
      await resumeExecution(host.env, { ...target, tenantId: host.scope.tenantId }, submitted, new Date());
    },
    executionLogs: (id, minLevel) => executionLogs(host, id, minLevel),
    renderTypedWith: (t, extra) => renderTyped(t, { ...vars, ...extra }, svc),
    fetch: (url, init) => {
      guarded ??= createGuardedFetch({ allowPrivateNetwork: host.env.ALLOW_PRIVATE_NETWORK === "true" });
      return guarded(url, { ...init, signal: controller.signal });
    },
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let timeoutMs: number | undefined;
  try {
    if (task.timeout) timeoutMs = parseDurationMs(await ctx.render(String(task.timeout)));
    const started = Date.now();
    const running = impl.run(ctx);
    let outcome: Awaited<typeof running>;
    if (timeoutMs !== undefined) {
      const ms = timeoutMs;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`Task timed out after ${task.timeout}`));
        }, ms);
      });
      outcome = await Promise.race([running, expired]);
    } else {
      outcome = await running;
    }
    // Work that never yields (a long render) finishes before the timer can fire; it still ran
    // past its timeout, so it fails as if the timer had stopped it.
    if (timeoutMs !== undefined && outcome.sleepMs === undefined && Date.now() - started > timeoutMs) {
      throw new Error(`Task timed out after ${task.timeout}`);
    }
    const result: TaskResult = { state: outcome.state ?? "SUCCESS", metrics };
    if (outcome.outputs) {
      checkStoredValue(outcome.outputs, "Outputs", "write large data to a file instead");
      result.outputs = svc.masker.maskDeep(outcome.outputs);
    }
    if (outcome.labels) result.labels = svc.masker.maskDeep(outcome.labels);
    if (outcome.sleepMs !== undefined) result.sleepMs = outcome.sleepMs;
    // A wait longer than the task's timeout ends, failed, when the timeout does.
    if (timeoutMs !== undefined && result.sleepMs !== undefined && result.sleepMs > timeoutMs) {
      Object.assign(result, { state: "FAILED", sleepMs: timeoutMs, error: `Task timed out after ${task.timeout}` });
    }
    return { type: "task-result", taskRunId, result };
  } catch (e) {
    return {
      type: "task-result",
      taskRunId,
      result: { state: "FAILED", metrics, error: svc.masker.mask(e instanceof Error ? e.message : String(e)) },
    };
  } finally {
    if (timer) clearTimeout(timer);
    host.controllers.delete(taskRunId);
  }
}

/** Flow outputs are rendered and typed at the end; any failure turns the execution FAILED. */
export async function renderOutputs(host: RunnerHost): Promise<EngineEvent> {
  const { machine } = host;
  const svc = services(host);
  try {
    const vars = await withSecrets(host, executionVariables(machine, envsOf(host.env)), svc.masker);
    const outputs: Record<string, unknown> = {};
    for (const output of machine.state.flow.outputs ?? []) {
      outputs[output.id] = svc.masker.maskDeep(
        await typedOutputValue(output, await renderDeep(output.value, vars, svc)),
      );
    }
    checkStoredValue(outputs, "Flow outputs", "write large data to a file instead");
    return { type: "outputs-rendered", outputs };
  } catch (e) {
    return { type: "outputs-rendered", error: svc.masker.mask(e instanceof Error ? e.message : String(e)) };
  }
}

/**
 * Renders `value` in this execution's context, as a parent's Subflow renders its deprecated
 * `outputs` map against the child's task outputs once the child has ended. Masked like outputs.
 */
export async function renderInExecution(
  host: RunnerHost,
  value: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const svc = services(host);
  try {
    const vars = await withSecrets(host, executionVariables(host.machine, envsOf(host.env)), svc.masker);
    return { ok: true, value: svc.masker.maskDeep(await renderDeep(value, vars, svc)) };
  } catch (e) {
    return { ok: false, error: svc.masker.mask(e instanceof Error ? e.message : String(e)) };
  }
}
