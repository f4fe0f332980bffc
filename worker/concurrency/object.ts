// What an execution may ask of its flow's concurrency object, and how it reaches one.
// FlowConcurrencyDurableObject implements this interface; callers hold only the interface.
import type { EngineEvent } from "../engine/types";

export type Admission = "run" | "queued" | "cancel" | "fail";
export type ConcurrencyBehavior = "QUEUE" | "CANCEL" | "FAIL";

export interface FlowConcurrencyObject {
  /** Asks for a slot. Idempotent: an execution that holds one, or waits for one, keeps its place. */
  acquire(tenantId: string, executionId: string, limit: number, behavior: ConcurrencyBehavior): Promise<Admission>;
  /** Frees whatever the execution holds (a slot, or its place in the queue) and promotes waiters. */
  release(executionId: string, limit: number): Promise<void>;
  stats(): Promise<{ running: number; queued: number; highWater: number }>;
}

/** The engine event an admission answer turns into for the waiting execution. */
export function admissionEvent(admission: Admission): EngineEvent {
  switch (admission) {
    case "run":
      return { type: "start" };
    case "queued":
      return { type: "queued" };
    case "cancel":
      return { type: "refused", state: "CANCELLED", message: "Flow is CANCELLED due to concurrency limit exceeded" };
    case "fail":
      return { type: "refused", state: "FAILED", message: "Flow is FAILED due to concurrency limit exceeded" };
  }
}

export function concurrencyStub(env: Env, tenantId: string, namespace: string, flowId: string): FlowConcurrencyObject {
  return env.FLOW_CONCURRENCY.get(env.FLOW_CONCURRENCY.idFromName(`${tenantId}:${namespace}:${flowId}`));
}
