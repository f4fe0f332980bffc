// Fault suite, noisy neighbour: tenant A floods the service (a burst of starts far over its limits,
// a flow that triggers itself, a catastrophic regex, a body over the size limit) while tenant B
// runs its simple executions. Judged on outcomes, never on timings (speed goals live in
// `npm run bench`): every one of B's executions ends SUCCESS and none is refused, A's flood is
// answered with 429s naming its limits, and A's loop stops at its chain depth. Prints its figures.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantLimitsStub } from "../../worker/concurrency/tenant-limits";
import { executionStub } from "../../worker/execution/object";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";
import { contextWhen } from "../helpers/triggers";

const LARGE = !!env.FAULTS_LARGE;
const FLOOD = LARGE ? 1_000 : 200;
const NEIGHBOUR_RUNS = LARGE ? 100 : 20;

const HELD = "id: held\nnamespace: noisy\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n";
const LOOP = `id: loop
namespace: noisy
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: again
triggers:
  - id: again
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: noisy
        flowId: loop
`;
const REGEX = `id: regex
namespace: noisy
inputs:
  - id: s
    type: STRING
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.s | replace({'(a+)+$': 'x'}, regexp=true) }}{{ inputs.s | jq('test(\\"(a+)+$\\")') }}"
`;
const SIMPLE = `id: simple
namespace: calm
tasks:
  - id: one
    type: io.kestra.plugin.core.debug.Return
    format: "{{ 1 + 1 }}"
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.one.value }}"
`;

describe("fault suite: noisy neighbour", () => {
  it(`tenant A floods (${FLOOD} starts, a self-triggering loop, a catastrophic regex, a huge body); tenant B's executions all succeed`, async () => {
    const a = await createTenant();
    const b = await createTenant();
    await tenantLimitsStub(env, a.tenantId).setSettings({
      creationRate: { burst: 100, perSecond: 20 },
      maxRunning: 50,
      maxChainDepth: 8,
    });
    for (const src of [HELD, LOOP, REGEX]) await saveFlow(a, src);
    await saveFlow(b, SIMPLE);

    // A's loop and its regex start first; then A's flood and B's executions go together.
    const loop = await runFlow(a, "noisy", "loop");
    const regex = await a.fetch("executions/noisy/regex", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ s: `${"a".repeat(5_000)}!` }),
    });
    expect(regex.status).toBe(200);
    const regexId = ((await regex.json()) as { id: string }).id;
    const flood = Array.from({ length: FLOOD }, () =>
      a.fetch("executions/noisy/held", { method: "POST" }).then(async (r) => {
        const body = (await r.json()) as { id?: string; details?: { limit: string } };
        return { status: r.status, id: body.id, limit: body.details?.limit };
      }),
    );
    const huge = a.fetch("executions/noisy/regex", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ s: "x".repeat(9 * 1024 * 1024) }),
    });
    const neighbour = Array.from({ length: NEIGHBOUR_RUNS }, () => runFlow(b, "calm", "simple"));
    const [floodResults, neighbourResults, hugeRes] = await Promise.all([
      Promise.all(flood),
      Promise.all(neighbour),
      huge,
    ]);

    // B: every execution ran to its end, none refused (runFlow throws on any non-200).
    expect(neighbourResults.map((e) => e.state.current)).toEqual(Array(NEIGHBOUR_RUNS).fill("SUCCESS"));

    // A: admitted up to its limits, the rest refused naming them.
    const admitted = floodResults.filter((r) => r.status === 200);
    const refused = floodResults.filter((r) => r.status === 429);
    expect(admitted.length + refused.length).toBe(FLOOD);
    expect(admitted.length).toBeLessThanOrEqual(50);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((r) => r.limit))).toEqual(new Set(["maxRunning"]));
    expect(hugeRes.status).toBe(413);
    expect(loop.state.current).toBe("SUCCESS");

    // The regex execution ends (linear-time matching).
    const ended = await executionStub(env, a.tenantId, regexId).waitForEnd(20_000);
    expect(ended?.state.current).toBe("SUCCESS");

    // A's held executions are killed; their places free, and the loop's starts that met
    // maxRunning meanwhile (kept and retried by the trigger object) go on.
    for (const r of admitted) await a.fetch(`executions/${r.id}/kill`, { method: "DELETE" });

    // A's self-triggering loop stops at its chain depth (its starts may also meet maxRunning and
    // be retried by the trigger object; the depth ends it either way).
    const trigger = await contextWhen(a, "loop", (c) => (c.lastError ?? "").includes("maxChainDepth"), "noisy");
    expect(trigger.lastError).toContain("10 executions deep");

    console.log(
      `fault suite, noisy neighbour: A sent ${FLOOD} starts: ${admitted.length} admitted, ${refused.length} refused 429 (maxRunning); ` +
        `A's loop stopped at depth 8; A's 9 MiB body 413; B: ${NEIGHBOUR_RUNS}/${NEIGHBOUR_RUNS} SUCCESS, 0 refused`,
    );
  }, 120_000);
});
