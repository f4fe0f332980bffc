// Rows 3 and 5: ForEach over 1,000 values (concurrencyLimit 0 and 1, a Return child) and the big
// execution, ForEach over 10,000 values with a Log child: completion, time, the isolate's heap, the
// size and time of GET, and paging its task runs through the D1 index.

import http from "node:http";
import { engineTimes, sleep, stats } from "../lib/client.mjs";
import { forEach } from "../lib/flows.mjs";
import { openInspector } from "../lib/inspector.mjs";
import { workerdRss } from "../lib/stack.mjs";

export async function foreach1000({ api, n, perTaskMs }) {
  const lines = [];
  const notes = [];
  const detail = {};
  for (const limit of [0, 1]) {
    const id = `fe${n}c${limit}`;
    await api.saveFlow(forEach(id, n, limit, "return"));
    // One run first, as seq40 warms up before it is measured: V8 optimizes the loop's hot code.
    await api.runAndWait("bench", id);
    const r = await api.runAndWait("bench", id);
    const t = engineTimes(r.execution, r.sentAt, r.answeredAt);
    detail[`c${limit}`] = { ...t, wallMs: r.wallMs, bytes: r.bytes };
    if (t.state !== "SUCCESS" || t.taskRuns !== n + 1) {
      lines.push({
        name: `foreach${n} c=${limit}`,
        measured: `FAILED: ${t.state}, ${t.taskRuns} task runs`,
        failed: true,
      });
      continue;
    }
    const perChild = t.engineMs / n;
    lines.push({
      name: `foreach${n} c=${limit}`,
      measured: `engine dates, ${n} Return children; per child ${perChild.toFixed(2)} ms`,
      unit: "ms",
      ...stats([t.engineMs]),
      ratio: {
        label: "per child ÷ seq40 per task",
        value: perChild / perTaskMs,
        goal: "≤ 2",
        met: perChild / perTaskMs <= 2,
      },
    });
    notes.push(
      `c=${limit}: client wall ${r.wallMs.toFixed(0)} ms = request → CREATED ${t.submitToCreatedMs} ms + engine ` +
        `${t.executionMs} ms + terminal → response ${t.endToAnswerMs} ms (response ${(r.bytes / 1e6).toFixed(1)} MB).`,
    );
  }
  notes.push(
    "One measured run per concurrency setting after one warm-up run (each is a large execution); min = max = median.",
  );
  return { lines, notes, detail };
}

/** Samples the workerd RSS every 500 ms while `work` runs; returns the peak (KiB). */
async function withRssPeak(child, work) {
  let peak = 0;
  const sample = () => {
    const [top] = workerdRss(child);
    if (top && top.rssKiB > peak) peak = top.rssKiB;
  };
  sample();
  const timer = setInterval(sample, 500);
  try {
    return { result: await work(), peakKiB: peak };
  } finally {
    clearInterval(timer);
    sample();
  }
}

/**
 * POST ?wait=true over node:http (fetch gives up on response headers after 300 s) with a deadline.
 * The Durable Object holds its answers while it works through the execution, so a GET during the
 * run would wait as long: the only progress probe is one bounded GET after a timeout.
 */
function longPost(api, path, timeoutMs) {
  const url = new URL(api.url(path));
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(url, { method: "POST", headers: api.headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          // keep the text
        }
        resolve({ status: res.statusCode, json, text, ms: performance.now() - started, bytes: text.length });
      });
      res.on("error", (error) => resolve({ status: 0, error, ms: performance.now() - started }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on("error", (error) => resolve({ status: 0, error, ms: performance.now() - started }));
    req.end();
  });
}

export async function bigExecution({ api, peregrine, n, limit, timeoutMs }) {
  const id = `big${n}c${limit}`;
  const mib = (kib) => kib / 1024;
  const heapMiB = (bytes) => bytes / 1048576;
  await api.saveFlow(forEach(id, n, limit, "log"));
  await sleep(2000);
  const inspector = await openInspector(peregrine.inspectorPort);
  const heapBefore = await inspector.retained();
  const before = workerdRss(peregrine.child)[0]?.rssKiB ?? Number.NaN;
  const sentAt = Date.now();
  const heapRun = await inspector.peakDuring(() =>
    withRssPeak(peregrine.child, () => longPost(api, `/executions/bench/${id}?wait=true`, timeoutMs)),
  );
  const run = heapRun.result;
  const after = workerdRss(peregrine.child)[0]?.rssKiB ?? Number.NaN;
  let peakKiB = run.peakKiB;
  const memory = { beforeMiB: mib(before), peakMiB: mib(peakKiB), afterMiB: mib(after) };
  const heap = { beforeMiB: heapMiB(heapBefore), peakMiB: heapMiB(heapRun.peak) };
  const notes = [
    `Memory (RSS) of the whole local workerd process (all isolates, D1/R2 simulators, caches): before ` +
      `${memory.beforeMiB.toFixed(0)} MiB, peak ${memory.peakMiB.toFixed(0)} MiB, after ${memory.afterMiB.toFixed(0)} MiB.`,
  ];
  const r = run.result;
  if (r.status !== 200 || r.json?.state?.current !== "SUCCESS") {
    const why =
      r.status === 0
        ? `POST ?wait=true: ${r.error?.message ?? r.error}`
        : `answered ${r.status} ${r.json?.state?.current ?? r.text?.slice(0, 120)}`;
    const progress = await progressOf(api, id);
    return {
      lines: [
        {
          name: `big ${n} c=${limit}`,
          measured: `FAILED: ${why}; isolate heap peak ${heap.peakMiB.toFixed(0)} MiB`,
          failed: true,
        },
      ],
      notes: [`Big execution failed — ${why}. Afterwards: ${progress}.`, ...notes],
      detail: { memory, heap, why, progress },
    };
  }
  const t = engineTimes(r.json, sentAt, sentAt + r.ms);
  const executionId = r.json.id;
  const heapAfter = await inspector.peakDuring(async () => {
    const get = await api.ok("GET", `/executions/${executionId}`);
    const index = await indexCatchUp(api, executionId, n + 1, Date.parse(r.json.state.histories.at(-1).date));
    const paging = await withRssPeak(peregrine.child, () => pageAll(api, executionId));
    return { get, index, paging };
  });
  const { get, index, paging } = heapAfter.result;
  peakKiB = Math.max(peakKiB, paging.peakKiB);
  memory.peakMiB = mib(peakKiB);
  memory.growthMiB = memory.peakMiB - memory.beforeMiB;
  heap.peakMiB = heapMiB(Math.max(heapRun.peak, heapAfter.peak));
  // The object stays in memory a while after its run: what a full collection leaves is what it keeps.
  heap.retainedMiB = heapMiB(await inspector.retained());
  inspector.close();
  const pages = paging.result;
  const withinGoal = t.state === "SUCCESS" && heap.peakMiB < 128;
  notes.push(
    `Memory: the JS heap of the local Worker's isolate (read over its inspector every 100 ms; the Worker and all ` +
      `Durable Objects of the script share it, and it counts garbage not yet collected, so it bounds the execution's ` +
      `object from above): ${heap.beforeMiB.toFixed(0)} MiB before, peak ${heap.peakMiB.toFixed(0)} MiB while the execution ` +
      `ran, answered its ${(r.bytes / 1e6).toFixed(1)} MB JSON and was paged, ${heap.retainedMiB.toFixed(0)} MiB after a full ` +
      `collection with the object still loaded. The workerd process's RSS grew ${memory.growthMiB.toFixed(0)} MiB ` +
      "(it also holds the D1 and R2 simulators and their caches).",
    `Big execution (concurrencyLimit ${limit}, Log child) completed: engine ${(t.engineMs / 1000).toFixed(1)} s ` +
      `(${(t.engineMs / n).toFixed(2)} ms per child); client wall ${(r.ms / 1000).toFixed(1)} s = request → CREATED ` +
      `${t.submitToCreatedMs} ms + engine + terminal → response ${(t.endToAnswerMs / 1000).toFixed(1)} s (${(r.bytes / 1e6).toFixed(1)} MB).`,
    `GET /executions/{id}: ${get.ms.toFixed(0)} ms, ${(get.bytes / 1e6).toFixed(1)} MB, ${get.json.taskRunList.length} task runs.`,
    `D1 index: task runs total reached ${index.total}/${n + 1} ${index.caughtUp ? `${(index.lagMs / 1000).toFixed(1)} s after the execution ended` : "NOT within the wait limit"}; ` +
      `paging size 100: ${pages.pages} pages, ${pages.unique} distinct task runs, total field ${pages.total}, ${pages.ms.toFixed(0)} ms` +
      ` (slowest page ${pages.slowestMs.toFixed(0)} ms).`,
  );
  return {
    lines: [
      {
        name: `big ${n} c=${limit}`,
        measured: `completes: ${t.state}; engine dates, ${t.taskRuns} task runs`,
        unit: "ms",
        ...stats([t.engineMs]),
        ratio: {
          label: "isolate heap peak, MiB (bounds the DO)",
          value: heap.peakMiB,
          goal: "completes, < 128",
          met: withinGoal,
        },
      },
      { name: "  GET execution", measured: `${(get.bytes / 1e6).toFixed(1)} MB`, unit: "ms", ...stats([get.ms]) },
      {
        name: "  taskruns pages",
        measured: `size 100, ${pages.pages} pages, total ${pages.total} (want ${n + 1})`,
        unit: "ms",
        ...stats([pages.ms]),
        ratio: { label: "distinct task runs", value: pages.unique, goal: `= ${n + 1}`, met: pages.unique === n + 1 },
      },
    ],
    notes,
    detail: { engine: t, wallMs: r.ms, memory, heap, getMs: get.ms, getBytes: get.bytes, index, paging: pages },
  };
}

/** One bounded look at the execution after a failure: the index for its id, then the DO. */
async function progressOf(api, flowId) {
  const bounded = { signal: AbortSignal.timeout(30_000) };
  const s = await api
    .call("GET", `/executions/search?namespace=bench&flowId=${flowId}&size=1`, bounded)
    .catch(() => null);
  const ex = s?.json?.results?.[0];
  if (!ex) return "the D1 index did not list it within 30 s";
  const g = await api.call("GET", `/executions/${ex.id}`, { signal: AbortSignal.timeout(30_000) }).catch(() => null);
  if (g?.status !== 200) return `the index says ${ex.state?.current}; GET of the execution did not answer within 30 s`;
  const byState = {};
  for (const run of g.json.taskRunList ?? []) byState[run.state.current] = (byState[run.state.current] ?? 0) + 1;
  return `execution ${g.json.state.current}, task runs by state ${JSON.stringify(byState)}`;
}

async function indexCatchUp(api, executionId, want, endedAt, limitMs = 120_000) {
  const deadline = Date.now() + limitMs;
  let total = 0;
  while (Date.now() < deadline) {
    const r = await api.ok("GET", `/taskruns/search?executionId=${executionId}&size=1`);
    total = r.json.total;
    if (total >= want) return { total, caughtUp: true, lagMs: Date.now() - endedAt };
    await sleep(250);
  }
  return { total, caughtUp: false, lagMs: Date.now() - endedAt };
}

async function pageAll(api, executionId) {
  const started = performance.now();
  const ids = new Set();
  let page = 1;
  let total = 0;
  let slowestMs = 0;
  for (; page <= 1000; page++) {
    const r = await api.ok("GET", `/taskruns/search?executionId=${executionId}&size=100&page=${page}`);
    slowestMs = Math.max(slowestMs, r.ms);
    total = r.json.total;
    for (const run of r.json.results) ids.add(run.id);
    if (r.json.results.length < 100) break;
  }
  return { pages: page, unique: ids.size, total, ms: performance.now() - started, slowestMs };
}
