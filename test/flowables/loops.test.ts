// LoopUntil and WaitFor end to end, as Kestra documents them: the tasks run once per iteration,
// `outputs.<loop>.iterationCount` counts from 1, the condition is read after each iteration
// (LoopUntil stops when it is truthy, WaitFor goes on while it is), maxIterations ends the loop
// (FAILED with failOnMaxReached), a failing child fails it; and WorkingDirectory runs its tasks
// one after the other.
import { describe, expect, it } from "vitest";
import { runSource, states } from "./run";

const RETURN = "io.kestra.plugin.core.debug.Return";

const loop = (type: string, condition: string, extra = "") => `
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.${type}
    condition: "${condition}"
    checkFrequency:
      interval: PT0.01S
${extra}    tasks:
      - id: return
        type: ${RETURN}
        format: "{{ outputs.loop.iterationCount }}"
  - id: after
    type: ${RETURN}
    format: "{{ outputs.return.value }} after {{ outputs.loop.iterationCount }}"
`;

describe("LoopUntil", () => {
  it("runs its tasks until the condition holds, counting iterations from 1, then goes on", async () => {
    const r = await runSource("until", loop("LoopUntil", "{{ outputs.return.value == '4' }}"));
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.runs("return").map((x) => x.outputs)).toEqual([1, 2, 3, 4].map((n) => ({ value: String(n) })));
    expect(r.runs("return").map((x) => x.iteration)).toEqual([0, 1, 2, 3]);
    expect(r.run("loop").outputs).toEqual({ iterationCount: 4 });
    expect(r.run("after").outputs).toEqual({ value: "4 after 4" });
  }, 30_000);

  it("stops at maxIterations: SUCCESS with a warning, or FAILED with failOnMaxReached", async () => {
    const capped = (fail: boolean) =>
      loop("LoopUntil", "{{ false }}", `      maxIterations: 3\n${fail ? "    failOnMaxReached: true\n" : ""}`);
    const quiet = await runSource("capped", capped(false));
    expect(quiet.ex.state.current).toBe("SUCCESS");
    expect(quiet.runs("return")).toHaveLength(3);
    expect(await quiet.logs("loop")).toContain("Max iterations reached");
    const loud = await runSource("capped_fail", capped(true));
    expect(loud.ex.state.current).toBe("FAILED");
    expect(states(loud, "loop")).toEqual(["FAILED"]);
    expect(loud.runs("return")).toHaveLength(3);
    expect(loud.runs("after")).toHaveLength(0);
  }, 30_000);

  it("fails when a child fails (its errors branch runs), and when the condition does not render", async () => {
    const failing = await runSource(
      "child_fails",
      `
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ true }}"
    tasks:
      - id: boom
        type: io.kestra.plugin.core.execution.Fail
    errors:
      - id: handled
        type: ${RETURN}
        format: handled
`,
    );
    expect(failing.ex.state.current).toBe("FAILED");
    expect(states(failing, "loop")).toEqual(["FAILED"]);
    expect(states(failing, "handled")).toEqual(["SUCCESS"]);
    const broken = await runSource("bad_condition", loop("LoopUntil", "{{ nope.missing }}"));
    expect(broken.ex.state.current).toBe("FAILED");
    expect(broken.runs("return")).toHaveLength(1);
  }, 30_000);
});

describe("WaitFor", () => {
  it("runs its tasks again while the condition holds", async () => {
    const r = await runSource("wait_for", loop("WaitFor", "{{ outputs.return.value != '3' }}"));
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.runs("return").map((x) => x.outputs?.value)).toEqual(["1", "2", "3"]);
    expect(r.run("loop").outputs).toEqual({ iterationCount: 3 });
  }, 30_000);
});

describe("WorkingDirectory", () => {
  it("runs its tasks one after the other, each seeing the outputs before it", async () => {
    const r = await runSource(
      "workdir",
      `
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: first
        type: ${RETURN}
        format: one
      - id: second
        type: ${RETURN}
        format: "{{ outputs.first.value }} two"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.run("second").outputs).toEqual({ value: "one two" });
    expect(Date.parse(r.run("second").state.startDate)).toBeGreaterThanOrEqual(
      Date.parse(r.run("first").state.endDate ?? ""),
    );
  }, 30_000);
});
