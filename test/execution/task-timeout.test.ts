import { describe, expect, it } from "vitest";
import { runSource } from "../flowables/run";

describe("a task's timeout", () => {
  it("fails a task whose work never yields and runs past its timeout (a long render)", async () => {
    // 22,500 loop iterations take well over 10 ms, yet stay within the render budget (50,000); the
    // work is synchronous, so no timer can stop it.
    const r = await runSource(
      "long-render",
      `tasks:
  - id: busy
    type: io.kestra.plugin.core.log.Log
    timeout: PT0.01S
    message: "{% for i in range(1, 150) %}{% for j in range(1, 150) %}{{ i * j }}{% endfor %}{% endfor %}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: never
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(r.run("busy").state.current).toBe("FAILED");
    expect(r.runs("after")).toHaveLength(0);
    expect((await r.logs("busy")).join("\n")).toContain("timed out after PT0.01S");
  });

  it("leaves a quick task within its timeout alone", async () => {
    const r = await runSource(
      "quick",
      `tasks:
  - id: quick
    type: io.kestra.plugin.core.log.Log
    timeout: PT30S
    message: hi
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
  });
});
