// Owns Pebble's `is` tests (`x is defined`, `x is not empty`, …); `defined` is special-cased by the evaluator.
import type { Args } from "./env";
import { isDict, isEmpty } from "./values";

export const TESTS: Record<string, (input: unknown, args: Args) => boolean> = {
  defined: (v) => v !== null && v !== undefined,
  null: (v) => v === null || v === undefined,
  none: (v) => v === null || v === undefined,
  empty: (v) => isEmpty(v),
  even: (v) => typeof v === "number" && v % 2 === 0,
  odd: (v) => typeof v === "number" && Math.abs(v % 2) === 1,
  iterable: (v) => Array.isArray(v),
  map: (v) => isDict(v),
  json: (v) => {
    if (typeof v !== "string") return false;
    try {
      JSON.parse(v);
      return true;
    } catch {
      return false;
    }
  },
};
