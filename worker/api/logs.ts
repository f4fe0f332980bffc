// Logs under /api/v1/{tenant}/logs: an execution's logs come from its Durable Object (current to
// the last task run); the search reads the D1 index. Follow streams new lines as server-sent events.
import { Hono } from "hono";
import { deleteIndexedLogs, searchLogs } from "../db/executions";
import { isTerminal } from "../engine/state";
import { invalid, notFound } from "../errors";
import { logJson } from "../execution/json";
import { executionStub } from "../execution/object";
import { levelRank } from "../execution/store";
import { type AppEnv, dbOf } from "./context";
import { pageOf } from "./query";

const FOLLOW_POLL_MS = 500;
const FOLLOW_LIMIT_MS = 10 * 60_000;

export type { LogJson } from "../execution/json";

/** The execution's log lines (after `afterSeq`, when following), and the last sequence number read. */
async function executionLogs(
  env: Env,
  tenantId: string,
  executionId: string,
  filter: Record<string, string | undefined>,
  afterSeq?: number,
) {
  const stub = executionStub(env, tenantId, executionId);
  const [execution, rows] = await Promise.all([
    stub.summary(),
    stub.logs({
      minLevel: filter.minLevel,
      taskId: filter.taskId,
      taskRunId: filter.taskRunId,
      attempt: attemptQuery(filter.attempt),
      afterSeq,
    }),
  ]);
  if (!execution || !rows) throw notFound(`Execution '${executionId}' not found`);
  return {
    execution,
    lines: rows.map((r) => logJson(executionId, execution.namespace, execution.flowId, r)),
    lastSeq: rows.at(-1)?.seq ?? afterSeq,
  };
}

/** `?attempt=`: the attempt number of the log lines, a non-negative integer (422 otherwise). */
function attemptQuery(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw invalid(`attempt must be a non-negative integer, got '${raw}'`, { field: "attempt" });
  return n;
}

export const logsApi = new Hono<AppEnv>()
  .get("/search", async (c) => {
    const q = c.req.query();
    const result = await searchLogs(dbOf(c), c.get("tenantId"), {
      ...pageOf(q),
      q: q.q,
      namespace: q.namespace,
      flowId: q.flowId,
      minLevelRank: q.minLevel ? levelRank(q.minLevel) : undefined,
      startDate: q.startDate,
      endDate: q.endDate,
    });
    return c.json(result, 200);
  })
  .get("/:executionId", async (c) => {
    const { lines } = await executionLogs(c.env, c.get("tenantId"), c.req.param("executionId"), c.req.query());
    return c.json(lines, 200);
  })
  .delete("/:executionId", async (c) => {
    const tenantId = c.get("tenantId");
    const executionId = c.req.param("executionId");
    const filter = {
      taskId: c.req.query("taskId") || undefined,
      taskRunId: c.req.query("taskRunId") || undefined,
      attempt: attemptQuery(c.req.query("attempt")),
    };
    if (!(await executionStub(c.env, tenantId, executionId).deleteLogs(filter))) {
      throw notFound(`Execution '${executionId}' not found`);
    }
    await deleteIndexedLogs(dbOf(c), tenantId, executionId, filter);
    return c.body(null, 204);
  })
  .get("/:executionId/download", async (c) => {
    const { lines } = await executionLogs(c.env, c.get("tenantId"), c.req.param("executionId"), c.req.query());
    const text = lines.map((r) => `${r.timestamp} ${r.level} ${r.taskId ?? ""} ${r.message}`).join("\n");
    return c.text(`${text}\n`, 200, {
      "Content-Disposition": `attachment; filename="${c.req.param("executionId")}.log"`,
    });
  })
  .get("/:executionId/follow", async (c) => {
    const tenantId = c.get("tenantId");
    const executionId = c.req.param("executionId");
    const filter = c.req.query();
    const first = await executionLogs(c.env, tenantId, executionId, filter);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const started = Date.now();
        let read = first;
        // Each poll reads only the lines after the last one sent; the poll that sees the end
        // has read the lines written before it.
        for (;;) {
          for (const line of read.lines)
            controller.enqueue(encoder.encode(`event: log\ndata: ${JSON.stringify(line)}\n\n`));
          if (isTerminal(read.execution.state.current) || Date.now() - started > FOLLOW_LIMIT_MS) break;
          await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
          read = await executionLogs(c.env, tenantId, executionId, filter, read.lastSeq);
        }
        controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
        controller.close();
      },
    });
    return new Response(stream, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" } });
  });

export const metricsApi = new Hono<AppEnv>().get("/:executionId", async (c) => {
  const executionId = c.req.param("executionId");
  const stub = executionStub(c.env, c.get("tenantId"), executionId);
  const [execution, rows] = await Promise.all([stub.summary(), stub.metrics()]);
  if (!execution || !rows) throw notFound(`Execution '${executionId}' not found`);
  return c.json(
    rows.map((m) => ({
      namespace: execution.namespace,
      flowId: execution.flowId,
      taskId: m.taskId,
      executionId,
      taskRunId: m.taskRunId,
      type: m.type,
      name: m.name,
      value: m.value,
      tags: m.tags,
      timestamp: m.timestamp,
    })),
    200,
  );
});
