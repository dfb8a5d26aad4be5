/**
 * The review period a start falls in: one cycle per programme, type and period.
 *
 * A programme's schedule fires each review type at its cron occurrences; the period of a start at
 * time t is the stretch between two consecutive occurrences of that type, named by the occurrence
 * that opens it (the latest at or before t). A start before the type's first occurrence belongs to
 * the period the first occurrence opens (starting early does not make the schedule start a second
 * one). A type whose schedule has no occurrence near t has no period, and nothing is deduplicated
 * beyond the cycle id itself.
 *
 * | start at                       | quarterly cron(0 9 1 1,4,7,10 ? *), Europe/London | period       |
 * | ------------------------------ | ------------------------------------------------- | ------------ |
 * | 2026-04-01T08:00Z (scheduled)  | the occurrence itself                             | 20260401T0800Z |
 * | 2026-04-01T08:05Z (late retry) | latest occurrence before: 1 April 09:00 BST       | 20260401T0800Z |
 * | 2026-05-10T10:00Z (CLI)        | latest occurrence before: 1 April 09:00 BST       | 20260401T0800Z |
 * | 2026-07-01T08:00Z              | the next quarter's occurrence                     | 20260701T0800Z |
 */
import { DateTime, IANAZone } from 'luxon';
import { minuteStamp, type CycleType } from '../model/ids.ts';
import type { Programme } from '../programme/schema.ts';
import {
  dateMatches,
  instantOfLocal,
  nextOccurrences,
  parseCron,
  UnknownTimeZone,
  type CronExpression,
} from '../programme/cron.ts';

/** How far back a period's opening occurrence is looked for: longer than any review interval. */
const LOOK_BACK_DAYS = 5 * 366;

export interface ReviewPeriod {
  /** The programme, the type and the period, as one string: `<programme>#<type>#<stamp>`. */
  readonly key: string;
  /** The occurrence that opens the period (UTC ISO). */
  readonly opensAt: string;
}

/** The latest occurrence of `cron` at or before `at`, looking back at most LOOK_BACK_DAYS. */
export function latestOccurrence(cron: CronExpression, timeZone: string, at: Date): Date | undefined {
  if (!IANAZone.isValidZone(timeZone)) throw new UnknownTimeZone(timeZone);
  const zone = IANAZone.create(timeZone);
  const limit = at.getTime();
  const firstYear = cron.years[0] ?? Number.POSITIVE_INFINITY;
  const today = DateTime.fromMillis(limit, { zone }).startOf('day');
  for (let back = 0; back <= LOOK_BACK_DAYS; back += 1) {
    const day = today.minus({ days: back });
    if (day.year < firstYear) return undefined;
    if (!dateMatches(cron, day.year, day.month, day.day)) continue;
    let latest: number | undefined;
    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        const instant = instantOfLocal(zone, day.year, day.month, day.day, hour, minute);
        if (instant !== undefined && instant <= limit && (latest === undefined || instant > latest)) {
          latest = instant;
        }
      }
    }
    if (latest !== undefined) return new Date(latest);
  }
  return undefined;
}

/** The period of a start of `type` at `at` under the programme's schedule (see the module note). */
export function reviewPeriod(
  programme: Pick<Programme, 'organisation' | 'schedule'>,
  type: CycleType,
  at: Date,
): ReviewPeriod | undefined {
  const timeZone = programme.organisation.timeZone;
  const crons = programme.schedule.reviews
    .filter((review) => review.type === type)
    .map((review) => parseCron(review.cron));
  const latest = crons
    .map((cron) => latestOccurrence(cron, timeZone, at))
    .filter((date): date is Date => date !== undefined)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  const opens =
    latest ??
    crons
      .map((cron) => nextOccurrences(cron, timeZone, at, 1)[0])
      .filter((date): date is Date => date !== undefined)
      .sort((a, b) => a.getTime() - b.getTime())[0];
  if (!opens) return undefined;
  return {
    key: `${programme.organisation.id}#${type}#${minuteStamp(opens)}`,
    opensAt: opens.toISOString(),
  };
}
