// Static knowledge of a flow's task tree: where every task id sits (its container and which of the
// container's lists). Built once per flow revision. A
// ForEachItem's main list is generated here: its `_split`, `_items` and `_merge` tasks.
import type { DagTask, Flow, Task } from "../../schema/flow/types";
import { flowableKind } from "./flowable-types";

export { type FlowableKind, flowableKind } from "./flowable-types";

const FLOW = "io.kestra.plugin.core.flow.";

export const FOR_EACH_ITEM = `${FLOW}ForEachItem`;
export const FOR_EACH_ITEM_SPLIT = `${FLOW}ForEachItem$ForEachItemSplit`;
export const FOR_EACH_ITEM_ITEMS = `${FLOW}ForEachItem$ForEachItemExecutable`;
export const FOR_EACH_ITEM_MERGE = `${FLOW}ForEachItem$ForEachItemMergeOutputs`;

/** Runnable from the engine's point of view, but carried out by starting other executions. */
export function isSubflow(type: string): boolean {
  return type === `${FLOW}Subflow` || type === FOR_EACH_ITEM_ITEMS;
}

/** The ForEachItem properties its generated tasks carry, so that each stands on its own. */
const FOR_EACH_ITEM_PROPS = [
  "items",
  "batch",
  "namespace",
  "flowId",
  "revision",
  "inputs",
  "labels",
  "wait",
  "transmitFailed",
  "inheritLabels",
  "scheduleDate",
] as const;

// Cached per task object: the index and the scheduler must see the same generated tasks.
const generated = new WeakMap<Task, Task[]>();

/** `<id>_split`, `<id>_items`, `<id>_merge` — Kestra's ids for the work of a ForEachItem. */
export function forEachItemTasks(task: Task): Task[] {
  const cached = generated.get(task);
  if (cached) return cached;
  const props: Record<string, unknown> = {};
  for (const key of FOR_EACH_ITEM_PROPS) if (task[key] !== undefined) props[key] = task[key];
  const tasks: Task[] = [
    { ...props, id: `${task.id}_split`, type: FOR_EACH_ITEM_SPLIT },
    { ...props, id: `${task.id}_items`, type: FOR_EACH_ITEM_ITEMS },
    { ...props, id: `${task.id}_merge`, type: FOR_EACH_ITEM_MERGE },
  ];
  generated.set(task, tasks);
  return tasks;
}

/** The list a task belongs to inside its container. `main` covers tasks/then/else/cases/defaults. */
export type ListKind = "main" | "errors" | "finally" | "afterExecution";

export interface TaskPlace {
  task: Task;
  /** The container task's id; undefined for the flow's own lists. */
  parentTaskId?: string;
  list: ListKind;
  /** Position in its list, for sequential order. */
  index: number;
}

export interface FlowIndex {
  places: Map<string, TaskPlace>;
}

/** Tasks a container runs as its main branch; `branch` is the resolved Switch case or If side. */
export function mainTasks(task: Task, branch: string | undefined): Task[] {
  switch (flowableKind(task.type)) {
    case "switch":
      if (branch === undefined) return [];
      return branch === "defaults" ? (task.defaults ?? []) : (task.cases?.[branch] ?? []);
    case "if":
      return branch === "then" ? (task.then ?? []) : branch === "else" ? (task.else ?? []) : [];
    case "dag":
      return ((task.tasks ?? []) as DagTask[]).map((d) => d.task);
    case "sequential":
    case "parallel":
    case "foreach":
    case "pause":
    case "loop":
      return task.type === FOR_EACH_ITEM ? forEachItemTasks(task) : ((task.tasks ?? []) as Task[]);
    case undefined:
      return [];
  }
}

function enabled(tasks: Task[] | undefined): Task[] {
  return (tasks ?? []).filter((t) => !t.disabled);
}

/** Every child list of a flowable, for indexing (all Switch cases, both If sides). */
function childLists(task: Task): Array<[ListKind, Task[]]> {
  const lists: Array<[ListKind, Task[]]> = [];
  switch (flowableKind(task.type)) {
    case "switch":
      for (const c of Object.values(task.cases ?? {})) lists.push(["main", enabled(c)]);
      lists.push(["main", enabled(task.defaults)]);
      break;
    case "if":
      lists.push(["main", enabled(task.then)], ["main", enabled(task.else)]);
      break;
    case "dag":
      lists.push(["main", enabled(((task.tasks ?? []) as DagTask[]).map((d) => d.task))]);
      break;
    case "sequential":
    case "parallel":
    case "foreach":
    case "pause":
    case "loop":
      lists.push(["main", enabled(mainTasks(task, undefined))]);
      break;
    case undefined:
      return lists;
  }
  lists.push(["errors", enabled(task.errors)], ["finally", enabled(task.finally)]);
  return lists;
}

export function buildFlowIndex(flow: Flow): FlowIndex {
  const places = new Map<string, TaskPlace>();
  const visit = (tasks: Task[], list: ListKind, parentTaskId: string | undefined) => {
    tasks.forEach((task, index) => {
      places.set(task.id, { task, parentTaskId, list, index });
      for (const [childList, children] of childLists(task)) visit(children, childList, task.id);
    });
  };
  visit(enabled(flow.tasks), "main", undefined);
  visit(enabled(flow.errors), "errors", undefined);
  visit(enabled(flow.finally), "finally", undefined);
  visit(enabled(flow.afterExecution), "afterExecution", undefined);
  return { places };
}

/** The enabled tasks of one list of a container (undefined container = the flow itself). */
export function listOf(flow: Flow, container: Task | undefined, list: ListKind, branch?: string): Task[] {
  if (!container) {
    switch (list) {
      case "main":
        return enabled(flow.tasks);
      case "errors":
        return enabled(flow.errors);
      case "finally":
        return enabled(flow.finally);
      case "afterExecution":
        return enabled(flow.afterExecution);
    }
  }
  switch (list) {
    case "main":
      return enabled(mainTasks(container, branch));
    case "errors":
      return enabled(container.errors);
    case "finally":
      return enabled(container.finally);
    case "afterExecution":
      return [];
  }
}
