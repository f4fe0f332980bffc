// Flows: save YAML as sent (create or update), read, list, search, validate, revisions, delete.
import { isPeregrineError } from "./errors.ts";
import { type Http, labelList, seg } from "./http.ts";
import type { FlowGraph, FlowJson, FlowSearch, Paged, ValidationReport } from "./types.ts";

const YAML = { "Content-Type": "application/x-yaml" };

export class Flows {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** Creates the flow; 409 (`conflict`) if it exists. */
  create(source: string): Promise<FlowJson> {
    return this.http.json("flows", { method: "POST", body: source, headers: YAML });
  }

  /** Replaces the flow's source; the revision goes up only when the source changed. */
  update(namespace: string, id: string, source: string): Promise<FlowJson> {
    return this.http.json(`flows/${seg(namespace)}/${seg(id)}`, { method: "PUT", body: source, headers: YAML });
  }

  /** Creates or updates the flow the YAML describes. An invalid flow throws `invalid` with its violations. */
  async save(source: string): Promise<FlowJson> {
    try {
      return await this.create(source);
    } catch (error) {
      if (!isPeregrineError(error, "conflict")) throw error;
      const [report] = await this.validate(source);
      if (!report?.namespace || !report.flow) throw error;
      return this.update(report.namespace, report.flow, source);
    }
  }

  /** Creates, updates (and with `deleteOthers`, deletes) the flows of one namespace at once, from multi-document YAML. */
  saveNamespace(namespace: string, source: string, options: { deleteOthers?: boolean } = {}): Promise<FlowJson[]> {
    return this.http.json(`flows/${seg(namespace)}`, {
      method: "POST",
      body: source,
      headers: YAML,
      query: { delete: options.deleteOthers ? "true" : undefined },
    });
  }

  get(
    namespace: string,
    id: string,
    options: { source?: boolean; revision?: number; allowDeleted?: boolean } = {},
  ): Promise<FlowJson> {
    return this.http.json(`flows/${seg(namespace)}/${seg(id)}`, {
      query: { source: options.source, revision: options.revision, allowDeleted: options.allowDeleted },
    });
  }

  /** The live flows of exactly this namespace. */
  list(namespace: string): Promise<FlowJson[]> {
    return this.http.json(`flows/${seg(namespace)}`);
  }

  search(query: FlowSearch = {}): Promise<Paged<FlowJson>> {
    return this.http.json("flows/search", { query: { ...query, labels: labelList(query.labels) } });
  }

  /** Checks one or more YAML documents (separated by `---`) without saving anything. */
  validate(source: string): Promise<ValidationReport[]> {
    return this.http.json("flows/validate", { method: "POST", body: source, headers: YAML });
  }

  /** Every revision, oldest first, with its source. */
  revisions(namespace: string, id: string): Promise<FlowJson[]> {
    return this.http.json(`flows/${seg(namespace)}/${seg(id)}/revisions`);
  }

  /** Soft delete: the history stays. */
  delete(namespace: string, id: string): Promise<void> {
    return this.http.empty(`flows/${seg(namespace)}/${seg(id)}`, { method: "DELETE" });
  }

  /** The topology of a stored flow (its latest revision, or `revision`): nodes, edges by relation, clusters. */
  graph(namespace: string, id: string, options: { revision?: number; signal?: AbortSignal } = {}): Promise<FlowGraph> {
    return this.http.json(`flows/${seg(namespace)}/${seg(id)}/graph`, {
      query: { revision: options.revision },
      signal: options.signal,
    });
  }

  /** The topology of a draft (YAML not saved); an invalid draft throws `invalid` with its violations. */
  graphOf(source: string, options: { signal?: AbortSignal } = {}): Promise<FlowGraph> {
    return this.http.json("flows/graph", { method: "POST", body: source, headers: YAML, signal: options.signal });
  }
}
