// The door webhook deliveries pass through in the tenant's trigger object: Idempotency-Key records
// (24 h) and the tenant's rate limit, a token bucket whose size and refill rate are the tenant's
// setting (persisted in the object's SQLite; the bucket itself lives in memory, and a restart
// simply refills it). The defaults let a tenant sustain 400 deliveries a second.
import { newId } from "../ids";
import type { TriggerStore } from "./store";

export interface WebhookRateLimit {
  /** Deliveries accepted at once after a quiet spell: the bucket's size. */
  burst: number;
  /** Deliveries accepted per second, sustained: the refill rate. */
  perSecond: number;
}

export interface WebhookSettings {
  rateLimit: WebhookRateLimit;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = { rateLimit: { burst: 1000, perSecond: 400 } };

export type WebhookAdmission =
  | { kind: "admitted"; executionId: string; repeated: boolean }
  | { kind: "limited"; retryAfterSeconds: number }
  | { kind: "disabled" };

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const SETTINGS_KEY = "webhookSettings";

type Raw = Record<string, SqlStorageValue>;

export class WebhookGate {
  private settingsCache: WebhookSettings | undefined;
  private bucket: { tokens: number; at: number } | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly store: TriggerStore,
  ) {}

  settings(): WebhookSettings {
    if (!this.settingsCache) {
      const raw = this.store.meta(SETTINGS_KEY);
      this.settingsCache = raw ? (JSON.parse(raw) as WebhookSettings) : DEFAULT_WEBHOOK_SETTINGS;
    }
    return this.settingsCache;
  }

  /** Replaces the settings; the bucket starts full at the new size. */
  setSettings(settings: WebhookSettings): WebhookSettings {
    this.store.setMeta(SETTINGS_KEY, JSON.stringify(settings));
    this.settingsCache = settings;
    this.bucket = undefined;
    return settings;
  }

  /** Spends a token: 0 when one was there, else the seconds until one will be (for Retry-After). */
  private takeToken(now: number): number {
    const { burst, perSecond } = this.settings().rateLimit;
    const b = this.bucket ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond);
    b.at = now;
    this.bucket = b;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return perSecond > 0 ? Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) : 60;
  }

  /**
   * Decides a delivery's execution id. A repeated key within 24 hours gets the first delivery's id
   * and spends no token; a new delivery spends one token, or is refused with the wait.
   */
  admit(idempotencyKey: string | undefined, now: number): WebhookAdmission {
    if (idempotencyKey) {
      const [r] = this.sql
        .exec<Raw>("SELECT execution_id FROM idempotency WHERE key = ? AND expires_at > ?", idempotencyKey, now)
        .toArray();
      if (typeof r?.execution_id === "string") return { kind: "admitted", executionId: r.execution_id, repeated: true };
    }
    const wait = this.takeToken(now);
    if (wait > 0) return { kind: "limited", retryAfterSeconds: wait };
    const executionId = newId();
    if (idempotencyKey) {
      this.sql.exec(
        "INSERT OR REPLACE INTO idempotency (key, execution_id, expires_at) VALUES (?, ?, ?)",
        idempotencyKey,
        executionId,
        now + IDEMPOTENCY_TTL_MS,
      );
    }
    return { kind: "admitted", executionId, repeated: false };
  }

  /** Forgets expired idempotency records. */
  sweep(now: number): void {
    this.sql.exec("DELETE FROM idempotency WHERE expires_at <= ?", now);
  }
}
