// Task runs: the search over the index. (Lookups by id and the task-run view come next.)
import { searchQuery } from "./executions.ts";
import type { Http } from "./http.ts";
import type { Paged, TaskRunJson, TaskRunSearch } from "./types.ts";

export class TaskRuns {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** One page of the task-run index. */
  search(query: TaskRunSearch = {}): Promise<Paged<TaskRunJson>> {
    return this.http.json("taskruns/search", { query: searchQuery(query) });
  }
}
