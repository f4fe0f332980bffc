// Executions: start (inputs as JSON, or multipart when a file is among them), read, search, follow
// over server-sent events, logs (optionally following), and control: kill, restart, replay, pause,
// resume, a task run's state, the execution's status, delete.
import { PeregrineError } from "./errors.ts";
import { type Http, labelList, type Query, type RequestBody, seg } from "./http.ts";
import { readEvents } from "./sse.ts";
import type {
  CreateExecutionOptions,
  EvalResult,
  ExecutionJson,
  ExecutionSearch,
  ExecutionSummaryJson,
  FollowEvent,
  InputValue,
  LogFilter,
  LogJson,
  Paged,
  StateType,
} from "./types.ts";

// Keyed by the server's state type, so tsc fails here when a state is added there.
const TERMINAL: Record<StateType, boolean> = {
  SUCCESS: true,
  WARNING: true,
  FAILED: true,
  KILLED: true,
  CANCELLED: true,
  RETRIED: true,
  SKIPPED: true,
  CREATED: false,
  RUNNING: false,
  PAUSED: false,
  RESTARTED: false,
  KILLING: false,
  QUEUED: false,
  RETRYING: false,
};

/** True for the states an execution or task run does not leave on its own (restart aside). */
export const isTerminalState = (state: string): boolean => TERMINAL[state as StateType] === true;

function hasBlob(value: unknown): boolean {
  if (typeof Blob !== "undefined" && value instanceof Blob) return true;
  return Array.isArray(value) && value.some(hasBlob);
}

/** JSON when every value is plain; multipart when a Blob/File is among them (a file part is named after its input, as Kestra's UI sends it). */
export function inputsBody(inputs: Record<string, InputValue> | undefined): { body?: RequestBody; json?: unknown } {
  if (!inputs || Object.keys(inputs).length === 0) return {};
  if (!Object.values(inputs).some(hasBlob)) return { json: inputs };
  const form = new FormData();
  for (const [id, value] of Object.entries(inputs)) {
    if (value === null || value === undefined) continue;
    if (value instanceof Blob) form.append(id, value, id);
    else if (typeof value === "string") form.append(id, value);
    else if (value instanceof Date) form.append(id, value.toISOString());
    else if (typeof value === "number" || typeof value === "boolean") form.append(id, String(value));
    else form.append(id, JSON.stringify(value));
  }
  return { body: form };
}

export function searchQuery(query: ExecutionSearch): Query {
  const { state, labels, ...rest } = query;
  return {
    ...rest,
    state: state === undefined ? undefined : Array.isArray(state) ? state : [state as StateType],
    labels: labelList(labels),
  };
}

export class Executions {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** Starts an execution of the flow's latest (or given) revision. With `wait`, answers once it is terminal. */
  create(namespace: string, flowId: string, options: CreateExecutionOptions = {}): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(namespace)}/${seg(flowId)}`, {
      method: "POST",
      ...inputsBody(options.inputs),
      query: {
        wait: options.wait ? "true" : undefined,
        revision: options.revision,
        labels: labelList(options.labels),
        scheduleDate: options.scheduleDate,
      },
      signal: options.signal,
    });
  }

  /** The execution with its task runs, read from its object: always current. */
  get(id: string): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}`);
  }

  /** One page of the search index (newest first by default). */
  search(query: ExecutionSearch = {}): Promise<Paged<ExecutionSummaryJson>> {
    return this.http.json("executions/search", { query: searchQuery(query) });
  }

  /** Every match, page after page (`size` per request). */
  async *list(query: ExecutionSearch = {}): AsyncGenerator<ExecutionSummaryJson> {
    const size = query.size ?? 100;
    for (let page = query.page ?? 1; ; page++) {
      const { results } = await this.search({ ...query, page, size });
      yield* results;
      if (results.length < size) return;
    }
  }

  /** The execution now, then after each change; the last event (`end`) is the terminal execution. */
  async *follow(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<FollowEvent> {
    const response = await this.http.call(`executions/${seg(id)}/follow`, {
      headers: { Accept: "text/event-stream" },
      signal: options.signal,
    });
    if (!response.body) return;
    for await (const event of readEvents(response.body)) {
      if (event.event !== "progress" && event.event !== "end") continue;
      yield { type: event.event, execution: JSON.parse(event.data) as ExecutionJson };
      if (event.event === "end") return;
    }
  }

  /** Waits until the execution is terminal and returns it; `timeout` error after `timeoutMs`. */
  async waitForEnd(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecutionJson> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    options.signal?.addEventListener("abort", stop, { once: true });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, options.timeoutMs);
    let last: ExecutionJson | undefined;
    try {
      for await (const event of this.follow(id, { signal: controller.signal })) {
        last = event.execution;
        if (event.type === "end") return event.execution;
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
    }
    if (options.signal?.aborted) throw options.signal.reason;
    // The stream closed early (or the time ran out): ask once more, the object is authoritative.
    const now = await this.get(id);
    if (isTerminalState(now.state.current)) return now;
    throw new PeregrineError({
      status: 0,
      code: "timeout",
      message: `Execution '${id}' is still ${last?.state.current ?? now.state.current}`,
      details: { execution: now },
      request: `GET ${this.http.url(`executions/${seg(id)}/follow`)}`,
    });
  }

  /** The execution's log lines so far. */
  logs(id: string, filter: LogFilter = {}): Promise<LogJson[]> {
    return this.http.json(`logs/${seg(id)}`, { query: { ...filter } });
  }

  /** The lines so far, then each new one, until the execution is terminal. */
  async *followLogs(id: string, filter: LogFilter & { signal?: AbortSignal } = {}): AsyncGenerator<LogJson> {
    const { signal, ...query } = filter;
    const response = await this.http.call(`logs/${seg(id)}/follow`, {
      query,
      headers: { Accept: "text/event-stream" },
      signal,
    });
    if (!response.body) return;
    for await (const event of readEvents(response.body)) {
      if (event.event === "end") return;
      if (event.event === "log") yield JSON.parse(event.data) as LogJson;
    }
  }

  /** Kills running task runs, sleeping ones and subflow children; `conflict` if already terminal. */
  kill(id: string): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}/kill`, { method: "DELETE" });
  }

  /** Runs the FAILED (and PAUSED, and killed-by-the-end) task runs again, same execution id. */
  restart(id: string): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}/restart`, { method: "POST" });
  }

  /** A new execution of the same flow and inputs; from `taskRunId` on when given. */
  replay(id: string, options: { taskRunId?: string; revision?: number } = {}): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}/replay`, { method: "POST", query: { ...options } });
  }

  pause(id: string): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}/pause`, { method: "POST" });
  }

  /** Resumes a paused execution, with its Pause task's `onResume` inputs. */
  resume(id: string, inputs?: Record<string, InputValue>): Promise<void> {
    return this.http.empty(`executions/${seg(id)}/resume`, { method: "POST", ...inputsBody(inputs) });
  }

  /** Forces one task run's state (e.g. a failed task marked SUCCESS); the execution carries on from there. */
  setTaskRunState(id: string, taskRunId: string, state: StateType): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}/state`, { method: "POST", json: { taskRunId, state } });
  }

  /** A terminal execution to another terminal state. */
  changeStatus(id: string, status: StateType): Promise<ExecutionJson> {
    return this.http.json(`executions/${seg(id)}/change-status`, { method: "POST", query: { status } });
  }

  /** Hides the execution from searches. */
  delete(id: string): Promise<void> {
    return this.http.empty(`executions/${seg(id)}`, { method: "DELETE" });
  }

  /** A file of the execution's internal storage (`kestra:///…`), as the server's response (stream it or read it). */
  file(id: string, uri: string, options: { signal?: AbortSignal } = {}): Promise<Response> {
    return this.http.call(`executions/${seg(id)}/file`, { query: { path: uri }, signal: options.signal });
  }

  /**
   * The expression console: renders `expression` (a template with `{{ }}`) against the task run's
   * context. A failing template answers `error` and the `position` of the failing expression.
   */
  eval(id: string, taskRunId: string, expression: string): Promise<EvalResult> {
    return this.http.json(`executions/${seg(id)}/eval/${seg(taskRunId)}`, {
      method: "POST",
      body: expression,
      headers: { "Content-Type": "text/plain" },
    });
  }
}
