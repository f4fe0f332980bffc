// Execution and task-run states: their order in filters and whether they are still moving.
import type { StateType } from "@peregrine/sdk";

export const STATES: StateType[] = [
  "CREATED",
  "QUEUED",
  "RUNNING",
  "PAUSED",
  "RESTARTED",
  "KILLING",
  "RETRYING",
  "SUCCESS",
  "WARNING",
  "FAILED",
  "KILLED",
  "CANCELLED",
  "RETRIED",
  "SKIPPED",
];

const ENDED = new Set<string>(["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"]);

export const isEnded = (state: string): boolean => ENDED.has(state);

/** The CSS variable of a state's colour (defined per theme in the layout). */
export const stateColor = (state: string): string => `var(--state-${state.toLowerCase()}, var(--state-created))`;
