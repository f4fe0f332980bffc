// Kestra's state machine: classification of states, transitions with histories, and the
// final-state rule (KILLED > FAILED > WARNING > PAUSED > SUCCESS) over a set of task runs.
import type { State, StateType, TaskRun } from "./types";

export function isTerminal(state: StateType): boolean {
  switch (state) {
    case "SUCCESS":
    case "WARNING":
    case "FAILED":
    case "KILLED":
    case "CANCELLED":
    case "RETRIED":
    case "SKIPPED":
      return true;
    case "CREATED":
    case "RUNNING":
    case "PAUSED":
    case "RESTARTED":
    case "KILLING":
    case "QUEUED":
    case "RETRYING":
      return false;
  }
}

/** Terminal, or PAUSED: the states that carry an endDate. */
export function hasEnded(state: StateType): boolean {
  return isTerminal(state) || state === "PAUSED";
}

let isoOf = { ms: Number.NaN, text: "" };

/** One step stamps many states with the same instant: format it once. */
function iso(now: Date): string {
  const ms = now.getTime();
  if (ms !== isoOf.ms) isoOf = { ms, text: now.toISOString() };
  return isoOf.text;
}

export function newState(now: Date, initial: StateType = "CREATED"): State {
  return { current: initial, histories: [{ state: initial, date: iso(now) }] };
}

/** Moves to `to`, recording the history; a transition to the same state is a no-op. */
export function transition(state: State, to: StateType, now: Date): boolean {
  if (state.current === to) return false;
  state.current = to;
  state.histories.push({ state: to, date: iso(now) });
  return true;
}

/** Kestra's guessFinalState: SKIPPED, CANCELLED and RETRIED count as success. */
export function finalStateOf(runs: Iterable<TaskRun>): "KILLED" | "FAILED" | "WARNING" | "PAUSED" | "SUCCESS" {
  let killed = false;
  let failed = false;
  let warning = false;
  let paused = false;
  for (const run of runs) {
    switch (run.state.current) {
      case "KILLED":
        killed = true;
        break;
      case "FAILED":
        failed = true;
        break;
      case "WARNING":
        warning = true;
        break;
      case "PAUSED":
        paused = true;
        break;
      default:
        break;
    }
  }
  if (killed) return "KILLED";
  if (failed) return "FAILED";
  if (warning) return "WARNING";
  if (paused) return "PAUSED";
  return "SUCCESS";
}

/** allowFailure turns FAILED into WARNING; allowWarning then turns WARNING into SUCCESS. */
export function applyAllowances<T extends StateType>(
  state: T,
  task: { allowFailure?: boolean; allowWarning?: boolean },
): StateType {
  let s: StateType = state;
  if (s === "FAILED" && task.allowFailure) s = "WARNING";
  if (s === "WARNING" && task.allowWarning) s = "SUCCESS";
  return s;
}

export function startDate(state: State): string {
  return state.histories[0]!.date;
}

export function endDate(state: State): string | undefined {
  return hasEnded(state.current) ? state.histories[state.histories.length - 1]!.date : undefined;
}

/** ISO-8601 duration between the first history and the end (or `now` while running). */
export function isoDuration(state: State, now: Date): string {
  const end = endDate(state);
  const ms = (end ? Date.parse(end) : now.getTime()) - Date.parse(startDate(state));
  return `PT${(Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, "") || "0"}S`;
}
