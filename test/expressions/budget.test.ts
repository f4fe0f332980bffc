import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RenderError, type RenderServices, render, renderTyped } from "../../worker/expressions";

const vars = { inputs: { n: 3, list: [1, 2], name: "x" }, vars: { self: "{{ render(vars.self) }}" } };

describe("render budgets", () => {
  it("stops a loop that exceeds the iteration budget", async () => {
    const tpl = "{% for i in range(1, 1000) %}{% for j in range(1, 1000) %}.{% endfor %}{% endfor %}";
    await expect(render(tpl, vars)).rejects.toThrow("loop iterations");
  });

  it("refuses a range larger than the collection budget", async () => {
    await expect(render("{{ range(1, 100000000) | length }}", vars)).rejects.toThrow("too large");
    await expect(render("{{ (1..100000000) | length }}", vars)).rejects.toThrow("too large");
  });

  it("stops output beyond the size budget", async () => {
    const tpl = "{% for i in range(1, 50) %}{{ 'xxxxxxxxxx' }}{% endfor %}";
    const err = await render(tpl, vars, {}, { limits: { maxOutput: 100 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderError);
    expect((err as Error).message).toContain("output longer than 100");
  });

  it("stops exponential string growth through set and concatenation", async () => {
    const tpl = "{% set s = 'ab' %}{% for i in range(1, 60) %}{% set s = s ~ s %}{% endfor %}{{ s | length }}";
    await expect(render(tpl, vars)).rejects.toThrow("Render budget exceeded");
  });

  it("refuses a collection of more than 100,000 elements before building it", async () => {
    await expect(render("{{ (1..100001) | length }}", vars)).rejects.toThrow("100001 elements is too large");
    expect(await render("{{ (1..100000) | length }}", vars)).toBe("100000");
  });

  it("sums the work of every step: many cheap-looking big builds stop at the work budget", async () => {
    // Each iteration builds 90,000 elements and a ~500,000-character string: allowed once, not twenty times.
    const tpl = "{% for i in range(1, 20) %}{{ (1..90000) | join(',') | length }}{% endfor %}";
    await expect(render(tpl, vars)).rejects.toThrow("units of work");
    expect(await render("{{ (1..90000) | join(',') | length }}", vars)).toBe("528893");
  });

  it("stops self-recursive render() at the depth budget", async () => {
    await expect(render("{{ render(vars.self) }}", vars)).rejects.toThrow("nested deeper than");
  });

  it("rejects deeply nested expressions without overflowing the stack", async () => {
    const deep = `{{ ${"(".repeat(5000)}1${")".repeat(5000)} }}`;
    await expect(render(deep, vars)).rejects.toBeInstanceOf(RenderError);
  });

  it("limits evaluation steps", async () => {
    const tpl = "{% for i in range(1, 100) %}{{ i + i + i + i }}{% endfor %}";
    await expect(render(tpl, vars, {}, { limits: { maxSteps: 200 } })).rejects.toThrow("evaluation steps");
  });
});

describe("services", () => {
  const services: RenderServices = {
    read: async (uri) => `content of ${uri}`,
    kv: async (ns, key, errorOnMissing) => {
      if (key === "known") return { ns, v: 1 };
      if (errorOnMissing) throw new RenderError(`kv ${key} missing`);
      return null;
    },
    secret: async (key) => `secret-${key}`,
    errorLogs: () => [{ taskId: "t", message: "boom" }],
  };
  const ctx = { flow: { namespace: "dev" }, inputs: { file: "kestra://dev/f.txt" } };

  it("reads files, kv entries, secrets and error logs through the services", async () => {
    expect(await render("{{ read(inputs.file) }}", ctx, services)).toBe("content of kestra://dev/f.txt");
    expect(await renderTyped("{{ kv('known') }}", ctx, services)).toEqual({ ns: "dev", v: 1 });
    expect(await renderTyped("{{ kv('known', namespace='other') }}", ctx, services)).toEqual({ ns: "other", v: 1 });
    expect(await renderTyped("{{ kv('absent') }}", ctx, services)).toBeNull();
    await expect(render("{{ kv('absent', errorOnMissing=true) }}", ctx, services)).rejects.toThrow("kv absent missing");
    expect(await render("{{ secret('TOKEN') }}", ctx, services)).toBe("secret-TOKEN");
    expect(await render("{{ errorLogs()[0].message }}", ctx, services)).toBe("boom");
  });

  it("fails with a RenderError when a service is not provided", async () => {
    await expect(render("{{ secret('X') }}", ctx)).rejects.toThrow("secret() is not available");
  });

  it("generates ids and random integers", async () => {
    expect(await render("{{ uuid() }}", ctx)).toMatch(/^[0-9a-f-]{36}$/);
    expect(await render("{{ id() }}", ctx)).toMatch(/^[0-9A-Za-z]{22}$/);
    const n = Number(await render("{{ randomInt(1, 3) }}", ctx));
    expect([1, 2]).toContain(n);
  });
});

// Small grammar of template fragments mixing valid and broken syntax.
const fragment = fc.oneof(
  fc.constantFrom(
    "{{ inputs.n }}",
    "{{ inputs.missing }}",
    "{{ inputs.list[",
    "{{ inputs.n + 'a' }}",
    "{{ inputs.n / 0 }}",
    "{% if inputs.n > 1 %}y{% endif %}",
    "{% for x in inputs.list %}{{ x }}{% endfor %}",
    "{% for x in inputs.n %}{% endfor %}",
    "{% endif %}",
    "{{ inputs.name | upper | nope }}",
    "{{ inputs ?? 'x' }}",
    "{{ x ??? y }}",
    "{{ range(1, inputs.n) | join(',') }}",
    "{{ {'a': [1, {'b': null}]} }}",
    "{% set z = inputs.list | length %}{{ z }}",
    "{{ 'a' ~ }}",
    "{{ inputs.list | jq('.[] | . * 2') }}",
    "{{ 1..1000000 }}",
    "{{ ((((1)))) }}",
    "{# c #}",
    "{% raw %}{{ x }}{% endraw %}",
    "}}{{",
    "{%",
  ),
  fc.string({ maxLength: 12 }),
);
const template = fc.array(fragment, { maxLength: 6 }).map((parts) => parts.join(""));
const context = fc.record({
  inputs: fc.record({
    n: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.constant(null), fc.string({ maxLength: 5 })),
    list: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null)), { maxLength: 5 }),
    name: fc.string({ maxLength: 8 }),
  }),
});

async function outcome(tpl: string, ctx: Record<string, unknown>, maxIterations = 10_000): Promise<string> {
  try {
    return `ok:${await render(tpl, ctx, {}, { limits: { maxOutput: 100_000, maxIterations } })}`;
  } catch (e) {
    if (!(e instanceof RenderError))
      throw new Error(`non-RenderError escaped for ${JSON.stringify(tpl)}: ${String(e)}`);
    return `error:${e.message}`;
  }
}

describe("property: random templates", () => {
  it("never throw anything but RenderError and render deterministically", async () => {
    await fc.assert(
      fc.asyncProperty(template, context, async (tpl, ctx) => {
        const a = await outcome(tpl, ctx);
        const b = await outcome(tpl, ctx);
        expect(a).toBe(b);
        if (a.startsWith("ok:")) expect(a.length).toBeLessThanOrEqual(100_003);
      }),
      { numRuns: 300 },
    );
  });

  it("returns text without braces untouched", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((s) => !s.includes("{")),
        async (s) => {
          expect(await render(s, {})).toBe(s);
        },
      ),
    );
  });

  it("renders any string value verbatim (no recursive rendering)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), async (s) => {
        expect(await render("{{ v }}", { v: s })).toBe(s);
      }),
    );
  });

  it("keeps output within the budget for repeated loops", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), async (a, b) => {
        const tpl = `{% for i in range(1, ${a}) %}{% for j in range(1, ${b}) %}ab{% endfor %}{% endfor %}`;
        const r = await outcome(tpl, {}, 2_000);
        if (a + a * b > 2_000) expect(r).toContain("loop iterations");
        else expect(r).toBe(`ok:${"ab".repeat(a * b)}`);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
