// Small builders for test flows: plain objects in Kestra's YAML shape, serialised to YAML and then
// read back through the real validating parser (parseFlow), so every test flow is a valid Kestra flow.
import { stringify } from "yaml";
import type { Flow } from "../../schema/flow/types";
import { flowOf } from "./driver";

type Obj = Record<string, unknown>;
const FLOW = "io.kestra.plugin.core.flow.";

export const log = (id: string, extra: Obj = {}): Obj => ({
  id,
  type: "io.kestra.plugin.core.log.Log",
  message: `hello from ${id}`,
  ...extra,
});

export const seq = (id: string, tasks: Obj[], extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}Sequential`,
  tasks,
  ...extra,
});
export const par = (id: string, tasks: Obj[], extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}Parallel`,
  tasks,
  ...extra,
});
export const allowFailure = (id: string, tasks: Obj[], extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}AllowFailure`,
  tasks,
  ...extra,
});
export const forEach = (id: string, values: unknown, tasks: Obj[], extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}ForEach`,
  values,
  tasks,
  ...extra,
});
export const ifTask = (id: string, condition: string, then: Obj[], extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}If`,
  condition,
  then,
  ...extra,
});
export const switchTask = (id: string, value: string, cases: Record<string, Obj[]>, extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}Switch`,
  value,
  cases,
  ...extra,
});
export const dag = (id: string, tasks: Array<{ task: Obj; dependsOn?: string[] }>, extra: Obj = {}): Obj => ({
  id,
  type: `${FLOW}Dag`,
  tasks,
  ...extra,
});

/** The YAML of a flow `f` in namespace `t.engine` with the given top-level keys. */
export function flowYaml(keys: Obj): string {
  return stringify({ id: "f", namespace: "t.engine", ...keys });
}

export function buildFlow(keys: Obj): Flow {
  return flowOf(flowYaml(keys));
}
