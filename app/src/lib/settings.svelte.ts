// Viewer preferences: theme, time zone, clock and the execution page's default tab. Kept in
// localStorage (they are not secrets) and applied to <html> so that CSS and every date formatter
// follow them.
const KEY = "peregrine.settings";

export type Theme = "system" | "light" | "dark";

export interface Settings {
  theme: Theme;
  /** An IANA zone, or "" for the browser's own. */
  timeZone: string;
  hour12: boolean;
  /** The tab an execution page opens on when its link names none. */
  executionTab: ExecutionTab;
}

export const EXECUTION_TABS = ["gantt", "topology", "logs", "outputs", "metrics", "console"] as const;
export type ExecutionTab = (typeof EXECUTION_TABS)[number];

function load(): Settings {
  const fallback: Settings = { theme: "system", timeZone: "", hour12: false, executionTab: "gantt" };
  try {
    return { ...fallback, ...(JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<Settings>) };
  } catch {
    return fallback;
  }
}

export const settings: Settings = $state(load());

export function saveSettings(): void {
  localStorage.setItem(KEY, JSON.stringify(settings));
  applyTheme();
}

export function applyTheme(): void {
  const dark =
    settings.theme === "dark" || (settings.theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

export const zoneOf = (): string => settings.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
