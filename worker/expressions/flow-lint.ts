// Save-time warnings for a valid flow (a Peregrine addition): expressions that will fail when they
// run because they name an input the flow does not declare (`inputs.x`), the outputs of a task the
// flow does not have (`outputs.x`), or a variable root that does not exist. Each warning carries
// the line and column of the YAML value holding the expression. The flow still saves, and runs
// fail as in Kestra; this only says so earlier. Pure.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { Flow, Task } from "../../schema/flow/types";
import type { Node } from "./ast";
import { parseExpression } from "./parser";

export interface FlowWarning {
  path: string;
  message: string;
  line: number;
  column: number;
}

/** Roots every execution has, plus those of a task run and a trigger. */
const ROOTS = new Set([
  "flow",
  "execution",
  "inputs",
  "outputs",
  "vars",
  "labels",
  "tasks",
  "trigger",
  "task",
  "taskrun",
  "parent",
  "parents",
  "envs",
  "globals",
  "loop",
]);

/** Properties rendered against something else than the execution (an item's fields, a child's outputs). */
const OWN_SCOPE = new Set(["expr", "filterCondition", "spec"]);

function taskIds(flow: Flow): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== "object") return;
    const o = value as Record<string, unknown>;
    if (typeof o.id === "string" && typeof o.type === "string") {
      ids.add(o.id);
      // ForEachItem's generated tasks (Kestra's ids).
      for (const suffix of ["_split", "_items", "_merge"]) ids.add(`${o.id}${suffix}`);
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit([flow.tasks, flow.errors, flow.finally, flow.afterExecution] as Task[][]);
  return ids;
}

/** The variable a `get` chain starts from, and its first key when that key is a plain name. */
function rootOf(node: Node): { root: string; first?: string } | undefined {
  let n = node;
  let first: string | undefined;
  while (n.k === "get") {
    const key = n.key.k === "lit" && typeof n.key.v === "string" ? n.key.v : undefined;
    first = n.obj.k === "var" ? key : first;
    n = n.obj;
  }
  return n.k === "var" ? { root: n.name, first } : undefined;
}

/**
 * Every node, with whether a missing value is handled where it is read (`x ?? d`, `x is defined`,
 * `x | default(d)`): such reads name what may be absent on purpose.
 */
function visitNodes(node: Node, out: (n: Node, guarded: boolean) => void, guarded = false): void {
  out(node, guarded);
  const go = (n: Node, g = guarded) => visitNodes(n, out, g);
  switch (node.k) {
    case "lit":
    case "var":
      return;
    case "get":
      go(node.obj);
      return go(node.key, false);
    case "call":
      for (const a of node.args) go(a.value, false);
      return;
    case "filter":
      go(node.input, guarded || node.name === "default");
      for (const a of node.args) go(a.value, false);
      return;
    case "test":
      go(node.input, true);
      for (const a of node.args) go(a.value, false);
      return;
    case "bin":
      go(node.l, guarded || node.op === "??");
      return go(node.r);
    case "un":
      return go(node.e);
    case "tern":
      go(node.c);
      go(node.a);
      return go(node.b);
    case "list":
      for (const i of node.items) go(i);
      return;
    case "map":
      for (const [k, v] of node.entries) {
        go(k);
        go(v);
      }
      return;
    default: {
      const never: never = node;
      throw new Error(`unknown node ${JSON.stringify(never)}`);
    }
  }
}

/** What one template names that cannot exist. */
function problems(template: string, inputs: Set<string>, tasks: Set<string>): string[] {
  const locals = new Set<string>();
  for (const m of template.matchAll(/\{%-?\s*for\s+([\w\s,]+?)\s+in\b/g)) {
    for (const name of m[1]!.split(",")) locals.add(name.trim());
  }
  for (const m of template.matchAll(/\{%-?\s*set\s+(\w+)/g)) locals.add(m[1]!);
  const found: string[] = [];
  for (const m of template.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    let ast: Node;
    try {
      ast = parseExpression(m[1]!);
    } catch {
      continue; // A syntax error shows when it renders, with its position.
    }
    visitNodes(ast, (n, guarded) => {
      if (guarded) return;
      if (n.k === "var" && !ROOTS.has(n.name) && !locals.has(n.name)) {
        found.push(`Unknown variable '${n.name}'`);
        return;
      }
      // One check per chain: at the access right on the root variable.
      if (n.k !== "get" || n.obj.k !== "var") return;
      const r = rootOf(n);
      if (!r?.first) return;
      if (r.root === "inputs" && !inputs.has(r.first)) found.push(`Input '${r.first}' is not declared by the flow`);
      if (r.root === "outputs" && !tasks.has(r.first)) {
        found.push(`No task '${r.first}' in the flow: outputs.${r.first} cannot exist`);
      }
    });
  }
  return [...new Set(found)];
}

/** The warnings of a flow that validated, from its source (for positions) and its model. */
export function flowWarnings(source: string, flow: Flow): FlowWarning[] {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  const inputs = new Set((flow.inputs ?? []).map((i) => i.id));
  const tasks = taskIds(flow);
  const warnings: FlowWarning[] = [];
  const walk = (node: YamlNode | null | undefined, path: string) => {
    if (!node) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : "";
        if (OWN_SCOPE.has(k)) continue;
        walk(pair.value as YamlNode, path ? `${path}.${k}` : k);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item as YamlNode, `${path}[${i}]`);
    } else if (isScalar(node) && typeof node.value === "string" && /\{[{%]/.test(node.value)) {
      const at = lines.linePos(node.range?.[0] ?? 0);
      for (const message of problems(node.value, inputs, tasks)) {
        warnings.push({ path, message, line: at.line, column: at.col });
      }
    }
  };
  walk(doc.contents as YamlNode, "");
  return warnings;
}
