// The JS heap of the local Worker's isolate, read over its V8 inspector (wrangler dev
// --inspector-port): the Worker and every Durable Object of this script share that isolate locally,
// so its heap bounds what one execution's object holds, far closer than the workerd process's RSS
// (which also carries the D1 and R2 simulators). Cloudflare's 128 MB limit is per isolate too.

/**
 * Connects to the inspector at `port`. `usage()` answers Runtime.getHeapUsage in bytes: V8's used
 * heap plus what the embedder reports (external memory, ArrayBuffer backing stores).
 */
export async function openInspector(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`no inspector on port ${port}`));
  });
  let next = 0;
  const waiting = new Map();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    const resolve = waiting.get(message.id);
    if (!resolve) return;
    waiting.delete(message.id);
    resolve(message);
  };
  const call = (method, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      ws.send(JSON.stringify({ id, method, params: {} }));
    });
  const usage = async () => {
    const { result } = await call("Runtime.getHeapUsage");
    return result.usedSize + (result.embedderHeapUsedSize ?? 0) + (result.backingStorageSize ?? 0);
  };
  return {
    usage,
    /** Samples `usage()` every `everyMs` while `work` runs; the peak in bytes (a sample can miss a brief top). */
    async peakDuring(work, everyMs = 100) {
      let peak = await usage();
      let sampling = Promise.resolve();
      const timer = setInterval(() => {
        sampling = sampling.then(async () => {
          peak = Math.max(peak, await usage());
        });
      }, everyMs);
      let result;
      try {
        result = await work();
      } finally {
        clearInterval(timer);
        await sampling.catch(() => {});
      }
      peak = Math.max(peak, await usage());
      return { result, peak };
    },
    /**
     * What stays after a full collection. workerd's inspector carries out collectGarbage without
     * answering it, so this waits a moment instead of for the answer.
     */
    async retained() {
      ws.send(JSON.stringify({ id: ++next, method: "HeapProfiler.collectGarbage", params: {} }));
      await new Promise((r) => setTimeout(r, 1500));
      return usage();
    },
    close: () => ws.close(),
  };
}
