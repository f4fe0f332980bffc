// A flow's topology (Kestra's FlowGraph): tasks as nodes, each flowable a cluster with a start (the
// flowable's own node) and an end, and the edges between them named by Kestra's relation types:
// SEQUENTIAL, PARALLEL (Parallel, Dag roots), CHOICE (Switch cases, If then/else, with the value),
// DYNAMIC (a loop's body), ERROR, FINALLY and AFTER_EXECUTION branches. Pure; no layout (clients
// place the nodes). Task ids are unique in a flow, so a task's node uid is its id.
import type { DagTask, Flow, Task } from "./types";

export type Relation = "SEQUENTIAL" | "PARALLEL" | "CHOICE" | "DYNAMIC" | "ERROR" | "FINALLY" | "AFTER_EXECUTION";

export interface GraphNode {
  uid: string;
  kind: "start" | "end" | "task" | "cluster-end";
  taskId?: string;
  /** The task's type, canonical (`io.kestra.plugin.core.…`). */
  type?: string;
  /** The flowable (cluster) this node sits in, if any. */
  cluster?: string;
  disabled?: boolean;
  /** A Subflow's or ForEachItem's target flow. */
  subflow?: { namespace: string; flowId: string };
}

export interface GraphEdge {
  source: string;
  target: string;
  relation: Relation;
  /** A CHOICE's case value (`then`, `else`, a Switch case, `defaults`). */
  value?: string;
}

export interface GraphCluster {
  uid: string;
  taskId: string;
  type: string;
  parent?: string;
}

export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: GraphCluster[];
}

const CORE = "io.kestra.plugin.core.flow.";
const LOOPS = new Set(["ForEach", "EachSequential", "EachParallel"].map((t) => CORE + t));
const PARALLEL = new Set(["Parallel", "EachParallel"].map((t) => CORE + t));

function isDagTask(t: Task | DagTask): t is DagTask {
  return !("id" in t) && "task" in t;
}

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly clusters: GraphCluster[] = [];

  node(n: GraphNode): string {
    this.nodes.push(n);
    return n.uid;
  }

  edge(from: string[], target: string, relation: Relation, value?: string): void {
    for (const source of from)
      this.edges.push(value === undefined ? { source, target, relation } : { source, target, relation, value });
  }

  /** Tasks one after another from `from`; the first edge carries `relation` (and `value`). Returns the last exits. */
  chain(tasks: readonly Task[], from: string[], relation: Relation, cluster?: string, value?: string): string[] {
    let exits = from;
    tasks.forEach((task, i) => {
      const placed = this.task(task, cluster);
      this.edge(exits, placed.entry, i === 0 ? relation : "SEQUENTIAL", i === 0 ? value : undefined);
      exits = placed.exits;
    });
    return exits;
  }

  /** errors and finally of a flowable (or the flow), each from `start` to `end`. */
  branches(owner: { errors?: Task[]; finally?: Task[] }, start: string, end: string, cluster?: string): void {
    if (owner.errors?.length) this.edge(this.chain(owner.errors, [start], "ERROR", cluster), end, "SEQUENTIAL");
    if (owner.finally?.length) this.edge(this.chain(owner.finally, [start], "FINALLY", cluster), end, "SEQUENTIAL");
  }

  task(task: Task, cluster?: string): { entry: string; exits: string[] } {
    const uid = this.node({
      uid: task.id,
      kind: "task",
      taskId: task.id,
      type: task.type,
      ...(cluster ? { cluster } : {}),
      ...(task.disabled ? { disabled: true } : {}),
      ...subflowOf(task),
    });
    if (!hasChildren(task)) return { entry: uid, exits: [uid] };
    this.clusters.push({ uid, taskId: task.id, type: task.type, ...(cluster ? { parent: cluster } : {}) });
    const end = this.node({ uid: `${uid}.end`, kind: "cluster-end", cluster: uid });
    const children = task.tasks ?? [];
    if (task.type === `${CORE}Dag`) this.dag(children as DagTask[], uid, end);
    else if (task.type === `${CORE}Switch`) {
      for (const [value, list] of Object.entries(task.cases ?? {})) this.choice(list, uid, end, value);
      if (task.defaults?.length) this.choice(task.defaults, uid, end, "defaults");
    } else if (task.type === `${CORE}If`) {
      this.choice(task.then ?? [], uid, end, "then");
      this.choice(task.else ?? [], uid, end, "else");
    } else if (PARALLEL.has(task.type)) {
      for (const child of children as Task[]) this.edge(this.chain([child], [uid], "PARALLEL", uid), end, "SEQUENTIAL");
    } else {
      const relation: Relation = LOOPS.has(task.type) ? "DYNAMIC" : "SEQUENTIAL";
      this.edge(this.chain(children as Task[], [uid], relation, uid), end, "SEQUENTIAL");
    }
    this.branches(task, uid, end, uid);
    return { entry: uid, exits: [end] };
  }

  choice(list: readonly Task[], start: string, end: string, value: string): void {
    if (list.length) this.edge(this.chain(list, [start], "CHOICE", start, value), end, "SEQUENTIAL");
    else this.edge([start], end, "CHOICE", value);
  }

  dag(children: DagTask[], start: string, end: string): void {
    const placed = new Map(children.map((c) => [c.task.id, this.task(c.task, start)]));
    const dependedOn = new Set(children.flatMap((c) => c.dependsOn ?? []));
    for (const child of children) {
      const at = placed.get(child.task.id)!;
      const deps = (child.dependsOn ?? []).filter((d) => placed.has(d));
      if (!deps.length) this.edge([start], at.entry, "PARALLEL");
      for (const d of deps) this.edge(placed.get(d)!.exits, at.entry, "SEQUENTIAL");
      if (!dependedOn.has(child.task.id)) this.edge(at.exits, end, "SEQUENTIAL");
    }
  }
}

function hasChildren(task: Task): boolean {
  const lists = [task.tasks, task.errors, task.finally, task.then, task.else, task.defaults];
  return lists.some((l) => Array.isArray(l) && l.length > 0) || Object.keys(task.cases ?? {}).length > 0;
}

function subflowOf(task: Task): Pick<GraphNode, "subflow"> {
  const { namespace, flowId } = task;
  if (typeof namespace !== "string" || typeof flowId !== "string") return {};
  return { subflow: { namespace, flowId } };
}

/** The graph of a parsed flow. Dag children given as `{task, dependsOn}` are recognised wherever they are. */
export function flowGraph(flow: Pick<Flow, "tasks" | "errors" | "finally" | "afterExecution">): FlowGraph {
  const b = new Builder();
  const start = b.node({ uid: "root.start", kind: "start" });
  const end = b.node({ uid: "root.end", kind: "end" });
  const tasks = flow.tasks.map((t) => (isDagTask(t) ? t.task : t));
  b.edge(b.chain(tasks, [start], "SEQUENTIAL"), end, "SEQUENTIAL");
  b.branches(flow, start, end);
  if (flow.afterExecution?.length) b.chain(flow.afterExecution, [end], "AFTER_EXECUTION");
  return { nodes: b.nodes, edges: b.edges, clusters: b.clusters };
}
