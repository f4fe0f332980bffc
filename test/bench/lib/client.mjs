// A small client for the Peregrine API as the benchmark uses it, plus the engine-recorded
// timings read from an execution's own state histories, and the statistics the table prints.

export function peregrineClient({ base, tenant, key }) {
  const url = (p) => `${base}/api/v1/${tenant}${p}`;
  const auth = { Authorization: `Bearer ${key}` };

  async function call(method, p, { body, type, signal } = {}) {
    const headers = { ...auth };
    if (type) headers["Content-Type"] = type;
    const started = performance.now();
    const res = await fetch(url(p), { method, headers, body, signal });
    const text = await res.text();
    const ms = performance.now() - started;
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: res.status, json, text, ms, bytes: Buffer.byteLength(text) };
  }

  async function ok(method, p, opts) {
    const r = await call(method, p, opts);
    if (r.status < 200 || r.status > 299)
      throw new Error(`${method} ${p} answered ${r.status}: ${r.text.slice(0, 300)}`);
    return r;
  }

  return {
    url,
    headers: auth,
    call,
    ok,
    saveFlow: (yaml) => ok("POST", "/flows", { body: yaml, type: "application/x-yaml" }),
    /** Runs a flow with ?wait=true; returns the execution and the client-side timestamps. */
    async runAndWait(namespace, flowId) {
      const sentAt = Date.now();
      const r = await ok("POST", `/executions/${namespace}/${flowId}?wait=true`);
      return { execution: r.json, wallMs: r.ms, sentAt, answeredAt: Date.now(), bytes: r.bytes };
    },
  };
}

const ms = (iso) => Date.parse(iso);

/** Dates an execution recorded itself: first task run CREATED to last task run terminal. */
export function engineTimes(execution, sentAt, answeredAt) {
  const runs = execution.taskRunList ?? [];
  const created = runs.map((r) => ms(r.state.histories[0].date));
  const ended = runs.map((r) => ms(r.state.histories.at(-1).date));
  const exHist = execution.state.histories;
  const exCreated = ms(exHist[0].date);
  const exEnded = ms(exHist.at(-1).date);
  const out = {
    state: execution.state.current,
    taskRuns: runs.length,
    engineMs: runs.length ? Math.max(...ended) - Math.min(...created) : Number.NaN,
    executionMs: exEnded - exCreated,
  };
  if (sentAt !== undefined) {
    // Same machine and clock: where the wall time goes around the engine's own record.
    out.submitToCreatedMs = exCreated - sentAt;
    out.endToAnswerMs = answeredAt - exEnded;
  }
  return out;
}

export function stats(values) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return { n: 0, median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { n: xs.length, median: quantile(xs, 0.5), min: xs[0], max: xs.at(-1) };
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted, q) {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const sleep = (msToWait) => new Promise((r) => setTimeout(r, msToWait));
