// Where the CLI finds its server, tenant and key: the environment (PEREGRINE_URL, PEREGRINE_TENANT,
// PEREGRINE_API_KEY) over the config file that `peregrine login` writes (mode 0600, in a 0700
// directory). The file is $PEREGRINE_CONFIG, else $XDG_CONFIG_HOME/peregrine/config.json, else
// ~/.config/peregrine/config.json.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export interface Settings {
  url: string;
  tenant: string;
  apiKey: string;
}

export type Source = "env" | "file" | "default";

export interface Resolved {
  settings: Partial<Settings>;
  sources: Partial<Record<keyof Settings, Source>>;
  file: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A usage or configuration problem: exit code 2, never an API call. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function configPath(env: Env): string {
  if (env.PEREGRINE_CONFIG) return env.PEREGRINE_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config");
  return path.join(base, "peregrine", "config.json");
}

function readFile(file: string): Partial<Settings> {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!raw || typeof raw !== "object") throw new UsageError(`${file}: expected a JSON object`);
  const out: Partial<Settings> = {};
  for (const key of ["url", "tenant", "apiKey"] as const) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === "string" && value) out[key] = value;
  }
  return out;
}

const ENV_NAMES: Record<keyof Settings, string> = {
  url: "PEREGRINE_URL",
  tenant: "PEREGRINE_TENANT",
  apiKey: "PEREGRINE_API_KEY",
};

export function resolveConfig(env: Env): Resolved {
  const file = configPath(env);
  const fromFile = readFile(file);
  const settings: Partial<Settings> = {};
  const sources: Resolved["sources"] = {};
  for (const key of ["url", "tenant", "apiKey"] as const) {
    const fromEnv = env[ENV_NAMES[key]];
    if (fromEnv) {
      settings[key] = fromEnv;
      sources[key] = "env";
    } else if (fromFile[key]) {
      settings[key] = fromFile[key];
      sources[key] = "file";
    }
  }
  if (!settings.url) {
    settings.url = "http://127.0.0.1:8787";
    sources.url = "default";
  }
  return { settings, sources, file };
}

/** The settings a command needs, or a UsageError that says how to provide the missing one. */
export function requireSettings(resolved: Resolved): Settings {
  const { url, tenant, apiKey } = resolved.settings;
  const missing = (["tenant", "apiKey"] as const).filter((k) => !resolved.settings[k]);
  if (!url || !tenant || !apiKey) {
    const names = missing.map((k) => ENV_NAMES[k]).join(" and ");
    throw new UsageError(`No ${missing.join(" or ")} configured: set ${names}, or run \`peregrine login\``);
  }
  return { url, tenant, apiKey };
}

/** Writes the file readable by its owner only; an existing file is narrowed to 0600 as well. */
export function writeConfig(file: string, settings: Settings): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** `pgr_AbCd…` → `pgr_AbCd…(hidden)`: enough to tell keys apart, never the secret. */
export const maskKey = (key: string): string => `${key.slice(0, 8)}…`;
