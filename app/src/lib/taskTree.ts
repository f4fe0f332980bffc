// The Gantt's rows: task runs nested by parent, loop iterations grouped under a row per value
// (collapsed by default), flattened to what is visible so that only a window of it is drawn.
import type { TaskRunJson } from "@peregrine/sdk";

export type GanttRow =
  | { kind: "run"; key: string; depth: number; run: TaskRunJson; expandable: boolean; open: boolean }
  | { kind: "group"; key: string; depth: number; value: string; runs: TaskRunJson[]; open: boolean; state: string };

export interface RunIndex {
  roots: TaskRunJson[];
  children: Map<string, TaskRunJson[]>;
}

const startOf = (r: TaskRunJson) => r.state.histories[0]?.date ?? "";

export function indexRuns(runs: readonly TaskRunJson[]): RunIndex {
  const children = new Map<string, TaskRunJson[]>();
  const roots: TaskRunJson[] = [];
  const ids = new Set(runs.map((r) => r.id));
  for (const r of runs) {
    const parent = r.parentTaskRunId;
    if (parent && ids.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(r);
      else children.set(parent, [r]);
    } else roots.push(r);
  }
  return { roots, children };
}

const RANK: Record<string, number> = {
  FAILED: 6,
  KILLED: 5,
  RUNNING: 4,
  PAUSED: 4,
  WARNING: 3,
  CREATED: 2,
  SUCCESS: 1,
};

/** The state a group shows: its worst member's. */
export function groupState(runs: readonly TaskRunJson[]): string {
  let best = "SUCCESS";
  for (const r of runs) if ((RANK[r.state.current] ?? 0) > (RANK[best] ?? 0)) best = r.state.current;
  return best;
}

/**
 * Visible rows in order. `toggled` holds the keys whose default (runs open, loop groups closed)
 * the viewer flipped. Linear in the rows shown, so 10,000 closed loop iterations cost little.
 */
export function visibleRows(index: RunIndex, toggled: ReadonlySet<string>): GanttRow[] {
  const out: GanttRow[] = [];
  const emitRun = (r: TaskRunJson, depth: number) => {
    const kids = index.children.get(r.id);
    const open = kids ? !toggled.has(r.id) : false;
    out.push({ kind: "run", key: r.id, depth, run: r, expandable: Boolean(kids), open });
    if (kids && open) emitLevel(kids, depth + 1, r.id);
  };
  const emitLevel = (list: readonly TaskRunJson[], depth: number, parentKey: string) => {
    const sorted = [...list].sort((a, b) => startOf(a).localeCompare(startOf(b)));
    // Children that carry a loop value are grouped by it (in order of first appearance).
    const items: (TaskRunJson | { value: string; runs: TaskRunJson[] })[] = [];
    const groups = new Map<string, { value: string; runs: TaskRunJson[] }>();
    for (const r of sorted) {
      if (r.value === undefined) {
        items.push(r);
        continue;
      }
      const v = String(r.value);
      let g = groups.get(v);
      if (!g) {
        g = { value: v, runs: [] };
        groups.set(v, g);
        items.push(g);
      }
      g.runs.push(r);
    }
    for (const item of items) {
      if (!("runs" in item)) {
        emitRun(item, depth);
        continue;
      }
      const key = `${parentKey}#${item.value}`;
      const open = toggled.has(key);
      out.push({ kind: "group", key, depth, value: item.value, runs: item.runs, open, state: groupState(item.runs) });
      if (open) for (const r of item.runs) emitRun(r, depth + 1);
    }
  };
  emitLevel(index.roots, 0, "");
  return out;
}

/**
 * What must be open for a task run to be visible: the loop groups above it (keys to add to the
 * toggled set) and its ancestor runs (keys to remove from it). Undefined when it is not there.
 */
export function pathToRun(
  runs: readonly TaskRunJson[],
  id: string,
): { groups: string[]; parents: string[] } | undefined {
  const byId = new Map(runs.map((r) => [r.id, r]));
  let run = byId.get(id);
  if (!run) return undefined;
  const groups: string[] = [];
  const parents: string[] = [];
  for (let depth = 0; run && depth < 1000; depth++) {
    const parent: TaskRunJson | undefined = run.parentTaskRunId ? byId.get(run.parentTaskRunId) : undefined;
    if (run.value !== undefined) groups.push(`${parent?.id ?? ""}#${String(run.value)}`);
    if (parent) parents.push(parent.id);
    run = parent;
  }
  return { groups, parents };
}
