// Query-string conventions shared by the search endpoints: Kestra's 1-based paging, `field:dir`
// sorting and repeatable `key:value` label filters. Bad values answer 422 naming the parameter.
import type { Label } from "../engine/types";
import { invalid } from "../errors";

export interface Page {
  page: number;
  size: number;
  sort?: { field: string; desc: boolean };
}

function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw invalid(`${name} must be an integer from 1 to ${max}, got '${raw}'`, { field: name });
  return n;
}

export function pageOf(q: Record<string, string | undefined>): Page {
  const page: Page = { page: positive("page", q.page, 1, 1_000_000), size: positive("size", q.size, 10, 1000) };
  if (q.sort) {
    const [field, dir = "asc"] = q.sort.split(":");
    if (!field || (dir !== "asc" && dir !== "desc"))
      throw invalid(`sort must look like field:asc|desc, got '${q.sort}'`, { field: "sort" });
    page.sort = { field, desc: dir === "desc" };
  }
  return page;
}

export function parseLabels(raw: string[] | undefined): Label[] {
  return (raw ?? []).map((l) => {
    const at = l.indexOf(":");
    if (at <= 0) throw invalid(`labels: expected key:value, got '${l}'`, { field: "labels" });
    return { key: l.slice(0, at), value: l.slice(at + 1) };
  });
}
