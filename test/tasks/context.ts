// A real TaskContext for task tests: the real expression module over given variables, logs and
// metrics collected in arrays, files in a map, and the network supplied by the test.

import type { Task } from "../../schema/flow/types";
import { render, renderDeep, renderTyped } from "../../worker/expressions";
import type { LogLevel, MetricInput, TaskContext } from "../../worker/tasks/types";

export interface TestRun {
  ctx: TaskContext;
  logs: { level: LogLevel; message: string }[];
  metrics: MetricInput[];
  files: Map<string, string>;
  requests: Request[];
}

export function makeRun(
  task: Partial<Task> & Record<string, unknown>,
  vars: Record<string, unknown> = {},
  network: (request: Request) => Promise<Response> = async () => new Response("ok"),
): TestRun {
  const logs: TestRun["logs"] = [];
  const metrics: MetricInput[] = [];
  const files = new Map<string, string>();
  const requests: Request[] = [];
  const ctx: TaskContext = {
    task: { id: "t", type: "test", ...task } as Task,
    render: (t) => render(t, vars),
    renderTyped: (t) => renderTyped(t, vars),
    renderDeep: (v) => renderDeep(v, vars),
    log: (level, message) => logs.push({ level, message }),
    metric: (m) => metrics.push(m),
    async putFile(name, body) {
      const uri = `kestra:///test/${name}`;
      files.set(uri, typeof body === "string" ? body : await new Response(body).text());
      return uri;
    },
    async readFile(uri) {
      const text = files.get(uri);
      if (text === undefined) throw new Error(`no file ${uri}`);
      return text;
    },
    async openFile(uri) {
      const text = files.get(uri);
      if (text === undefined) throw new Error(`no file ${uri}`);
      const bytes = new TextEncoder().encode(text);
      return { body: new Response(bytes).body as ReadableStream<Uint8Array>, size: bytes.byteLength };
    },
    async fileSize(uri) {
      const text = files.get(uri);
      if (text === undefined) throw new Error(`no file ${uri}`);
      return new TextEncoder().encode(text).byteLength;
    },
    async deleteFile(uri) {
      return files.delete(uri);
    },
    async purgeExecutionFiles() {
      const uris = [...files.keys()];
      files.clear();
      return uris;
    },
    async resumeExecution() {
      throw new Error("no other execution in a task test");
    },
    async executionLogs(executionId) {
      if (executionId !== undefined) return undefined;
      return logs.map((l, i) => ({
        namespace: "test",
        flowId: "test",
        taskId: "t",
        executionId: "test",
        taskRunId: `run-${i}`,
        attemptNumber: 0,
        timestamp: new Date(0).toISOString(),
        level: l.level,
        message: l.message,
      }));
    },
    renderTypedWith: (t, extra) => renderTyped(t, { ...vars, ...extra }),
    async fetch(url, init) {
      const request = new Request(url, init);
      requests.push(request.clone());
      return network(request);
    },
    signal: new AbortController().signal,
  };
  return { ctx, logs, metrics, files, requests };
}
