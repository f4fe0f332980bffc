// Fault suite, R1/R2: executions of four shapes (quick, a loop, retries, a sleep) with about one in
// ten of their objects evicted at a random moment while they run (mid-turn, mid-drain, during a
// retry's or a sleep's wait), and some evicted again later. Driven by their alarms only (run
// directly, the object's clock moved past each wait), never by sleeping. R1: every one ends, none
// is lost. R2: then the D1 index equals every object: 0 missing, extra or mismatched rows for
// executions and task runs. 100 executions in CI; FAULTS_LARGE=1 for 1,000. Prints its figures.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isTerminal } from "../../worker/engine/state";
import type { StateType } from "../../worker/engine/types";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import type { ExecutionJson } from "../../worker/execution/json";
import { executionStub } from "../../worker/execution/object";
import { executionDurableObject, saveFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { createTenant, type TestTenant } from "../helpers/tenant";

const COUNT = env.FAULTS_LARGE ? 1_000 : 100;

const FLOWS: Record<string, string> = {
  quick:
    "tasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: ok\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: '{{ outputs.r.value }}'\n",
  loop: "tasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [1, 2, 3, 4, 5]\n    tasks:\n      - id: l\n        type: io.kestra.plugin.core.log.Log\n        message: '{{ taskrun.value }}'\n",
  retrying:
    "tasks:\n  - id: f\n    type: io.kestra.plugin.core.execution.Fail\n    errorMessage: no\n    retry:\n      type: constant\n      interval: PT10M\n      maxAttempt: 3\n",
  sleepy:
    "tasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT10M\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: woke\n",
};
const EXPECTED: Record<string, StateType> = {
  quick: "SUCCESS",
  loop: "SUCCESS",
  retrying: "FAILED",
  sleepy: "SUCCESS",
};

const shape = (i: number) => Object.keys(FLOWS)[i % 4]!;

async function start(t: TestTenant, flowId: string): Promise<string> {
  const res = await t.fetch(`executions/faults/${flowId}`, { method: "POST" });
  if (res.status !== 200) throw new Error(`start failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** What a lost instance would leave: its alarm (or the sweeper's poke) does the rest. */
async function nudge(t: TestTenant, id: string): Promise<void> {
  const stub = executionDurableObject(t, id);
  await runInDurableObject(stub, (o: ExecutionDurableObject) => o.advanceClock(11 * 60_000));
  if (!(await runDurableObjectAlarm(stub))) await runInDurableObject(stub, (o: ExecutionDurableObject) => o.poke());
}

/** Evicts the object if it is in memory (an object already gone cannot be evicted again). */
async function evict(t: TestTenant, id: string): Promise<boolean> {
  try {
    await evictDurableObject(executionDurableObject(t, id));
    return true;
  } catch (e) {
    if (String(e).includes("not currently running")) return false;
    throw e;
  }
}

describe("fault suite: evictions (R1/R2)", () => {
  it(`${COUNT} executions with about ${COUNT / 10} objects evicted at random points: all end, the index equals every object`, async () => {
    const t = await createTenant();
    for (const [id, tasks] of Object.entries(FLOWS)) await saveFlow(t, `id: ${id}\nnamespace: faults\n${tasks}`);
    let seed = 20261203;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };

    const ids: string[] = [];
    let evictions = 0;
    for (let at = 0; at < COUNT; at += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, COUNT - at) }, (_, k) => start(t, shape(at + k))),
      );
      ids.push(...batch);
      // About one in ten of the batch just started is evicted at once (mid-turn, mid-drain), and
      // now and then an older one, waiting on its retry or sleep.
      for (const id of ids) {
        const fresh = batch.includes(id);
        if (random() < (fresh ? 0.1 : 0.005)) {
          if (await evict(t, id)) evictions++;
        }
      }
    }

    const byId = new Map<string, ExecutionJson>();
    let rounds = 0;
    for (; rounds < 30; rounds++) {
      const open: string[] = [];
      for (const id of ids) {
        const ex = await executionStub(env, t.tenantId, id).get();
        if (ex) byId.set(id, ex);
        if (!ex || !isTerminal(ex.state.current as StateType)) open.push(id);
      }
      if (!open.length) break;
      for (const id of open) {
        // A second eviction now and then, during a retry's or a sleep's wait.
        if (random() < 0.05) {
          if (await evict(t, id)) evictions++;
        }
        await nudge(t, id);
      }
    }

    // R1
    const lost = ids.filter((id) => !byId.has(id));
    const unfinished = [...byId.values()].filter((e) => !isTerminal(e.state.current as StateType));
    const wrong = [...byId.values()].filter((e) => e.state.current !== EXPECTED[e.flowId]);
    expect(lost).toEqual([]);
    expect(unfinished.map((e) => e.id)).toEqual([]);
    expect(wrong.map((e) => `${e.flowId}:${e.state.current}`)).toEqual([]);

    // R2
    for (const id of ids) await indexNow(t, id);
    const rows = await env.DB.prepare("SELECT id, state FROM executions WHERE tenant_id = ?")
      .bind(t.tenantId)
      .all<{ id: string; state: string }>();
    const runs = await env.DB.prepare("SELECT id, execution_id, state FROM task_runs WHERE tenant_id = ?")
      .bind(t.tenantId)
      .all<{ id: string; execution_id: string; state: string }>();
    const indexed = new Map(rows.results.map((r) => [r.id, r.state]));
    const indexedRuns = new Map(runs.results.map((r) => [r.id, r.state]));
    let missing = 0;
    let mismatched = 0;
    let objectRuns = 0;
    for (const ex of byId.values()) {
      const state = indexed.get(ex.id);
      if (state === undefined) missing++;
      else if (state !== ex.state.current) mismatched++;
      for (const run of ex.taskRunList) {
        objectRuns++;
        const s = indexedRuns.get(run.id);
        if (s === undefined) missing++;
        else if (s !== run.state.current) mismatched++;
      }
    }
    const extra = rows.results.length - byId.size + (runs.results.length - objectRuns);
    expect({ missing, extra, mismatched }).toEqual({ missing: 0, extra: 0, mismatched: 0 });
    console.log(
      `fault suite, R1/R2: ${COUNT} executions, ${evictions} evictions at random points, ${rounds} alarm rounds: ` +
        `100% terminal, 0 lost; index vs objects (${byId.size} executions, ${objectRuns} task runs): 0 missing, 0 extra, 0 mismatched`,
    );
  }, 600_000);
});
