// Fault suite, fuzz: random expressions (from the dialect's own pieces, including hostile ones:
// catastrophic regexes, deep nesting, huge ranges, self-rendering) and random inputs. Every render
// either returns text or fails with a RenderError (never another error, never a hang), and each
// stays within its budget. 250 renders in CI; FAULTS_LARGE=1 runs 100,000. Prints its figures.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RenderError, render } from "../../worker/expressions";

const RUNS = env.FAULTS_LARGE ? 100_000 : 250;

const atoms = fc.constantFrom(
  "inputs.n",
  "inputs.s",
  "inputs.list",
  "inputs.map",
  "inputs.missing",
  "1",
  "-3.5",
  "'text'",
  "true",
  "null",
  "[1, 2, 3]",
  "{'a': 1}",
  "range(1, 5)",
  "range(1, 100000000)",
  "(1..1000000)",
  "now()",
  "render(vars.self)",
);
const filters = fc.constantFrom(
  "upper",
  "length",
  "first",
  "toJson",
  "jq('.[]')",
  "jq('test(\"(a+)+$\")')",
  'jq(\'gsub("(a+)+$"; "x")\')',
  'jq(\'[match("a*"; "g")] | length\')',
  "jq('capture(\"(?<x>a+)\")')",
  "replace({'(a+)+$': 'x'}, regexp=true)",
  "replace({'a(?=b)': 'x'}, regexp=true)",
  "replace({'[': 'x'}, regexp=true)",
  "split('a')",
  "date('yyyy-MM-dd')",
  "date('yyyy', existingFormat='EzEzEzEz')",
  "default('d')",
  "abs",
  "join(',')",
  "keys",
  "slugify",
  "base64encode",
  "number",
  "substring(1, 3)",
);
const ops = fc.constantFrom("+", "-", "*", "/", "%", "~", "==", "<", "and", "or", "??", "in");

const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atoms,
    fc.tuple(tie("expr"), filters).map(([e, f]) => `(${e}) | ${f}`),
    fc.tuple(tie("expr"), ops, tie("expr")).map(([a, o, b]) => `(${a}) ${o} (${b})`),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, a, b]) => `(${c}) ? (${a}) : (${b})`),
  ),
})).expr;

const template = fc.oneof(
  expression.map((e) => `{{ ${e} }}`),
  fc.tuple(expression, expression).map(([a, b]) => `{% for x in ${a} %}{{ x }}{{ ${b} }}{% endfor %}`),
  fc.tuple(expression, expression).map(([a, b]) => `{% if ${a} %}{{ ${b} }}{% else %}-{% endif %}`),
  fc.integer({ min: 1, max: 5000 }).map((d) => `{{ ${"(".repeat(d)}1${")".repeat(d)} }}`),
  fc.string({ maxLength: 40 }),
);

const inputs = fc.record({
  n: fc.oneof(fc.integer(), fc.double()),
  s: fc.oneof(fc.string({ maxLength: 60 }), fc.constant(`${"a".repeat(40)}!`)),
  list: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 8 }),
  map: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 5 }),
});

describe("fault suite: fuzz", () => {
  it(`renders ${RUNS} random expressions on random inputs: text or a RenderError, nothing else`, async () => {
    let ok = 0;
    let refused = 0;
    let slowest = 0;
    let slowestTemplate = "";
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(template, inputs, async (tpl, values) => {
        const t0 = Date.now();
        try {
          const out = await render(tpl, { inputs: values, vars: { self: "{{ render(vars.self) }}" } });
          expect(typeof out).toBe("string");
          ok++;
        } catch (e) {
          if (!(e instanceof RenderError)) throw e;
          refused++;
        }
        if (Date.now() - t0 > slowest) {
          slowest = Date.now() - t0;
          slowestTemplate = tpl;
        }
      }),
      { numRuns: RUNS },
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fault suite, fuzz: ${RUNS} renders in ${seconds.toFixed(1)} s: ${ok} rendered, ${refused} render errors, ` +
        `0 other errors; slowest render ${slowest} ms (${slowestTemplate.slice(0, 200)})`,
    );
    expect(ok + refused).toBe(RUNS);
  }, 600_000);
});
