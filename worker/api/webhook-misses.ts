// Owns the rationing of webhook misses (unknown tenant, flow, trigger or key: the same 404): a
// token bucket per tenant and one per client address, so that keys cannot be guessed at speed. A
// request that finds either bucket empty is answered 429 before anything is looked up; a correct
// key spends nothing. The buckets live in this isolate's memory, bounded in number: each isolate
// rations on its own, so the rates below are per isolate.

interface Bucket {
  tokens: number;
  at: number;
}

export interface MissRate {
  burst: number;
  perSecond: number;
}

export const TENANT_MISSES: MissRate = { burst: 60, perSecond: 5 };
export const CLIENT_MISSES: MissRate = { burst: 20, perSecond: 1 };
const MAX_BUCKETS = 10_000;

class Buckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly rate: MissRate) {}

  private refilled(key: string, now: number): Bucket {
    const b = this.buckets.get(key) ?? { tokens: this.rate.burst, at: now };
    b.tokens = Math.min(this.rate.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.rate.perSecond);
    b.at = now;
    return b;
  }

  /** Seconds until a miss would be allowed again; 0 when one is allowed now. */
  waitSeconds(key: string, now: number): number {
    const b = this.refilled(key, now);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.rate.perSecond);
  }

  spend(key: string, now: number): void {
    const b = this.refilled(key, now);
    b.tokens = Math.max(0, b.tokens - 1);
    this.buckets.delete(key);
    this.buckets.set(key, b);
    // Oldest first: a full bucket forgotten is the same as a fresh one.
    if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

const byTenant = new Buckets(TENANT_MISSES);
const byClient = new Buckets(CLIENT_MISSES);

/** Seconds to wait when the tenant or the client has spent its misses; 0 to go on. */
export function missesBlocked(tenantId: string, client: string | undefined, now = Date.now()): number {
  return Math.max(byTenant.waitSeconds(tenantId, now), client ? byClient.waitSeconds(client, now) : 0);
}

/** `client` is undefined when the platform named none (never in production): the tenant's bucket alone. */
export function recordMiss(tenantId: string, client: string | undefined, now = Date.now()): void {
  byTenant.spend(tenantId, now);
  if (client) byClient.spend(client, now);
}
