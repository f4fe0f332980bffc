// Kestra's retry policies (spec §4): which policy applies to a failed task run, whether another
// attempt is allowed, and when it is due. Pure: the random source is injected.
import type { Flow, RetryPolicy, Task } from "../../schema/flow/types";
import { parseDurationMs as durationMs } from "../tasks/duration";

/** Without maxAttempt or maxDuration a policy would retry forever; this bounds it. */
const ATTEMPTS_CEILING = 100;

/** The task's own policy, else the nearest flowable ancestor's, else the flow's. */
export function policyFor(task: Task, ancestors: Task[], flow: Flow): RetryPolicy | undefined {
  if (task.retry) return task.retry;
  for (const a of ancestors) if (a.retry) return a.retry;
  return flow.retry;
}

export function retryDelayMs(policy: RetryPolicy, attemptsSoFar: number, random: () => number): number {
  switch (policy.type) {
    case "constant":
      return policy.interval ? durationMs(policy.interval) : 0;
    case "exponential": {
      const interval = policy.interval ? durationMs(policy.interval) : 0;
      const factor = policy.delayFactor ?? 2;
      const delay = interval * factor ** Math.max(0, attemptsSoFar - 1);
      return policy.maxInterval ? Math.min(delay, durationMs(policy.maxInterval)) : delay;
    }
    case "random": {
      const min = policy.minInterval ? durationMs(policy.minInterval) : 0;
      const max = policy.maxInterval ? durationMs(policy.maxInterval) : min;
      return min + Math.floor(random() * Math.max(0, max - min));
    }
  }
}

/**
 * The epoch ms of the next attempt, or undefined when the policy is exhausted.
 * `attemptsSoFar` counts the attempt that just failed; `firstStart` is when the first one began.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attemptsSoFar: number,
  firstStart: number,
  now: number,
  random: () => number,
): number | undefined {
  const maxAttempt = policy.maxAttempt ?? (policy.maxDuration ? ATTEMPTS_CEILING : 1);
  if (attemptsSoFar >= Math.min(maxAttempt, ATTEMPTS_CEILING)) return undefined;
  const at = now + retryDelayMs(policy, attemptsSoFar, random);
  if (policy.maxDuration && at > firstStart + durationMs(policy.maxDuration)) return undefined;
  return at;
}
