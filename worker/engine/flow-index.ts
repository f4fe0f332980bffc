// Static knowledge of a flow's task tree: where every task id sits (its container and which of the
// container's lists), and which task types are flowable. Built once per flow revision.
import type { DagTask, Flow, Task } from "../../schema/flow/types";

const FLOW = "io.kestra.plugin.core.flow.";

export type FlowableKind = "sequential" | "parallel" | "foreach" | "switch" | "if" | "dag" | "pause";

const FLOWABLE_KINDS: Record<string, FlowableKind> = {
  [`${FLOW}Sequential`]: "sequential",
  [`${FLOW}AllowFailure`]: "sequential",
  [`${FLOW}Parallel`]: "parallel",
  [`${FLOW}ForEach`]: "foreach",
  [`${FLOW}EachSequential`]: "foreach",
  [`${FLOW}EachParallel`]: "foreach",
  [`${FLOW}Switch`]: "switch",
  [`${FLOW}If`]: "if",
  [`${FLOW}Dag`]: "dag",
  [`${FLOW}Pause`]: "pause",
};

/** Runnable from the engine's point of view, but carried out by starting another execution. */
export function isSubflow(type: string): boolean {
  return type === `${FLOW}Subflow`;
}

export function flowableKind(type: string): FlowableKind | undefined {
  return FLOWABLE_KINDS[type];
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
      return (task.tasks ?? []) as Task[];
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
      lists.push(["main", enabled(task.tasks as Task[])]);
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
