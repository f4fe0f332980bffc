// Row 4: load in the shape of Kestra's benchmark01 (webhook → OutputValues → Log), sent to the
// tenant's webhook URL (no API key, under the tenant's default rate limit of 400/s) at rising
// rates by a bounded open-loop generator on loopback. Latency comes from the executions' own
// records (CREATED → terminal, read back through executions/search); the D1 index lag is how long
// after the last answered request the search total reaches the accepted count. The same rates then
// go to the two baselines (test/bench/rows/load-baselines.mjs) for ratios measured in one run.
import { quantile, sleep } from "../lib/client.mjs";
import { webhookFlow } from "../lib/flows.mjs";
import { MAX_IN_FLIGHT, perMinute, post, REQUEST_TIMEOUT_MS, risingRates } from "../lib/load.mjs";
import { floorLoad, workflowsLoad } from "./load-baselines.mjs";

const FLOW = "hook";
const KEY = "bench-webhook-key";
const WEBHOOK_PATH = `/executions/webhook/bench/${FLOW}/${KEY}`;

async function waitForIndex(api, accepted, query, limitMs) {
  const deadline = Date.now() + limitMs;
  let total = 0;
  while (Date.now() < deadline) {
    const r = await api.call("GET", `/executions/search?namespace=bench&flowId=${FLOW}&size=1${query}`);
    total = r.json?.total ?? total;
    if (total >= accepted) return { total, reachedAt: Date.now() };
    await sleep(200);
  }
  return { total, reachedAt: null };
}

async function records(api) {
  const out = new Map();
  for (let page = 1; page <= 100; page++) {
    const r = await api.ok("GET", `/executions/search?namespace=bench&flowId=${FLOW}&size=1000&page=${page}`);
    for (const ex of r.json.results) out.set(ex.id, ex);
    if (r.json.results.length < 1000) break;
  }
  return out;
}

function peregrineStage(s, recs) {
  const ok = s.requests.filter((r) => r.status === 200 && r.id);
  const spans = [];
  for (const r of ok) {
    const h = recs.get(r.id)?.state?.histories;
    if (!h || !["SUCCESS", "FAILED"].includes(recs.get(r.id).state.current)) continue;
    spans.push({ start: Date.parse(h[0].date), end: Date.parse(h.at(-1).date) });
  }
  const lat = spans.map((x) => x.end - x.start).sort((a, b) => a - b);
  const client = ok.map((r) => r.ms).sort((a, b) => a - b);
  return {
    name: "peregrine",
    rate: s.rate,
    offered: s.offered,
    capped: s.capped,
    accepted: ok.length,
    errors: s.requests.length - ok.length,
    completed: lat.length,
    perMin: perMinute(spans),
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    min: lat[0],
    max: lat.at(-1),
    clientP50: quantile(client, 0.5),
    clientP99: quantile(client, 0.99),
    statuses: [...new Set(s.requests.map((r) => r.status))],
  };
}

const best = (stages) => stages.reduce((a, b) => (b.perMin > (a?.perMin ?? -1) ? b : a), undefined);
const describe = (s) =>
  `${s.rate}/s → ${s.accepted}/${s.offered} accepted, ${s.completed} done, ${s.perMin.toFixed(0)} exec/min, ` +
  `p50 ${s.p50.toFixed(0)} / p99 ${s.p99.toFixed(0)} ms`;

export async function webhookLoad({ api, baseline, rates, seconds, cpuMs }) {
  await api.saveFlow(webhookFlow(FLOW, KEY));
  const hook = api.url(WEBHOOK_PATH);
  const send = (signal) => post(hook, signal, { body: "{}", type: "application/json" });
  // Warm-up outside the measurement: a few executions so the isolate and D1 are hot.
  for (let i = 0; i < 5; i++) await send(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
  const warmIndex = await waitForIndex(api, 5, "&state=SUCCESS&state=FAILED", 120_000);
  const before = warmIndex.total;

  const cpuStart = cpuMs();
  const stages = await risingRates(send, rates, seconds);
  const accepted = stages.flatMap((s) => s.requests).filter((r) => r.status === 200 && r.id);
  const lastAcceptedAt = Math.max(...accepted.map((r) => r.sentAt + r.ms));
  const indexed = await waitForIndex(api, before + accepted.length, "", 180_000);
  const terminal = await waitForIndex(api, before + accepted.length, "&state=SUCCESS&state=FAILED", 180_000);
  const cpuPerExecMs = (cpuMs() - cpuStart) / Math.max(1, accepted.length);
  const recs = await records(api);
  const ours = stages.map((s) => peregrineStage(s, recs));

  const floor = baseline ? await floorLoad(baseline, rates, seconds) : [];
  const workflows = baseline ? await workflowsLoad(baseline, rates, seconds) : [];
  const top = { peregrine: best(ours), floor: best(floor), workflows: best(workflows) };

  const lines = ours.map((st) => ({
    name: `webhook ${st.rate}/s`,
    measured: `${st.accepted}/${st.offered} accepted, ${st.completed} done; exec/min ${st.perMin.toFixed(0)}; p99`,
    unit: "ms",
    n: st.completed,
    median: st.p50,
    min: st.min,
    max: st.max,
    p99: st.p99,
    ratio: {
      label: "exec/min, p99 ms",
      value: `${st.perMin.toFixed(0)}, ${st.p99.toFixed(0)}`,
      goal: "≥ 20000, ≤ 100",
      met: st.perMin >= 20_000 && st.p99 <= 100,
    },
  }));
  const versus = (label, other, what) =>
    other && {
      name: `  ${label}`,
      measured: `${what}; best ${other.perMin.toFixed(0)} exec/min at ${other.rate}/s; p99`,
      unit: "ms",
      n: other.completed,
      median: other.p50,
      min: other.min,
      max: other.max,
      ratio: {
        label: `Peregrine ÷ ${label} (exec/min)`,
        value: top.peregrine ? top.peregrine.perMin / other.perMin : Number.NaN,
      },
    };
  for (const line of [
    versus("floor", top.floor, "a new SQLite Durable Object per request, 4 rows, answered"),
    versus("Workflows", top.workflows, "a new 2-step Workflow instance per request, create → end"),
  ]) {
    if (line) lines.push(line);
  }
  const lag = (reached) => (reached.reachedAt ? (reached.reachedAt - lastAcceptedAt) / 1000 : Number.NaN);
  lines.push({
    name: "  D1 index lag",
    measured: `search total = accepted ${indexed.reachedAt ? "" : "NOT "}reached; all terminal in index`,
    unit: "s",
    n: 1,
    median: lag(indexed),
    min: lag(indexed),
    max: lag(terminal),
  });
  const notes = [
    `The load goes to the tenant's webhook URL (POST /api/v1/{tenant}${WEBHOOK_PATH}, no API key): each request ` +
      "is admitted by the tenant's trigger object (rate limit, default 400/s) and starts one execution.",
    `Open-loop generator: ${rates.join("/")} req/s for ${seconds} s each, at most ${MAX_IN_FLIGHT} requests in flight ` +
      `(requests over the cap are not sent and counted as capped), ${REQUEST_TIMEOUT_MS / 1000} s timeout each; a stage ` +
      "under 90% accepted or with a client p99 over 5 s ends the rising rates.",
    `Peregrine per stage: ${ours
      .map(
        (s) =>
          `${describe(s)} (capped ${s.capped}, statuses ${s.statuses.join("/")}, client p50 ${s.clientP50.toFixed(0)} / p99 ${s.clientP99.toFixed(0)} ms)`,
      )
      .join("; ")}.`,
    floor.length
      ? `Floor per stage (latency = the request): ${floor.map(describe).join("; ")}.`
      : "No baseline server: floor and Workflows not run.",
    workflows.length
      ? `Workflows per stage (latency = create → the instance's own end): ${workflows.map(describe).join("; ")}.`
      : "",
    `Where the time goes: Peregrine's workerd (one process: Worker, Durable Objects and the local D1/R2 simulators) used ` +
      `${cpuPerExecMs.toFixed(1)} ms of CPU per accepted execution from the start of the load until all were terminal in the index, ` +
      `i.e. at most ~${(60_000 / cpuPerExecMs).toFixed(0)} exec/min per fully busy core.`,
    `D1 index: the search total reached the ${accepted.length} accepted ${
      indexed.reachedAt ? `${lag(indexed).toFixed(1)} s` : "(never, within 180 s)"
    } after the last accepted request was answered; all of them terminal in the index after ${
      terminal.reachedAt ? `${lag(terminal).toFixed(1)} s` : "(never, within 180 s)"
    }.`,
  ].filter(Boolean);
  return {
    lines,
    notes,
    detail: {
      peregrine: ours,
      floor,
      workflows,
      cpuPerExecMs,
      indexLagS: lag(indexed),
      terminalLagS: lag(terminal),
    },
  };
}
