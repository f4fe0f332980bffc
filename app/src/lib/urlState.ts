// Page state in the URL: links and replacements that change some parameters and reset paging, so
// that back, reload and a shared link show the same page.
import { goto } from "$app/navigation";

/** The path and query of `url` after `change`; the page number is dropped (a new filter starts at page 1). */
export function hrefWith(url: URL, change: (p: URLSearchParams) => void): string {
  const next = new URL(url);
  change(next.searchParams);
  next.searchParams.delete("page");
  return next.pathname + next.search;
}

/** Sets (or, when empty, removes) one parameter in place, keeping focus while the user types. */
export function replaceParam(url: URL, name: string, value: string): void {
  void goto(
    hrefWith(url, (p) => (value ? p.set(name, value) : p.delete(name))),
    { replaceState: true, keepFocus: true, noScroll: true },
  );
}

/** Adds or removes one value of a repeated parameter (`state=A&state=B`). */
export function toggleValue(url: URL, name: string, value: string, on: boolean): void {
  void goto(
    hrefWith(url, (p) => {
      const list = p.getAll(name).filter((v) => v !== value);
      if (on) list.push(value);
      p.delete(name);
      for (const v of list) p.append(name, v);
    }),
    { keepFocus: true, noScroll: true },
  );
}

/** A link that removes one value of a repeated parameter. */
export const withoutValue = (url: URL, name: string, value: string): string =>
  hrefWith(url, (p) => {
    const rest = p.getAll(name).filter((v) => v !== value);
    p.delete(name);
    for (const v of rest) p.append(name, v);
  });
