/**
 * Review cycles on the calendar: when each planned cycle opens, when its inputs are due, when the
 * package goes out and when the meeting is held. The cron engine they are counted with is
 * `cron.ts`.
 */
import { DateTime } from 'luxon';
import { nextOccurrences, zoneOf } from './cron.ts';
import type { Programme, Review } from './schema.ts';

export interface PlannedCycle {
  readonly type: Review['type'];
  readonly comprehensive: boolean;
  /** Index of the review in `schedule.reviews`. */
  readonly reviewIndex: number;
  /** When the cycle opens (the schedule fires), UTC ISO. */
  readonly opensAt: string;
  /** When input owners must have answered, UTC ISO. */
  readonly inputsDueAt: string;
  /** When the package goes to the attendees, UTC ISO. */
  readonly packageSendAt: string;
  /** When the meeting is held, UTC ISO. */
  readonly meetingAt: string;
}

/** What cycle dates depend on: the organisation's time zone and the lead times. */
export interface CycleTiming {
  readonly organisation: Pick<Programme['organisation'], 'timeZone'>;
  readonly leadTimes: Pick<
    Programme['leadTimes'],
    'inputsDueDaysBeforeMeeting' | 'packageSentDaysBeforeMeeting'
  >;
}

const iso = (time: DateTime) => time.toUTC().toISO({ suppressMilliseconds: true }) ?? '';

/**
 * The dates of one cycle opening at `opensAt`. Days are local calendar days in the organisation's
 * time zone, so a cycle opened at 09:00 has its meeting, input deadline and package at 09:00 local
 * time even across a daylight-saving change. A date that lands in a skipped hour moves forward.
 */
export function cycleDates(
  programme: CycleTiming,
  review: Pick<Review, 'meetingAfterDays'>,
  opensAt: Date,
): { opensAt: string; inputsDueAt: string; packageSendAt: string; meetingAt: string } {
  const opened = DateTime.fromJSDate(opensAt, { zone: zoneOf(programme.organisation.timeZone) });
  // Each date is counted from the opening, so one landing in a skipped hour does not move the others.
  const daysLater = (days: number) => iso(opened.plus({ days }));
  const { inputsDueDaysBeforeMeeting, packageSentDaysBeforeMeeting } = programme.leadTimes;
  return {
    opensAt: iso(opened),
    inputsDueAt: daysLater(review.meetingAfterDays - inputsDueDaysBeforeMeeting),
    packageSendAt: daysLater(review.meetingAfterDays - packageSentDaysBeforeMeeting),
    meetingAt: daysLater(review.meetingAfterDays),
  };
}

/** The next `count` review cycles of the programme after `from`, all reviews merged, in order. */
export function plannedCycles(
  programme: CycleTiming & { readonly schedule: Pick<Programme['schedule'], 'reviews'> },
  from: Date,
  count: number,
): PlannedCycle[] {
  const timeZone = programme.organisation.timeZone;
  const all = programme.schedule.reviews.flatMap((review, reviewIndex) =>
    nextOccurrences(review.cron, timeZone, from, count).map((opens) => ({ review, reviewIndex, opens })),
  );
  all.sort((x, y) => x.opens.getTime() - y.opens.getTime() || x.reviewIndex - y.reviewIndex);
  return all.slice(0, Math.max(0, count)).map(({ review, reviewIndex, opens }) => ({
    type: review.type,
    comprehensive: review.comprehensive,
    reviewIndex,
    ...cycleDates(programme, review, opens),
  }));
}
