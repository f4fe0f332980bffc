// Dates and durations as the viewer set them (zone, 12/24-hour clock).
import { settings, zoneOf } from "./settings.svelte";

export function formatDate(iso: string | undefined | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zoneOf(),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: settings.hour12,
  }).format(d);
}

export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zoneOf(),
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: settings.hour12,
  }).format(new Date(ms));
}

/** 1h 2m 3.4s from milliseconds. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h ${m}m ${sec}s` : `${m}m ${sec}s`;
}

/** PT1.5S-style durations (what the API returns) to milliseconds. */
export function isoDurationMs(iso: string | undefined): number {
  if (!iso) return Number.NaN;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso);
  if (!m) return Number.NaN;
  return ((+(m[1] ?? 0) * 24 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 60_000 + +(m[4] ?? 0) * 1000;
}

export const formatDuration = (iso: string | undefined): string => formatMs(isoDurationMs(iso));
