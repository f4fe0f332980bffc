// The open-loop load generator the load row shares between Peregrine and its baselines: a fixed
// rate for a fixed time, a cap on requests in flight (requests over it are not sent and counted as
// capped), a timeout per request, and the knee test that stops rising rates past saturation.
import { quantile, sleep } from "./client.mjs";

export const MAX_IN_FLIGHT = 256;
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends `rate` requests a second for `seconds` through `send(signal)`, which answers
 * `{status, ms, id?, json?}`. Every answer is kept with the time it was sent.
 */
export async function openLoop(send, rate, seconds) {
  const total = rate * seconds;
  const interval = 1000 / rate;
  const requests = [];
  let inFlight = 0;
  let capped = 0;
  const started = performance.now();
  const startedAt = Date.now();
  const pending = new Set();
  for (let k = 0; k < total; ) {
    const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
    for (; k < due; k++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        capped++;
        continue;
      }
      inFlight++;
      const sentAt = Date.now();
      const p = send(AbortSignal.timeout(REQUEST_TIMEOUT_MS))
        .then(
          (r) => requests.push({ sentAt, ms: r.ms, status: r.status, id: r.id, json: r.json }),
          (e) => requests.push({ sentAt, ms: Number.NaN, status: 0, error: String(e?.name ?? e) }),
        )
        .finally(() => {
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    await sleep(Math.max(1, Math.min(interval / 2, 5)));
  }
  const sendMs = performance.now() - started;
  await Promise.all(pending);
  return { rate, seconds, offered: total, capped, sendMs, startedAt, requests };
}

/** Past the knee a higher rate only piles up timeouts and backlog. */
export function saturated(stage) {
  const ok = stage.requests.filter((r) => r.status === 200).length;
  const client = stage.requests.map((r) => r.ms).sort((a, b) => a - b);
  return ok < 0.9 * stage.offered || quantile(client, 0.99) > 5000;
}

/** Runs rising rates until one saturates; returns every stage run. */
export async function risingRates(send, rates, seconds) {
  const stages = [];
  for (const rate of rates) {
    const s = await openLoop(send, rate, seconds);
    stages.push(s);
    if (saturated(s)) break;
  }
  return stages;
}

/** A POST to a plain URL, timed, with the JSON answer. */
export async function post(url, signal, { body, type } = {}) {
  const started = performance.now();
  const res = await fetch(url, { method: "POST", body, headers: type ? { "Content-Type": type } : {}, signal });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, ms: performance.now() - started, json, id: json?.id };
}

/** Executions a minute over a set of (start, end) times: count ÷ (last end − first start). */
export function perMinute(spans) {
  if (spans.length < 2) return Number.NaN;
  const first = Math.min(...spans.map((s) => s.start));
  const last = Math.max(...spans.map((s) => s.end));
  return (spans.length / ((last - first) / 1000)) * 60;
}
