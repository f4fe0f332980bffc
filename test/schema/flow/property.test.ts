import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { allTasks, parseFlow } from "../../../schema/flow";

type Node = { kind: "log" } | { kind: "seq" | "par" | "each" | "if"; children: Node[] };
type RawTask = Record<string, unknown> & { id: string; type: string };

const tree = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant<Node>({ kind: "log" }),
    fc.record({
      kind: fc.constantFrom("seq" as const, "par" as const, "each" as const, "if" as const),
      children: fc.array(tie("node"), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).node;

const NEW = "io.kestra.plugin.core.";
const TYPES = { seq: "flow.Sequential", par: "flow.Parallel", each: "flow.ForEach", if: "flow.If" } as const;
const OLD: Record<string, string> = {
  "log.Log": "io.kestra.core.tasks.log.Log",
  "flow.Sequential": "io.kestra.core.tasks.flows.Sequential",
  "flow.Parallel": "io.kestra.core.tasks.flows.Parallel",
  "flow.ForEach": "io.kestra.core.tasks.flows.ForEach",
  "flow.If": "io.kestra.core.tasks.flows.If",
};

/** Builds task objects with ids `${prefix}_${n}` in depth-first order; returns them and the ids. */
function build(nodes: Node[], prefix: string, oldNames: boolean): { tasks: RawTask[]; ids: string[] } {
  const ids: string[] = [];
  const typeName = (short: string) => (oldNames ? (OLD[short] ?? `${NEW}${short}`) : `${NEW}${short}`);
  const make = (node: Node): RawTask => {
    const id = `${prefix}_${ids.length}`;
    ids.push(id);
    if (node.kind === "log") return { id, type: typeName("log.Log"), message: `{{ task.id }} ${id}` };
    const type = typeName(TYPES[node.kind]);
    const children = node.children.map(make);
    // biome-ignore lint/suspicious/noThenProperty: `then` is the If task's property name in Kestra flows.
    if (node.kind === "if") return { id, type, condition: "{{ true }}", then: children };
    if (node.kind === "each") return { id, type, values: ["a", "b"], tasks: children };
    if (node.kind === "par") return { id, type, concurrent: 2, tasks: children };
    return { id, type, tasks: children };
  };
  return { tasks: nodes.map(make), ids };
}

const flowSource = (tasks: RawTask[]) => stringify({ id: "generated", namespace: "prop.test", tasks });
const prefix = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,6}$/);
const forest = fc.array(tree, { minLength: 1, maxLength: 4 });

function setId(tasks: RawTask[], index: number, id: string): void {
  let n = 0;
  const walk = (list: RawTask[]): boolean => {
    for (const t of list) {
      if (n++ === index) {
        t.id = id;
        return true;
      }
      const kids = (t.tasks ?? t.then) as RawTask[] | undefined;
      if (kids && walk(kids)) return true;
    }
    return false;
  };
  walk(tasks);
}

describe("generated flows", () => {
  it("accepts any nesting of Sequential/Parallel/ForEach/If with Log leaves and unique ids", () => {
    fc.assert(
      fc.property(forest, prefix, (nodes, p) => {
        const { tasks, ids } = build(nodes, p, false);
        const result = parseFlow(flowSource(tasks));
        expect(result.ok ? [] : result.violations).toEqual([]);
        if (result.ok) expect(allTasks(result.flow).map(({ task }) => task.id)).toEqual(ids);
      }),
      { numRuns: 150 },
    );
  });

  it("parses old and new type names into the same flow", () => {
    fc.assert(
      fc.property(forest, prefix, (nodes, p) => {
        const modern = parseFlow(flowSource(build(nodes, p, false).tasks));
        const legacy = parseFlow(flowSource(build(nodes, p, true).tasks));
        expect(legacy).toEqual(modern);
      }),
      { numRuns: 80 },
    );
  });

  it("rejects the flow once any id is duplicated, naming that id at the later occurrence's line", () => {
    const withPair = forest
      .chain((nodes) => fc.tuple(fc.constant(nodes), prefix))
      .filter(([nodes, p]) => build(nodes, p, false).ids.length >= 2)
      .chain(([nodes, p]) => {
        const count = build(nodes, p, false).ids.length;
        return fc.tuple(
          fc.constant(nodes),
          fc.constant(p),
          fc.integer({ min: 0, max: count - 1 }),
          fc.integer({ min: 0, max: count - 1 }),
        );
      })
      .filter(([, , a, b]) => a !== b);
    fc.assert(
      fc.property(withPair, ([nodes, p, from, to]) => {
        const { tasks, ids } = build(nodes, p, false);
        const dup = ids[from] as string;
        setId(tasks, to, dup);
        const source = flowSource(tasks);
        const result = parseFlow(source);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const found = result.violations.filter((v) => v.message.startsWith(`Duplicate task id '${dup}'`));
        expect(found).toHaveLength(1);
        const v = found[0];
        const line = source.split("\n")[(v?.line ?? 0) - 1] ?? "";
        expect(line.slice((v?.column ?? 1) - 1)).toBe(`id: ${dup}`);
        expect(v?.path.endsWith(".id")).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("points an unknown property of any task at its own line", () => {
    const withTarget = forest.chain((nodes) =>
      fc.tuple(fc.constant(nodes), fc.integer({ min: 0, max: build(nodes, "x", false).ids.length - 1 })),
    );
    fc.assert(
      fc.property(withTarget, ([nodes, target]) => {
        const { tasks } = build(nodes, "x", false);
        let n = 0;
        const tag = (list: RawTask[]): void => {
          for (const t of list) {
            if (n++ === target) t.bogusKey = 1;
            tag(((t.tasks ?? t.then) as RawTask[] | undefined) ?? []);
          }
        };
        tag(tasks);
        const source = flowSource(tasks);
        const result = parseFlow(source);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.violations).toHaveLength(1);
        const v = result.violations[0];
        expect(v?.path.endsWith(".bogusKey")).toBe(true);
        const line = source.split("\n")[(v?.line ?? 0) - 1] ?? "";
        expect(line.slice((v?.column ?? 1) - 1)).toBe("bogusKey: 1");
      }),
      { numRuns: 100 },
    );
  });

  it("never throws, whatever the text", () => {
    const valid = forest.map((nodes) => flowSource(build(nodes, "t", false).tasks));
    const mangled = fc.tuple(valid, fc.nat(), fc.nat(), fc.string({ maxLength: 8 })).map(([src, a, b, junk]) => {
      const i = a % (src.length + 1);
      return src.slice(0, i) + junk + src.slice(Math.min(src.length, i + (b % 10)));
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), mangled), (source) => {
        const result = parseFlow(source);
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.violations.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
