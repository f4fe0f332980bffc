// Places a flow's topology with dagre (left to right; each flowable a box around its children):
// node boxes, cluster boxes and edge paths in SVG coordinates. Loaded on demand by the topology
// view, so dagre stays out of the first page load.

import dagre from "@dagrejs/dagre";
import type { FlowGraph, GraphEdge, GraphNode } from "@peregrine/sdk";

export interface PlacedNode {
  node: GraphNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedCluster {
  uid: string;
  taskId: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: GraphEdge;
  path: string;
  /** Where a CHOICE's value is written. */
  label?: { x: number; y: number };
}

export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  clusters: PlacedCluster[];
  edges: PlacedEdge[];
}

const CHAR = 7.2;
const clusterKey = (uid: string) => `cluster:${uid}`;

/** `extra`: characters written after the type (an execution's ` · SUCCESS`). */
function size(node: GraphNode, extra: number): { width: number; height: number } {
  if (node.kind !== "task") return { width: 14, height: 14 };
  const text = Math.max(node.taskId?.length ?? 0, shortType(node.type).length + extra);
  return { width: Math.max(96, Math.round(text * CHAR) + 28), height: 44 };
}

/** `io.kestra.plugin.core.flow.Switch` → `Switch`. */
export function shortType(type: string | undefined): string {
  return type ? (type.split(".").at(-1) ?? type) : "";
}

export function layoutGraph(graph: FlowGraph, options: { stateText?: boolean } = {}): Layout {
  const extra = options.stateText ? 12 : 0;
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 42, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const clusterIds = new Set(graph.clusters.map((c) => c.uid));
  for (const c of graph.clusters) g.setNode(clusterKey(c.uid), { label: c.taskId, paddingTop: 22 });
  for (const c of graph.clusters) if (c.parent) g.setParent(clusterKey(c.uid), clusterKey(c.parent));
  for (const n of graph.nodes) {
    g.setNode(n.uid, size(n, extra));
    // A flowable's own node heads its box; the others sit in the box of the flowable they belong to.
    const home = clusterIds.has(n.uid) ? n.uid : n.cluster;
    if (home) g.setParent(n.uid, clusterKey(home));
  }
  graph.edges.forEach((e, i) => {
    g.setEdge(
      e.source,
      e.target,
      e.value ? { width: e.value.length * CHAR, height: 14, labelpos: "c" } : {},
      String(i),
    );
  });
  dagre.layout(g);
  const nodes = graph.nodes.map((node) => {
    const at = g.node(node.uid);
    return { node, x: at.x - at.width / 2, y: at.y - at.height / 2, width: at.width, height: at.height };
  });
  const clusters = graph.clusters.map((c) => {
    const at = g.node(clusterKey(c.uid));
    return {
      uid: c.uid,
      taskId: c.taskId,
      x: at.x - at.width / 2,
      y: at.y - at.height / 2,
      width: at.width,
      height: at.height,
    };
  });
  const edges = graph.edges.map((edge, i) => {
    const at = g.edge({ v: edge.source, w: edge.target, name: String(i) });
    const points = at?.points ?? [];
    const path = points.map((p, k) => `${k ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    const label = edge.value && at?.x !== undefined && at.y !== undefined ? { x: at.x, y: at.y } : undefined;
    return { edge, path, label };
  });
  const info = g.graph();
  return { width: info.width ?? 0, height: info.height ?? 0, nodes, clusters, edges };
}
