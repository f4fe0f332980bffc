// Regular expressions stated outright in a flow are checked at save (schema/flow/patterns.ts):
// one RE2 cannot run is a 422 naming the field and its line; a rendered one is checked when rendered.
import { describe, expect, it } from "vitest";
import { saveFlow } from "../../helpers/executions";
import { createTenant } from "../../helpers/tenant";
import { accept, violationAt } from "./helpers";

const withValidator = (validator: string) =>
  `id: f\nnamespace: dev\ninputs:\n  - id: code\n    type: STRING\n    validator: "${validator}"\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

describe("patterns at save", () => {
  it("refuses an input validator with lookaround or a backreference, naming the field and line", () => {
    const v = violationAt(withValidator("^a(?=b)"), "inputs[0].validator");
    expect(v.line).toBe(6);
    expect(v.message).toContain("no lookaround or backreferences");
    expect(violationAt(withValidator("(a)\\\\1"), "inputs[0].validator").message).toContain("cannot be used");
    expect(violationAt(withValidator("x".repeat(4097)), "inputs[0].validator").message).toContain("4096");
  });

  it("accepts RE2 patterns, Java's \\u escapes, and leaves rendered patterns to the render", () => {
    accept(withValidator("^[A-Z]{2}\\\\d+$"));
    accept(withValidator("^\\\\u00e9+$"));
    accept(withValidator("{{ vars.pattern }}"));
  });

  it("refuses a Flow trigger REGEX filter RE2 cannot run", () => {
    const src = `id: f
namespace: dev
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: after
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      where:
        - id: w
          filters:
            - field: FLOW_ID
              type: REGEX
              value: "a(?!b)"
`;
    const v = violationAt(src, "triggers[0].preconditions.where[0].filters[0].value");
    expect(v.line).toBe(16);
  });

  it("answers the API's save with 422, the field and the line", async () => {
    const t = await createTenant();
    const res = await t.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: withValidator("^a(?<=b)"),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; details: { path: string; line: number }[] };
    expect(body.details[0]).toMatchObject({ path: "inputs[0].validator", line: 6 });
    expect(body.message).toContain("inputs[0].validator");
    await expect(saveFlow(t, withValidator("^ok$"))).resolves.toBeUndefined();
  });
});
