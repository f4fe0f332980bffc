// Owns the registry of every filter name Pebble templates may use.
import type { FilterFn } from "../env";
import { COLLECTION_FILTERS } from "./collections";
import { DATE_FILTERS } from "./dates";
import { jqFilter } from "./jq";
import { TEXT_FILTERS } from "./text";

export const FILTERS: Record<string, FilterFn> = {
  ...TEXT_FILTERS,
  ...COLLECTION_FILTERS,
  ...DATE_FILTERS,
  jq: jqFilter,
};
