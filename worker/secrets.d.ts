// Secrets are not in wrangler.toml, so `wrangler types` cannot see them; they are declared here.
interface Env {
  /** Guards the operator endpoints (tenant signup). Unset: those endpoints answer 404. */
  OPERATOR_SECRET?: string;
  /** 32 bytes, base64: encrypts tenant secrets at rest. */
  SECRETS_KEY?: string;
}
