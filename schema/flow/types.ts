// The flow model as the rest of Peregrine sees it once a source has been parsed and validated.
// `parseFlow` (./index.ts) is the only producer; the zod schemas behind it must yield exactly this.
// Task `type`s are canonical (`io.kestra.plugin.core.…`) whatever alias the source used.

export type Duration = string; // ISO-8601, e.g. PT1S

export interface RetryPolicy {
  type: "constant" | "exponential" | "random";
  /** Kestra 0.21 spells it maxAttempt; newer maxAttempts. The parser folds both into this. */
  maxAttempt?: number;
  maxDuration?: Duration;
  warningOnRetry?: boolean;
  behavior?: "RETRY_FAILED_TASK" | "CREATE_NEW_EXECUTION";
  interval?: Duration;
  maxInterval?: Duration;
  minInterval?: Duration;
  delayFactor?: number;
}

/** Properties every task may carry (spec §1.0); the rest depend on the type. */
export interface Task {
  id: string;
  type: string;
  description?: string;
  retry?: RetryPolicy;
  timeout?: Duration;
  disabled?: boolean;
  workerGroup?: { key: string };
  logLevel?: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";
  logToFile?: boolean;
  allowFailure?: boolean;
  allowWarning?: boolean;
  runIf?: string;
  /** Flowable children, when the type has them. */
  tasks?: Task[] | DagTask[];
  errors?: Task[];
  finally?: Task[];
  then?: Task[];
  else?: Task[];
  cases?: Record<string, Task[]>;
  defaults?: Task[];
  [property: string]: unknown;
}

export interface DagTask {
  task: Task;
  dependsOn?: string[];
}

export type InputType =
  | "STRING"
  | "ENUM"
  | "SELECT"
  | "MULTISELECT"
  | "INT"
  | "FLOAT"
  | "BOOLEAN"
  | "BOOL"
  | "DATETIME"
  | "DATE"
  | "TIME"
  | "DURATION"
  | "FILE"
  | "JSON"
  | "YAML"
  | "URI"
  | "SECRET"
  | "ARRAY"
  | "EMAIL";

export interface Input {
  id: string;
  type: InputType;
  description?: string;
  displayName?: string;
  required?: boolean;
  defaults?: unknown;
  prefill?: unknown;
  dependsOn?: { inputs?: string[]; condition?: string };
  validator?: string;
  min?: number | string;
  max?: number | string;
  after?: string;
  before?: string;
  values?: string[];
  expression?: string;
  allowCustomValue?: boolean;
  itemType?: InputType;
  extension?: string;
}

export interface Output {
  id: string;
  type: InputType;
  /** ARRAY outputs: the type of each item; without it the list is kept as rendered. */
  itemType?: InputType;
  value: unknown;
  description?: string;
  displayName?: string;
  required?: boolean;
}

export interface Trigger {
  id: string;
  type: string;
  description?: string;
  conditions?: Record<string, unknown>[];
  disabled?: boolean;
  labels?: Record<string, string>;
  stopAfter?: string[];
  inputs?: Record<string, unknown>;
  [property: string]: unknown;
}

export interface PluginDefault {
  type: string;
  forced?: boolean;
  values: Record<string, unknown>;
}

export interface Flow {
  id: string;
  namespace: string;
  description?: string;
  /** Always a map once parsed, whether the source used a map or a list of {key, value}. */
  labels?: Record<string, string>;
  inputs?: Input[];
  variables?: Record<string, unknown>;
  tasks: Task[];
  errors?: Task[];
  finally?: Task[];
  afterExecution?: Task[];
  listeners?: unknown[];
  triggers?: Trigger[];
  pluginDefaults?: PluginDefault[];
  concurrency?: { limit: number; behavior?: "QUEUE" | "CANCEL" | "FAIL" };
  outputs?: Output[];
  retry?: RetryPolicy;
  sla?: unknown[];
  checks?: unknown[];
  disabled?: boolean;
}

export interface Violation {
  /** Where in the flow, e.g. `tasks[1].tasks[0].message`. */
  path: string;
  message: string;
  /** 1-based position in the YAML source, when the path exists there. */
  line?: number;
  column?: number;
}

export type ParseFlowResult = { ok: true; flow: Flow } | { ok: false; status: 413 | 422; violations: Violation[] };

/** One document of a multi-document source (`---` separated); `index` is its 0-based position in the source. */
export interface FlowDocumentResult {
  index: number;
  result: ParseFlowResult;
}
