// The libraries that stay out of the Worker's main module (built by scripts/lazy.mjs into
// worker/lazy/, uploaded beside it by wrangler's find_additional_modules) and their loaders.
// The import paths are relative to worker/ on purpose: wrangler keeps them as written, and the
// bundle sits where worker/ did, so this file must stay at worker/'s top level.

/** date-holidays and its calendars (~1.5 MB minified): the PublicHoliday condition only. */
export const loadDateHolidays = () => import("./lazy/date-holidays.mjs");

/** ion-js's reader (~0.16 MB minified): items files of storage.FilterItems/DeduplicateItems. */
export const loadIon = () => import("./lazy/ion-js.mjs");
