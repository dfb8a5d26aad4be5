/**
 * Business hours: mail that the system starts (requests, reminders, escalations, digests) goes out
 * only inside the recipient's working window, in the recipient's own time zone (their `timeZone`,
 * else the organisation's). The window is the programme's `mail.businessHours`, by default Monday to
 * Friday, 09:00 to 17:00. Answers to a person's own mail (confirmations, rejections) are not held.
 *
 * | due at (UTC)          | recipient zone      | sent at                                   |
 * | --------------------- | ------------------- | ----------------------------------------- |
 * | Tue 2026-06-16 10:00Z | Europe/London       | the same instant (11:00 UK time)          |
 * | Fri 2026-06-19 16:30Z | Europe/London       | Mon 22 June 09:00 UK time (08:00Z)        |
 * | Sun 2026-03-29 00:00Z | Europe/London       | Mon 30 March 09:00 BST (08:00Z)           |
 * | Sat 2026-06-20 12:00Z | Asia/Tokyo          | Mon 22 June 09:00 Tokyo time (00:00Z)     |
 *
 * Local times are worked out on the calendar of the zone (luxon), so a window start is 09:00 on the
 * wall clock either side of a daylight-saving change.
 */
import { DateTime, IANAZone } from 'luxon';
import { DEFAULT_BUSINESS_HOURS, weekdays, type Person, type Weekday } from '../programme/schema.ts';

export interface BusinessHours {
  readonly days: readonly Weekday[];
  /** HH:MM, local. */
  readonly start: string;
  /** HH:MM, local; after `start`. */
  readonly end: string;
}

/** Business hours that cannot be worked with (an unknown zone, a malformed window). */
export class InvalidBusinessHours extends Error {
  override name = 'InvalidBusinessHours' as const;
}

const HH_MM = /^(\d{2}):(\d{2})$/;

function minutesOf(time: string, what: string): number {
  const match = HH_MM.exec(time);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) {
    throw new InvalidBusinessHours(
      `The ${what} of business hours, "${time}", is not a time HH:MM, e.g. 09:00.`,
    );
  }
  return minutes;
}

/** The local instant of `minutes` after midnight on `day`'s date (a time a clock change skips moves forward). */
function localAt(day: DateTime, minutes: number): DateTime {
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: day.zone },
  );
}

/**
 * `at` itself when it falls inside business hours in `timeZone` (from `start`, up to but not
 * including `end`, on one of `days`), otherwise the start of the next window.
 */
export function nextBusinessTime(
  at: Date,
  timeZone: string,
  hours: BusinessHours = DEFAULT_BUSINESS_HOURS,
): Date {
  if (!IANAZone.isValidZone(timeZone)) {
    throw new InvalidBusinessHours(
      `"${timeZone}" is not a time zone from the IANA database, e.g. Europe/London.`,
    );
  }
  if (Number.isNaN(at.getTime())) throw new InvalidBusinessHours('The time to send at is not a valid date.');
  const start = minutesOf(hours.start, 'start');
  const end = minutesOf(hours.end, 'end');
  if (start >= end) {
    throw new InvalidBusinessHours(
      `Business hours start at ${hours.start}, not before they end at ${hours.end}; expected e.g. 09:00 to 17:00.`,
    );
  }
  const open = new Set(hours.days);
  if (open.size === 0 || [...open].some((day) => !weekdays.includes(day))) {
    throw new InvalidBusinessHours(
      'Business hours name no day of the week; expected e.g. [mon, tue, wed, thu, fri].',
    );
  }
  const local = DateTime.fromJSDate(at, { zone: IANAZone.create(timeZone) });
  const today = local.startOf('day');
  // Within a week every open day comes round once; the eighth day covers `at` after today's window.
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = today.plus({ days: offset });
    if (!open.has(weekdays[day.weekday - 1]!)) continue;
    const windowStart = localAt(day, start);
    const windowEnd = localAt(day, end);
    if (local < windowStart) return windowStart.toJSDate();
    if (local < windowEnd) return at;
  }
  /* c8 ignore next */
  throw new InvalidBusinessHours('No business hours in the coming week.');
}

/**
 * Whether a whole business window of `timeZone` opened and closed between `dueAt` and `now`: mail
 * held for it was never given a check inside the window (a workflow that was down, or woke late),
 * and should go at once rather than wait for a window it may miss again.
 */
export function windowMissed(
  dueAt: Date,
  now: Date,
  timeZone: string,
  hours: BusinessHours = DEFAULT_BUSINESS_HOURS,
): boolean {
  const opened = nextBusinessTime(dueAt, timeZone, hours);
  const length = (minutesOf(hours.end, 'end') - minutesOf(hours.start, 'start')) * 60_000;
  return now.getTime() >= opened.getTime() + length;
}

/** Whether `at` falls inside business hours in `timeZone`. */
export function withinBusinessHours(at: Date, timeZone: string, hours?: BusinessHours): boolean {
  return nextBusinessTime(at, timeZone, hours).getTime() === at.getTime();
}

/** The time zone a person reads their mail in: their own, else the organisation's. */
/** What the business hours of a programme's people need to know of it. */
export interface ProgrammeHours {
  readonly organisation: { readonly timeZone: string };
  readonly mail: { readonly businessHours?: BusinessHours | undefined };
}

export function recipientZone(
  programme: Pick<ProgrammeHours, 'organisation'>,
  person: Pick<Person, 'timeZone'>,
): string {
  return person.timeZone ?? programme.organisation.timeZone;
}

/**
 * When mail to `person` that falls due at `dueAt` may go out: `dueAt` inside their business hours,
 * else the start of their next window (the programme's `mail.businessHours`, or the default).
 */
export function sendableAt(programme: ProgrammeHours, person: Pick<Person, 'timeZone'>, dueAt: Date): Date {
  return nextBusinessTime(dueAt, recipientZone(programme, person), programme.mail.businessHours);
}
