import { describe, expect, it } from "vitest";
import { isTruthy, RenderError, render, renderDeep, renderTyped } from "../../worker/expressions";

const vars = {
  flow: { id: "hello", namespace: "dev", revision: 3 },
  execution: { id: "exec1", startDate: "2025-05-04T12:02:53.938333Z" },
  task: { id: "t1", type: "io.kestra.plugin.core.log.Log" },
  taskrun: { id: "tr1", value: "s1", attemptsCount: 0 },
  parents: [{ taskrun: { value: "1" } }],
  parent: { taskrun: { value: "1" } },
  inputs: { name: "World", n: 5, empty: "", nothing: null, list: [1, 2, 3], map: { a: 1, b: "x" } },
  outputs: {
    "1-2-1_return": { s1: { "a a": { value: "deep" } } },
    t0: {
      value: "v0",
      count: 7,
      rows: [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
      ],
    },
    each: { "1": { s1: { value: "from-s1" } } },
  },
  vars: { greeting: "hi", tpl: "{{ inputs.name }}", tpl2: "{{ vars.tpl }}" },
  labels: { team: "data" },
  trigger: { date: "2024-01-01T00:00:00Z" },
  envs: { test1: "e1" },
};

// [template, expected]
const cases: [string, string][] = [
  ["plain text, no braces", "plain text, no braces"],
  ["{{ inputs.name }}", "World"],
  ["Hello {{ inputs.name }}!", "Hello World!"],
  ["{{ inputs.map }}", '{"a":1,"b":"x"}'],
  ["{{ inputs.list }}", "[1,2,3]"],
  ["{{ inputs.nothing }}", ""],
  ["{{ true }}", "true"],
  ["{{ inputs.n }}", "5"],
  ["{{ parents }}", '[{"taskrun":{"value":"1"}}]'],
  ["{{ outputs['1-2-1_return'].s1['a a'].value }}", "deep"],
  ['{{ outputs["t0"]["value"] }}', "v0"],
  ["{{ outputs.t0.rows[1].name }}", "b"],
  ["{{ inputs.list[0] }}", "1"],
  ["{{ 1 + 2 * 3 }}", "7"],
  ["{{ (1 + 2) * 3 }}", "9"],
  ["{{ 7 / 2 }}", "3"],
  ["{{ 7 / 2.0 }}", "3.5"],
  ["{{ 7 % 3 }}", "1"],
  ["{{ -inputs.n }}", "-5"],
  ["{{ inputs.n > 3 }}", "true"],
  ["{{ inputs.n == 5 and inputs.name == 'World' }}", "true"],
  ["{{ inputs.n < 3 or false }}", "false"],
  ["{{ not false }}", "true"],
  ["{{ 'a' ~ inputs.n ~ 'b' }}", "a5b"],
  ["{{ 'a' ~ 'b' | upper }}", "AB"],
  ["{{ inputs.n > 3 ? 'big' : 'small' }}", "big"],
  ["{{ 1..3 }}", "[1,2,3]"],
  ["{{ [1, 'a', inputs.n] }}", '[1,"a",5]'],
  ["{{ {'k': inputs.n} }}", '{"k":5}'],
  ["{{ inputs.list contains 2 }}", "true"],
  ["{{ inputs.map contains 'a' }}", "true"],
  ["{{ 2 in inputs.list }}", "true"],
  ["{{ inputs.missing ?? 'fallback' }}", "fallback"],
  ["{{ inputs.nothing ?? 'fallback' }}", "fallback"],
  ["{{ null ?? 'X' }}", "X"],
  ["{{ null ??? 'X' }}", ""],
  ["{{ inputs.missing ??? 'X' }}", "X"],
  ["{{ nope.deeper.still ?? 'ok' }}", "ok"],
  ["{{ trigger.body ?? inputs.name }}", "World"],
  ["{{ inputs.missing is defined }}", "false"],
  ["{{ inputs.name is defined }}", "true"],
  ["{{ inputs.nothing is null }}", "true"],
  ["{{ inputs.empty is empty }}", "true"],
  ["{{ inputs.list is not empty }}", "true"],
  ["{{ inputs.missing | default('d') }}", "d"],
  ["{{ inputs.empty | default('d') }}", "d"],
  ["{{- '  x  ' -}}", "  x  "],
  ["a  {{- 'b' -}}  c", "abc"],
  ["{% raw %}{{ inputs.name }}{% endraw %}", "{{ inputs.name }}"],
  ["{# a comment #}x", "x"],
  ["{% if inputs.n > 3 %}yes{% else %}no{% endif %}", "yes"],
  ["{% if inputs.n > 9 %}a{% elseif inputs.n > 4 %}b{% else %}c{% endif %}", "b"],
  ["{% for x in inputs.list %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}", "1,2,3"],
  ["{% for x in inputs.list %}{{ loop.index }}{% endfor %}", "012"],
  ["{% for x in [] %}a{% else %}empty{% endfor %}", "empty"],
  ["{% for k, v in inputs.map %}{{ k }}={{ v }};{% endfor %}", "a=1;b=x;"],
  ["{% for e in inputs.map %}{{ e.key }}{% endfor %}", "ab"],
  ["{% set x = inputs.n * 2 %}{{ x }}", "10"],
  ["{% filter upper %}abc{{ inputs.name }}{% endfilter %}", "ABCWORLD"],
  ["{{ vars.tpl }}", "{{ inputs.name }}"],
  ["{{ render(vars.tpl) }}", "World"],
  ["{{ render(vars.tpl2) }}", "World"],
  ["{{ renderOnce(vars.tpl2) }}", "{{ inputs.name }}"],
  ["{{ currentEachOutput(outputs.each).value }}", "from-s1"],
  ["{{ fromJson('{\"a\": [1, 2]}').a[1] }}", "2"],
  ["{{ json('[1]') }}", "[1]"],
  ["{{ yaml('a: 1').a }}", "1"],
  ["{{ range(1, 3) }}", "[1,2,3]"],
  ["{{ max(1, 5, 3) }}", "5"],
  ["{{ min([4, 2, 8]) }}", "2"],
  ["{{ envs.test1 }}", "e1"],
  ["{{ labels.team }}", "data"],
  ["{ not a template }", "{ not a template }"],
  ["{% if true %}\nx\n{% endif %}", "\nx\n"],
  ["{%- if true -%}\n x \n{%- endif %}", "x"],
  ["{% for a in [1, 2] %}{% for b in ['x', 'y'] %}{{ a }}{{ b }} {% endfor %}{% endfor %}", "1x 1y 2x 2y "],
  ["{% for a in [1, 2] %}{{ loop.length }}{{ loop.first }}{% endfor %}", "2true2false"],
  ["{{ taskrun.value == parent.taskrun.value ? 'same' : 'diff' }}", "diff"],
];

describe("Pebble rendering (spec §7, pitfalls 8/9)", () => {
  for (const [template, expected] of cases) {
    it(`renders ${template} as ${JSON.stringify(expected)}`, async () => {
      expect(await render(template, vars)).toBe(expected);
    });
  }
});

describe("strict variables", () => {
  const failing: [string, string][] = [
    ["{{ missing }}", "Unable to find `missing` used in the expression `{{ missing }}` at line 1"],
    ["a {{ inputs.missing }}", "Unable to find `missing` used in the expression `a {{ inputs.missing }}`"],
    ["{{ outputs.t0.nope.x }}", "Unable to find `nope`"],
    ["{{ inputs.list[5] }}", "Unable to find `5`"],
    ["{{ missing ?? missing2 }}", "Unable to find `missing2`"],
    ["{{ inputs.nothing.x }}", "Unable to find `x`"],
    ["{% if missing %}a{% endif %}", "Unable to find `missing`"],
    ["{{ inputs.name | nosuchfilter }}", "Filter [nosuchfilter] does not exist"],
    ["{{ nosuchfn() }}", "Function [nosuchfn] does not exist"],
    ["{{ inputs.name ", "not closed"],
    ["{% if true %}never closed", "not closed"],
    ["{% include 'x' %}", "include"],
    ["{{ 1 + }}", "Unexpected end"],
  ];
  for (const [template, message] of failing) {
    it(`rejects ${template} with a RenderError mentioning ${message}`, async () => {
      const err = await render(template, vars).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenderError);
      expect((err as Error).message).toContain(message);
    });
  }

  it("names the line of the failing expression", async () => {
    await expect(render("a\nb {{ nope }}", vars)).rejects.toThrow("at line 2");
  });
});

describe("renderTyped", () => {
  it("returns raw values for a single expression", async () => {
    expect(await renderTyped("{{ inputs.n }}", vars)).toBe(5);
    expect(await renderTyped("{{ inputs.map }}", vars)).toEqual({ a: 1, b: "x" });
    expect(await renderTyped("{{ inputs.list }}", vars)).toEqual([1, 2, 3]);
    expect(await renderTyped("{{ inputs.nothing }}", vars)).toBeNull();
    expect(await renderTyped("{{ inputs.n > 1 }}", vars)).toBe(true);
  });
  it("returns a string when the template has more than one part", async () => {
    expect(await renderTyped("n={{ inputs.n }}", vars)).toBe("n=5");
    expect(await renderTyped("no braces", vars)).toBe("no braces");
  });
});

describe("renderDeep", () => {
  it("renders strings inside maps and lists and keeps other scalars", async () => {
    const out = await renderDeep({ a: "{{ inputs.name }}", b: [1, "{{ inputs.n }}", true, null], c: { d: "x" } }, vars);
    expect(out).toEqual({ a: "World", b: [1, "5", true, null], c: { d: "x" } });
  });
});

describe("isTruthy (spec §1.0)", () => {
  it("treats only false, 0, -0 and the empty string as false", () => {
    for (const f of ["false", "0", "-0", ""]) expect(isTruthy(f)).toBe(false);
    for (const t of ["true", "False", "null", "no", "1", "x"]) expect(isTruthy(t)).toBe(true);
  });
});
