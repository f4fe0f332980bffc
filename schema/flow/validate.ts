// Flow-level rules that no single property can check (spec §1 FlowValidator, §5 Dag): unique task, trigger,
// input and output ids; Dag dependencies known and acyclic; input dependsOn known and acyclic; no Subflow
// (or ForEachItem) starting its own flow; regular expressions stated outright that RE2 cannot run.
import { patternProblem } from "./patterns";
import type { DagTask, Flow, Task } from "./types";
import { formatPath, type PathSegment } from "./yaml";

export interface RawViolation {
  path: PathSegment[];
  message: string;
}

const CORE = "io.kestra.plugin.core.";
const DAG = `${CORE}flow.Dag`;
/** Child task lists, in the order they usually appear in a source (so "first declared" reads naturally). */
const CHILD_LISTS = ["tasks", "then", "else", "cases", "defaults", "onPause", "errors", "finally"] as const;

export interface TaskVisit {
  task: Task;
  path: PathSegment[];
}

/** Every task of the flow, depth first in source order, with its path. */
export function allTasks(flow: Flow): TaskVisit[] {
  const out: TaskVisit[] = [];
  const visitList = (list: unknown, path: PathSegment[]): void => {
    if (!Array.isArray(list)) return;
    list.forEach((t, i) => {
      visit(t as Task, [...path, i]);
    });
  };
  const visit = (task: Task, path: PathSegment[]): void => {
    out.push({ task, path });
    for (const key of CHILD_LISTS) {
      if (key === "tasks" && task.type === DAG) {
        (task.tasks as DagTask[] | undefined)?.forEach((d, i) => {
          visit(d.task, [...path, "tasks", i, "task"]);
        });
      } else if (key === "cases") {
        for (const [k, list] of Object.entries(task.cases ?? {})) visitList(list, [...path, "cases", k]);
      } else if (key === "onPause") {
        const onPause = task.onPause as Task | undefined;
        if (onPause && typeof onPause === "object") visit(onPause, [...path, "onPause"]);
      } else visitList(task[key], [...path, key]);
    }
  };
  for (const key of ["tasks", "errors", "finally", "afterExecution"] as const) visitList(flow[key], [key]);
  return out;
}

function duplicates(items: Array<{ id: string; path: PathSegment[] }>, what: string, out: RawViolation[]): void {
  const seen = new Map<string, PathSegment[]>();
  for (const { id, path } of items) {
    const first = seen.get(id);
    if (first) out.push({ path, message: `Duplicate ${what} id '${id}' (first declared at ${formatPath(first)})` });
    else seen.set(id, path);
  }
}

/** A cycle in a dependency graph, as the list of ids along it (first id repeated at the end). */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const dfs = (node: string): string[] | undefined => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const s = state.get(next);
      if (s === 1) return [...stack.slice(stack.indexOf(next)), next];
      if (s === undefined) {
        const found = dfs(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 2);
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = dfs(node);
    if (found) return found;
  }
  return undefined;
}

function checkDag(task: Task, path: PathSegment[], out: RawViolation[]): void {
  const entries = (task.tasks as DagTask[] | undefined) ?? [];
  const ids = new Set(entries.map((d) => d.task.id));
  const graph = new Map<string, string[]>();
  entries.forEach((d, i) => {
    graph.set(d.task.id, d.dependsOn ?? []);
    d.dependsOn?.forEach((dep, k) => {
      if (!ids.has(dep)) {
        out.push({
          path: [...path, "tasks", i, "dependsOn", k],
          message: `Dag task '${d.task.id}' depends on unknown task '${dep}'`,
        });
      }
    });
  });
  const cycle = findCycle(graph);
  if (cycle) {
    const i = entries.findIndex((d) => d.task.id === cycle[0]);
    out.push({ path: [...path, "tasks", i, "dependsOn"], message: `Cyclic dependency in Dag: ${cycle.join(" -> ")}` });
  }
}

function checkInputs(flow: Flow, out: RawViolation[]): void {
  const inputs = flow.inputs ?? [];
  duplicates(
    inputs.map((input, i) => ({ id: input.id, path: ["inputs", i, "id"] })),
    "input",
    out,
  );
  const ids = new Set(inputs.map((input) => input.id));
  const graph = new Map<string, string[]>();
  inputs.forEach((input, i) => {
    const deps = input.dependsOn?.inputs ?? [];
    graph.set(input.id, deps);
    deps.forEach((dep, k) => {
      if (!ids.has(dep)) {
        out.push({
          path: ["inputs", i, "dependsOn", "inputs", k],
          message: `Input '${input.id}' depends on unknown input '${dep}'`,
        });
      }
    });
  });
  const cycle = findCycle(graph);
  if (cycle) {
    const i = inputs.findIndex((input) => input.id === cycle[0]);
    out.push({ path: ["inputs", i, "dependsOn"], message: `Cyclic dependency between inputs: ${cycle.join(" -> ")}` });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * Input validators and Flow trigger REGEX filters, refused at save rather than at the first run.
 * A pattern with an expression in it is only known once rendered: it is checked then.
 */
function checkPatterns(flow: Flow, out: RawViolation[]): void {
  const check = (pattern: unknown, path: PathSegment[]) => {
    if (typeof pattern !== "string" || pattern.includes("{{")) return;
    const problem = patternProblem(pattern);
    if (problem) out.push({ path, message: problem });
  };
  (flow.inputs ?? []).forEach((input, i) => {
    check(input.validator, ["inputs", i, "validator"]);
  });
  (flow.triggers ?? []).forEach((trigger, t) => {
    const where = isRecord(trigger.preconditions) ? trigger.preconditions.where : undefined;
    if (!Array.isArray(where)) return;
    where.forEach((w: unknown, j) => {
      const filters = isRecord(w) ? w.filters : undefined;
      if (!Array.isArray(filters)) return;
      filters.forEach((f: unknown, k) => {
        if (isRecord(f) && f.type === "REGEX")
          check(f.value, ["triggers", t, "preconditions", "where", j, "filters", k, "value"]);
      });
    });
  });
}

export function validateFlow(flow: Flow): RawViolation[] {
  const out: RawViolation[] = [];
  const tasks = allTasks(flow);
  // A ForEachItem runs as three generated task runs whose ids it reserves, as Kestra does.
  const generated = (task: { id: string; type: string }) =>
    task.type === `${CORE}flow.ForEachItem` ? ["_split", "_items", "_merge"].map((s) => `${task.id}${s}`) : [];
  duplicates(
    tasks.flatMap(({ task, path }) => [
      { id: task.id, path: [...path, "id"] },
      ...generated(task).map((id) => ({ id, path: [...path, "id"] })),
    ]),
    "task",
    out,
  );
  for (const { task, path } of tasks) {
    if (task.type === DAG) checkDag(task, path, out);
    const startsFlow = task.type === `${CORE}flow.Subflow` || task.type === `${CORE}flow.ForEachItem`;
    if (startsFlow && task.namespace === flow.namespace && task.flowId === flow.id) {
      out.push({
        path: [...path, "flowId"],
        message: `Task '${task.id}' starts its own flow ${flow.namespace}.${flow.id} (recursive subflow)`,
      });
    }
  }
  duplicates(
    (flow.triggers ?? []).map((t, i) => ({ id: t.id, path: ["triggers", i, "id"] })),
    "trigger",
    out,
  );
  duplicates(
    (flow.outputs ?? []).map((o, i) => ({ id: o.id, path: ["outputs", i, "id"] })),
    "output",
    out,
  );
  checkInputs(flow, out);
  checkPatterns(flow, out);
  return out;
}
