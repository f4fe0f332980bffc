// Task runs: the index search, and the task-run view (Prefect's TaskRunView): an immutable
// snapshot of one task run read from its execution's object, built from an execution id and a
// task id (a loop child by value or iteration) or from a task-run id. latest() reads it again;
// result() gives its outputs (kestra:// files fetched on demand, once), a loop parent's children's
// outputs in iteration order, and can wait for the execution to end; children() pages through a
// loop parent's children without holding more than one page.
import { PeregrineError } from "./errors.ts";
import { type Executions, isTerminalState, searchQuery } from "./executions.ts";
import { type Http, seg } from "./http.ts";
import type { Paged, TaskRunJson, TaskRunSearch, TaskRunViewJson } from "./types.ts";

export interface TaskRunMatch {
  taskId?: string;
  /** A loop child by its ForEach value. */
  value?: string;
  /** A loop child by its iteration (0-based). */
  iteration?: number;
  parentTaskRunId?: string;
}

export interface ResultOptions {
  /** Wait for the execution to end first (a view of another execution that still runs). */
  wait?: boolean;
  /** With `wait`: give up (code `timeout`) after this long. */
  timeoutMs?: number;
  /** `blob`: every kestra:// URI in the outputs becomes its file's Blob (each fetched once per view). Default: URIs as they are. */
  files?: "uri" | "blob";
}

/** One iteration of a loop parent: its value and the outputs of its children, by task id. */
export interface IterationResult {
  iteration: number;
  value?: string;
  outputs: Record<string, unknown>;
}

type ChildrenPage = Paged<TaskRunViewJson> & { parent: TaskRunViewJson };

const KESTRA_URI = /^kestra:\/\//;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class TaskRunView {
  /** The task run as read, with `executionState` and `final`; frozen. */
  readonly data: Readonly<TaskRunViewJson>;
  readonly id: string;
  readonly executionId: string;
  readonly taskId: string;
  readonly value: string | undefined;
  readonly iteration: number | undefined;
  readonly state: TaskRunViewJson["state"]["current"];
  /** Terminal: it changes no more unless the execution is restarted or its state forced. */
  readonly final: boolean;
  /** The execution's state when this view was read; not terminal means the outputs are provisional. */
  readonly executionState: TaskRunViewJson["executionState"];
  readonly #runs: TaskRuns;
  // Per view, not per snapshot field: the view stays frozen while its caches fill.
  readonly #files = new Map<string, Promise<Blob>>();
  #result?: Promise<unknown>;

  constructor(runs: TaskRuns, data: TaskRunViewJson) {
    this.#runs = runs;
    this.data = deepFreeze(data);
    this.id = data.id;
    this.executionId = data.executionId;
    this.taskId = data.taskId;
    this.value = data.value;
    this.iteration = data.iteration;
    this.state = data.state.current;
    this.final = data.final;
    this.executionState = data.executionState;
    Object.freeze(this);
  }

  get outputs(): Readonly<Record<string, unknown>> | undefined {
    return this.data.outputs as Record<string, unknown> | undefined;
  }

  /** A fresh view of the same task run; this one does not change. */
  latest(): Promise<TaskRunView> {
    return this.#runs.get(this.id, { executionId: this.executionId });
  }

  /**
   * The task run's outputs; for a loop parent, its children's outputs by iteration, in order.
   * Throws `not_final` while the task run may still change (unless `wait`), `timeout` when the wait runs out.
   */
  async result(options: ResultOptions = {}): Promise<unknown> {
    if (options.wait && !isTerminalState(this.executionState)) {
      await this.#runs.executions.waitForEnd(this.executionId, { timeoutMs: options.timeoutMs });
      return (await this.latest()).result({ files: options.files });
    }
    if (!this.final) {
      throw new PeregrineError({
        status: 0,
        code: "not_final",
        message: `Task run '${this.id}' (${this.taskId}) is ${this.state}: its result is not known yet`,
        details: { state: this.state, executionState: this.executionState },
        request: `GET ${this.#runs.http.url(`taskruns/${seg(this.id)}`)}`,
      });
    }
    this.#result ??= this.#readResult().catch((error: unknown) => {
      this.#result = undefined;
      throw error;
    });
    const result = await this.#result;
    return options.files === "blob" ? this.#withFiles(result) : result;
  }

  async #readResult(): Promise<unknown> {
    const first = await this.#runs.childrenPage(this.executionId, this.id, 1, 100);
    const isLoop = first.results.some((r) => r.iteration !== undefined);
    if (!isLoop) return this.outputs ?? {};
    const iterations: IterationResult[] = [];
    for await (const child of this.children()) {
      if (child.iteration === undefined) continue;
      let last = iterations.at(-1);
      if (last?.iteration !== child.iteration) {
        last = { iteration: child.iteration, value: child.value, outputs: {} };
        iterations.push(last);
      }
      last.outputs[child.taskId] = child.outputs ?? {};
    }
    return iterations;
  }

  /** The parent's children in iteration order, a page (`pageSize`, default 100) at a time. */
  async *children(options: { pageSize?: number } = {}): AsyncGenerator<TaskRunView> {
    const size = options.pageSize ?? 100;
    for (let page = 1; ; page++) {
      const { results, total } = await this.#runs.childrenPage(this.executionId, this.id, page, size);
      for (const child of results) yield new TaskRunView(this.#runs, child);
      if (results.length < size || page * size >= total) return;
    }
  }

  /** A file of this task run's execution (a `kestra://` URI from its outputs), fetched once per view. */
  file(uri: string): Promise<Blob> {
    let blob = this.#files.get(uri);
    if (!blob) {
      blob = this.#runs.executions.file(this.executionId, uri).then((r) => r.blob());
      blob.catch(() => this.#files.delete(uri));
      this.#files.set(uri, blob);
    }
    return blob;
  }

  /** The file as a stream (from the cached copy once fetched). */
  async stream(uri: string): Promise<ReadableStream<Uint8Array>> {
    return (await this.file(uri)).stream();
  }

  async #withFiles(value: unknown): Promise<unknown> {
    if (typeof value === "string") return KESTRA_URI.test(value) ? this.file(value) : value;
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.#withFiles(v)));
    if (value && typeof value === "object") {
      const entries = await Promise.all(
        Object.entries(value).map(async ([k, v]) => [k, await this.#withFiles(v)] as const),
      );
      return Object.fromEntries(entries);
    }
    return value;
  }
}

export class TaskRuns {
  readonly http: Http;
  readonly executions: Executions;

  constructor(http: Http, executions: Executions) {
    this.http = http;
    this.executions = executions;
  }

  /** One page of the task-run index (it lags the executions by a drain). */
  search(query: TaskRunSearch = {}): Promise<Paged<TaskRunJson>> {
    const { value, parentTaskRunId, ...rest } = query;
    return this.http.json("taskruns/search", { query: { ...searchQuery(rest), value, parentTaskRunId } });
  }

  /** A view of the task run with this id. Giving its execution id saves a lookup in the index (which lags). */
  async get(taskRunId: string, options: { executionId?: string } = {}): Promise<TaskRunView> {
    const data = await this.http.json<TaskRunViewJson>(`taskruns/${seg(taskRunId)}`, {
      query: { executionId: options.executionId },
    });
    return new TaskRunView(this, data);
  }

  /** The execution's task runs that match, read from the execution (current). */
  list(
    executionId: string,
    match: TaskRunMatch = {},
    paging: { page?: number; size?: number } = {},
  ): Promise<Paged<TaskRunViewJson>> {
    return this.http.json(`executions/${seg(executionId)}/taskruns`, { query: { ...match, ...paging } });
  }

  /**
   * A view of the execution's run of `taskId`; inside a loop, pick the child with `value` or `iteration`.
   * Throws `not_found` when none matches and `ambiguous` when several do.
   */
  async fromTask(
    executionId: string,
    taskId: string,
    pick: { value?: string; iteration?: number } = {},
  ): Promise<TaskRunView> {
    const { results, total } = await this.list(executionId, { taskId, ...pick }, { size: 2 });
    const request = `GET ${this.http.url(`executions/${seg(executionId)}/taskruns`, { taskId, ...pick })}`;
    const [only] = results;
    if (!only) {
      throw new PeregrineError({
        status: 404,
        code: "not_found",
        message: `No task run of '${taskId}' in execution '${executionId}'${pick.value !== undefined ? ` with value '${pick.value}'` : ""}${pick.iteration !== undefined ? ` at iteration ${pick.iteration}` : ""}`,
        request,
      });
    }
    if (total > 1) {
      throw new PeregrineError({
        status: 0,
        code: "ambiguous",
        message: `'${taskId}' ran ${total} times in execution '${executionId}' (a loop): pick one with value or iteration`,
        details: { total },
        request,
      });
    }
    return new TaskRunView(this, only);
  }

  /** One page of a parent's children in iteration order, with the parent. */
  childrenPage(executionId: string, parentId: string, page: number, size: number): Promise<ChildrenPage> {
    return this.http.json(`executions/${seg(executionId)}/taskruns/${seg(parentId)}/children`, {
      query: { page, size },
    });
  }
}
