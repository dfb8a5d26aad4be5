/**
 * How notices write times, dates and amounts: in words a person reads without thinking, in the
 * recipient's time zone, with the zone named as people say it, e.g. "Friday 16 October 2026, 17:00
 * UK time". Every subject and body writes a time through `formatDateTime` or `formatShortDateTime`,
 * so one deadline reads the same in every message that names it.
 */
import { DateTime, IANAZone } from 'luxon';
import { isIanaTimeZone } from '../../programme/time-zone.ts';

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

/**
 * Zones whose city is not what people call the time there: a country's one zone is named after the
 * country ("UK time", not "London time"), and renamed cities by the name in use.
 */
const ZONE_WORDS: Readonly<Record<string, string>> = {
  'Europe/London': 'UK time',
  'Europe/Belfast': 'UK time',
  'Europe/Dublin': 'Irish time',
  'Asia/Kolkata': 'India time',
  'Asia/Calcutta': 'India time',
  'Asia/Singapore': 'Singapore time',
  'Asia/Hong_Kong': 'Hong Kong time',
  'Asia/Saigon': 'Ho Chi Minh City time',
  'Asia/Ho_Chi_Minh': 'Ho Chi Minh City time',
  'Europe/Kiev': 'Kyiv time',
  'Pacific/Auckland': 'New Zealand time',
  UTC: 'UTC',
  'Etc/UTC': 'UTC',
  'Etc/GMT': 'UTC',
  GMT: 'UTC',
};

/**
 * The zone as people name it: "UK time" for Europe/London, "New York time" for America/New_York,
 * "Lord Howe time" for Australia/Lord_Howe (the city part of the IANA name, underscores as spaces),
 * "UTC-5" for a fixed-offset Etc/GMT+5 (whose sign IANA writes the other way round).
 */
export function zoneInWords(timeZone: string): string {
  const zone = IANAZone.create(timeZone);
  // IANA writes names in mixed case; "europe/london" would find no entry and read "london time".
  if (!isIanaTimeZone(timeZone) || !zone.isValid) {
    throw new TemplateDataError(
      `"${timeZone}" is not a time zone from the IANA database, e.g. Europe/London`,
    );
  }
  const known = ZONE_WORDS[timeZone];
  if (known) return known;
  if (timeZone.startsWith('Etc/')) {
    // A fixed offset has no city: the offset is its name.
    const minutes = zone.offset(0);
    const hours = Math.trunc(Math.abs(minutes) / 60);
    const rest = Math.abs(minutes) % 60;
    return `UTC${minutes < 0 ? '-' : '+'}${hours}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
  }
  const city = timeZone.split('/').pop() ?? timeZone;
  return `${city.replace(/_/g, ' ')} time`;
}

/** "Friday 16 October 2026, 17:00 UK time". */
export function formatDateTime(utc: string, timeZone: string): string {
  return `${zoned(utc, timeZone).toFormat('cccc d LLLL yyyy, HH:mm')} ${zoneInWords(timeZone)}`;
}

/** "Fri 16 Oct, 17:00 UK time": for subjects, where space is short. */
export function formatShortDateTime(utc: string, timeZone: string): string {
  return `${zoned(utc, timeZone).toFormat('ccc d LLL, HH:mm')} ${zoneInWords(timeZone)}`;
}

/**
 * Where a deadline stands for a person on `now`, in calendar days of their zone: "6 days left",
 * "1 day left", "due today" until it passes, then "overdue by 1 day", "overdue by 3 days". A deadline
 * later today is due today; one earlier today has passed.
 */
export function deadlineStatus(deadlineUtc: string, nowUtc: string, timeZone: string): string {
  const deadline = zoned(deadlineUtc, timeZone);
  const now = zoned(nowUtc, timeZone);
  // Calendar days between the two local dates, so a clock change does not make a day of 23 hours
  // count as none.
  const dayNumber = (at: DateTime) => Date.UTC(at.year, at.month - 1, at.day) / 86_400_000;
  const between = dayNumber(deadline) - dayNumber(now);
  if (now.toMillis() <= deadline.toMillis()) {
    return between === 0 ? 'due today' : `${days(between)} left`;
  }
  return between === 0 ? 'overdue since today' : `overdue by ${days(-between)}`;
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
