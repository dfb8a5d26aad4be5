/**
 * Times on the command line: stored in UTC, shown and typed in the organisation's time zone.
 */
import { DateTime, IANAZone } from 'luxon';
import { instantOfLocal } from '#shared/programme/cron.ts';
import { UsageError } from './output.ts';

/** When `--meeting` gives a date without a time. */
export const DEFAULT_MEETING_TIME = '09:00';

/** `2026-10-29 09:00` on the zone's wall clock. */
export function localTime(utc: string, timeZone: string): string {
  const at = DateTime.fromISO(utc, { zone: 'utc' });
  if (!at.isValid) return utc;
  return at.setZone(timeZone).toFormat('yyyy-MM-dd HH:mm');
}

/** `2026-10-29T08:00:00Z`: UTC without milliseconds. */
export function utcTime(utc: string): string {
  const at = DateTime.fromISO(utc, { zone: 'utc' });
  return at.isValid ? (at.toISO({ suppressMilliseconds: true }) ?? utc) : utc;
}

/** A time in both forms, for JSON output. */
export function zonedTime(utc: string, timeZone: string): { utc: string; local: string; timeZone: string } {
  return { utc: utcTime(utc), local: localTime(utc, timeZone), timeZone };
}

/** "in 3 days", "2 hours ago", relative to `now`. */
export function relative(utc: string, now: Date): string {
  const ms = Date.parse(utc) - now.getTime();
  const ahead = ms >= 0;
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return ahead ? `in ${text}` : `${text} ago`;
    }
  }
  return ahead ? 'in less than a minute' : 'less than a minute ago';
}

/**
 * `yyyy-mm-dd` or `yyyy-mm-ddThh:mm`, on the wall clock of `timeZone`, as a UTC ISO time.
 * A date alone means 09:00. A local time skipped by a clock change is refused; a time that
 * happens twice (clocks go back) is its first occurrence.
 */
export function parseLocalDateTime(text: string, timeZone: string, what = '--meeting'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${what} "${text}" is not a date; expected yyyy-mm-dd or yyyy-mm-ddThh:mm, e.g. 2026-10-29T14:00.`,
    );
  }
  const [, y, mo, d, h, mi] = match;
  const [hour, minute] =
    h === undefined ? DEFAULT_MEETING_TIME.split(':').map(Number) : [Number(h), Number(mi)];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const valid = DateTime.fromObject({ year, month, day, hour, minute }, { zone: 'utc' });
  if (!valid.isValid) {
    throw new UsageError(
      `${what} "${text}" is not a real date and time (${valid.invalidExplanation ?? valid.invalidReason}).`,
    );
  }
  const instant = instantOfLocal(IANAZone.create(timeZone), year, month, day, hour!, minute!);
  if (instant === undefined) {
    throw new UsageError(
      `${what} "${text}" does not exist in ${timeZone}: the clocks go forward then; choose another time.`,
    );
  }
  return new Date(instant).toISOString();
}
