// The load row's two baselines, driven by the same open-loop generator at the same rates as
// Peregrine: the floor of one-object-per-execution (a new SQLite Durable Object per request that
// stores an execution, two task runs and a log line, then answers) and Cloudflare Workflows (a new
// instance of a 2-step workflow per request, its end read back from the instance's own output).
import { quantile, sleep } from "../lib/client.mjs";
import { perMinute, post, risingRates } from "../lib/load.mjs";

function summary(name, stage, spans, latencies) {
  const lat = [...latencies].sort((a, b) => a - b);
  return {
    name,
    rate: stage.rate,
    offered: stage.offered,
    accepted: stage.requests.filter((r) => r.status === 200).length,
    completed: spans.length,
    perMin: perMinute(spans),
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    min: lat[0],
    max: lat.at(-1),
  };
}

/** A new Durable Object per request: exec/min from the answers, latency = the request itself. */
export async function floorLoad(baseline, rates, seconds) {
  const stages = await risingRates((signal) => post(`${baseline.base}/fresh`, signal), rates, seconds);
  return stages.map((s) => {
    const ok = s.requests.filter((r) => r.status === 200);
    const spans = ok.map((r) => ({ start: r.sentAt, end: r.sentAt + r.ms }));
    return summary(
      "floor",
      s,
      spans,
      ok.map((r) => r.ms),
    );
  });
}

async function statuses(baseline, ids) {
  const out = [];
  for (let i = 0; i < ids.length; i += 50) {
    const res = await fetch(`${baseline.base}/status?ids=${ids.slice(i, i + 50).join(",")}`);
    out.push(...(await res.json()));
  }
  return out;
}

/** A Workflow instance per request: exec/min and latency from create to the instance's own end. */
export async function workflowsLoad(baseline, rates, seconds, waitMs = 120_000) {
  const stages = await risingRates((signal) => post(`${baseline.base}/flow?n=2`, signal), rates, seconds);
  const out = [];
  for (const s of stages) {
    const created = new Map(
      s.requests.filter((r) => r.status === 200 && r.json?.id).map((r) => [r.json.id, r.json.createdAt]),
    );
    const deadline = Date.now() + waitMs;
    let states = [];
    for (;;) {
      states = await statuses(baseline, [...created.keys()]);
      const open = states.filter((x) => !["complete", "errored", "terminated"].includes(x.status));
      if (!open.length || Date.now() > deadline) break;
      await sleep(500);
    }
    const spans = states
      .filter((x) => x.status === "complete" && x.output?.endAt)
      .map((x) => ({ start: created.get(x.id), end: x.output.endAt }));
    out.push(
      summary(
        "workflows",
        s,
        spans,
        spans.map((x) => x.end - x.start),
      ),
    );
  }
  return out;
}
