// What a tenant may start, and how a caller reaches the tenant's limits object: its settings (the
// creation rate, the executions it may have running at once, the depth of a chain of executions
// started by other executions) and the admission answer a start gets. TenantLimitsDurableObject
// implements TenantLimitsObject; callers hold only the interface.
import { z } from "zod";

export const tenantLimitsSettings = z.strictObject({
  /** New executions, a token bucket: `burst` at once after a quiet spell, `perSecond` sustained. */
  creationRate: z.strictObject({
    burst: z.number().int().min(1).max(1_000_000),
    perSecond: z.number().positive().max(100_000),
  }),
  /** Executions not yet terminal (CREATED, QUEUED, RUNNING, PAUSED…) at any one time. */
  maxRunning: z.number().int().min(1).max(1_000_000),
  /**
   * How deep a chain of executions started by executions (Subflow, ForEachItem, Flow triggers) may
   * go along one correlation id; an execution started from outside (API, webhook, schedule) is 0.
   */
  maxChainDepth: z.number().int().min(1).max(1_000),
});

export type TenantLimitsSettings = z.infer<typeof tenantLimitsSettings>;

export const DEFAULT_TENANT_LIMITS: TenantLimitsSettings = {
  creationRate: { burst: 1000, perSecond: 400 },
  maxRunning: 1000,
  maxChainDepth: 16,
};

/** The limit a refused start ran into, as the 429's body names it. */
export type TenantLimitName = "creationRate" | "maxRunning";

export type StartAdmission =
  /** `fresh`: a running place was taken now (not one the execution already held). */
  | { kind: "admitted"; fresh: boolean }
  /** Deeper than the tenant allows: the execution is stored FAILED with this reason, never run. */
  | { kind: "too-deep"; maxChainDepth: number }
  | { kind: "limited"; limit: TenantLimitName; max: number; retryAfterSeconds: number };

export interface TenantLimitsObject {
  /**
   * Admits one start (idempotent per execution id: a start asked again, after a crash, spends
   * nothing more). An admitted execution holds a running place until release().
   */
  admit(tenantId: string, executionId: string, chainDepth: number): Promise<StartAdmission>;
  /** The execution ended (or never was): its running place is free. Idempotent. */
  release(executionId: string): Promise<void>;
  settings(): Promise<TenantLimitsSettings>;
  setSettings(settings: TenantLimitsSettings): Promise<TenantLimitsSettings>;
  /** What the object holds now, for the settings route and the tests. */
  usage(): Promise<{ running: number }>;
}

export function tenantLimitsStub(env: Env, tenantId: string): TenantLimitsObject {
  return env.TENANT_LIMITS.get(env.TENANT_LIMITS.idFromName(tenantId));
}
