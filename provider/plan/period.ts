/**
 * Periods of a BackupPlan: `every` cuts time into UTC periods aligned on the Unix epoch (a day runs
 * from 00:00 UTC, an hour from :00), and each period is named by its start, written `YYYYMMDD-HHMM`.
 * The stamp is in every snapshot name the plan makes, so the period of a snapshot is read back from
 * what exists in the cloud, not from the time the cloud says it was created.
 */
import { MINUTE_MS, parseDuration } from "../client/rules";

const DAY = 24 * 60 * MINUTE_MS;
const UNIT_DAYS: Record<string, number> = { d: 1, w: 7 };

/**
 * A plan's durations: what the resources' timeouts take ("90m", "12h", "1h30m") and, as backup
 * periods and retention need them, whole days or weeks ("1d", "30d", "2w"). Undefined when invalid.
 */
export function parsePlanDuration(text: string): number | undefined {
  const days = /^\s*(\d+)\s*([dw])\s*$/.exec(text);
  if (days) {
    const ms = Number(days[1]) * UNIT_DAYS[days[2]!]! * DAY;
    return ms > 0 ? ms : undefined;
  }
  return parseDuration(text);
}

/** The start (epoch ms) of the period containing `at`. */
export function periodStart(at: number, everyMs: number): number {
  return Math.floor(at / everyMs) * everyMs;
}

/** `20261130-0000`: the stamp of a period starting at `start` (UTC, to the minute). */
export function periodStamp(start: number): string {
  const iso = new Date(start).toISOString(); // 2026-11-30T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** The pattern of a stamp, for names that end with one. */
export const STAMP_PATTERN = "(\\d{8}-\\d{4})";

/** The start (epoch ms) a stamp names, or undefined when it is not a valid stamp. */
export function parseStamp(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})$/.exec(stamp);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return periodStamp(t) === stamp ? t : undefined;
}
