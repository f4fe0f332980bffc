// Which non-terminal states (RUNNING, PAUSED…) a tenant's Flow triggers list, kept per isolate for
// a moment: every execution goes through RUNNING, and asking the tenant's trigger object on each
// one would double its traffic for the rare listener. A flow write in this isolate refreshes the
// entry at once (client.ts); another isolate sees a new listener within STALE_MS.
import { isTerminal } from "../engine/state";
import { STATES, type StateType } from "../engine/types";
import { triggersStub } from "./object";

const STALE_MS = 2_000;
const known = new Map<string, { states: ReadonlySet<string>; at: number }>();

/** Non-terminal states listed by a Flow trigger definition's `states`. */
export function nonTerminalStates(states: unknown): string[] {
  if (!Array.isArray(states)) return [];
  const executionStates: readonly string[] = STATES;
  return states
    .map(String)
    .filter((s) => executionStates.includes(s) && s !== "CREATED" && !isTerminal(s as StateType));
}

export function rememberListenedStates(tenantId: string, states: readonly string[]): void {
  known.set(tenantId, { states: new Set(states), at: Date.now() });
}

export async function listensTo(env: Env, tenantId: string, state: string): Promise<boolean> {
  let entry = known.get(tenantId);
  if (!entry || Date.now() - entry.at > STALE_MS) {
    rememberListenedStates(tenantId, await triggersStub(env, tenantId).listenedStates(tenantId));
    entry = known.get(tenantId)!;
  }
  return entry.states.has(state);
}
