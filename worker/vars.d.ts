// Optional Worker variables that wrangler.toml leaves unset (their defaults live in code), so
// `wrangler types` cannot see them; they are declared here.
interface Env {
  /** The size limit of internal storage in bytes (default 100 MiB; worker/storage/limits.ts). */
  MAX_FILE_BYTES?: string;
  /** The tenant the tenant-less webhook URL (`/api/v1/executions/webhook/…`) serves; unset: that URL is off. */
  DEFAULT_WEBHOOK_TENANT?: string;
}
