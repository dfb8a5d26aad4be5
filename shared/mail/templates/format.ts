/**
 * How notices write times, dates and amounts: in words a person reads without thinking, in the
 * recipient's time zone, e.g. "Friday 16 October 2026, 17:00 (Europe/London)".
 */
import { DateTime } from 'luxon';

/** Data a notice cannot be written from (a bad time, zone or date). */
export class TemplateDataError extends Error {
  override name = 'TemplateDataError' as const;
}

function zoned(utc: string, timeZone: string): DateTime {
  // A time without Z or an offset is ambiguous: refuse it rather than guess.
  const at = DateTime.fromISO(utc, { zone: 'utc', setZone: false });
  if (!at.isValid || !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(utc))
    throw new TemplateDataError(`"${utc}" is not a time in ISO 8601, e.g. 2026-10-16T16:00:00Z`);
  const local = at.setZone(timeZone);
  if (!local.isValid) {
    throw new TemplateDataError(
      `"${timeZone}" is not a time zone from the IANA database, e.g. Europe/London`,
    );
  }
  return local.setLocale('en-GB');
}

/** "Friday 16 October 2026, 17:00 (Europe/London)". */
export function formatDateTime(utc: string, timeZone: string): string {
  return `${zoned(utc, timeZone).toFormat('cccc d LLLL yyyy, HH:mm')} (${timeZone})`;
}

/** "Fri 16 Oct, 17:00": for subjects, where space is short. */
export function formatShortDateTime(utc: string, timeZone: string): string {
  return zoned(utc, timeZone).toFormat('ccc d LLL, HH:mm');
}

/** "Friday 16 October 2026": the day a UTC time falls on in the zone. */
export function formatDayOf(utc: string, timeZone: string): string {
  return zoned(utc, timeZone).toFormat('cccc d LLLL yyyy');
}

function calendar(date: string): DateTime {
  const day = DateTime.fromISO(date, { zone: 'utc' }).setLocale('en-GB');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !day.isValid) {
    throw new TemplateDataError(`"${date}" is not a calendar date yyyy-mm-dd, e.g. 2026-10-30`);
  }
  return day;
}

/** A calendar date (a due date): "Friday 30 October 2026". */
export function formatDate(date: string): string {
  return calendar(date).toFormat('cccc d LLLL yyyy');
}

/** A calendar date, short: "Fri 30 Oct 2026". */
export function formatShortDate(date: string): string {
  return calendar(date).toFormat('ccc d LLL yyyy');
}

/** A period of calendar dates, inclusive: "1 July 2026 to 30 September 2026". */
export function formatPeriod(period: { from: string; to: string }): string {
  return `${calendar(period.from).toFormat('d LLLL yyyy')} to ${calendar(period.to).toFormat('d LLLL yyyy')}`;
}

/** "1 day", "12 days". */
export function days(count: number): string {
  return `${count} ${count === 1 ? 'day' : 'days'}`;
}

/** "1 input", "3 inputs". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** A size in bytes as people read it: "812 bytes", "14 KB", "2.3 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
