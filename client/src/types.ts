// The API's shapes. api-types.ts is generated from the Worker's own code (the functions that build
// each response) by scripts/sdk-types.mjs, and `npm run lint` fails when it is out of date, so these
// cannot drift from what the server sends; being self-contained, they type-check without worker/.
import type {
  ApiKeyInfo,
  EvalResult,
  ExecutionJson,
  ExecutionSummaryJson,
  FlowGraph,
  FlowJson,
  GraphEdge,
  GraphNode,
  Label,
  LogJson,
  NewApiKey,
  Relation,
  StateJson,
  StateType,
  TaskRunJson,
  TaskRunViewJson,
  TriggerContextJson,
  TriggerItemJson,
  ValidationReport,
} from "./api-types.ts";

export type {
  ApiKeyInfo,
  EvalResult,
  ExecutionJson,
  ExecutionSummaryJson,
  FlowGraph,
  FlowJson,
  GraphEdge,
  GraphNode,
  Label,
  LogJson,
  NewApiKey,
  Relation,
  StateJson,
  StateType,
  TaskRunJson,
  TaskRunViewJson,
  TriggerContextJson,
  TriggerItemJson,
  ValidationReport,
};

/** Kestra's paged answer: one page of results and the total number of matches. */
export interface Paged<T> {
  results: T[];
  total: number;
}

/** Kestra's paging: `page` starts at 1; `sort` is `field:asc` or `field:desc`. */
export interface PageQuery {
  page?: number;
  size?: number;
  sort?: string;
}

export interface FlowSearch extends PageQuery {
  q?: string;
  namespace?: string;
  /** `{ team: "data" }` or `["team:data"]` */
  labels?: Record<string, string> | string[];
}

export interface ExecutionSearch extends PageQuery {
  q?: string;
  namespace?: string;
  flowId?: string;
  state?: StateType | StateType[];
  startDate?: string | Date;
  endDate?: string | Date;
  labels?: Record<string, string> | string[];
  triggerExecutionId?: string;
}

export interface TaskRunSearch extends ExecutionSearch {
  executionId?: string;
  taskId?: string;
  /** A loop child's value. */
  value?: string;
  parentTaskRunId?: string;
}

export interface LogFilter {
  /** TRACE, DEBUG, INFO, WARN or ERROR: this level and above. */
  minLevel?: string;
  taskId?: string;
  taskRunId?: string;
}

/** An input value: strings, numbers, booleans, dates, JSON values, and files as Blob or File. */
export type InputValue = string | number | boolean | Date | Blob | null | InputValue[] | { [key: string]: unknown };

export interface CreateExecutionOptions {
  inputs?: Record<string, InputValue>;
  /** `{ team: "data" }` or `["team:data"]` */
  labels?: Record<string, string> | string[];
  /** Answer only once the execution is terminal (PAUSED does not end the wait). */
  wait?: boolean;
  revision?: number;
  scheduleDate?: string | Date;
  signal?: AbortSignal;
}

/** One event of `executions.follow()`: the execution after each change, the last one once terminal. */
export interface FollowEvent {
  type: "progress" | "end";
  execution: ExecutionJson;
}
