// Bulk actions on executions (Kestra's by-ids and by-query endpoints): kill, restart, replay,
// delete and set labels. Each execution is handled on its own; the answer reports every one,
// including those refused and why. A by-query call needs at least one filter (the server refuses
// an empty query, so it never means "every execution").
import { searchQuery } from "./executions.ts";
import type { Http } from "./http.ts";
import type { ExecutionSearch, Label } from "./types.ts";

export type BulkAction = "kill" | "restart" | "replay" | "delete";

/** What happened to one execution: `ok`, else the HTTP status and message it was refused with. */
export interface BulkOutcome {
  id: string;
  ok: boolean;
  status: number;
  message?: string;
  /** A replay's new execution. */
  executionId?: string;
}

export interface BulkReport {
  /** How many succeeded. */
  count: number;
  results: BulkOutcome[];
}

/** Executions named by ids, or by the search's filters (paging and sort are ignored). */
export type BulkTarget = { ids: string[] } | { query: ExecutionSearch };

const ROUTES: Record<BulkAction, { method: string; path: string }> = {
  kill: { method: "DELETE", path: "executions/kill" },
  restart: { method: "POST", path: "executions/restart" },
  replay: { method: "POST", path: "executions/replay" },
  delete: { method: "DELETE", path: "executions" },
};

function filterQuery(query: ExecutionSearch) {
  const { page: _page, size: _size, sort: _sort, ...filters } = query;
  return searchQuery(filters);
}

export class ExecutionsBulk {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** Kills, restarts, replays (on the original revision, or the latest with `latestRevision`) or deletes. */
  run(action: BulkAction, target: BulkTarget, options: { latestRevision?: boolean } = {}): Promise<BulkReport> {
    const { method, path } = ROUTES[action];
    const extra = action === "replay" && options.latestRevision ? { latestRevision: true } : {};
    if ("ids" in target) return this.http.json(`${path}/by-ids`, { method, json: target.ids, query: extra });
    return this.http.json(`${path}/by-query`, { method, query: { ...filterQuery(target.query), ...extra } });
  }

  /** Sets these labels on each execution (its other labels stay). */
  setLabels(target: BulkTarget, labels: Label[]): Promise<BulkReport> {
    if ("ids" in target) {
      return this.http.json("executions/labels/by-ids", {
        method: "POST",
        json: { executionsId: target.ids, executionLabels: labels },
      });
    }
    return this.http.json("executions/labels/by-query", {
      method: "POST",
      json: labels,
      query: filterQuery(target.query),
    });
  }
}
