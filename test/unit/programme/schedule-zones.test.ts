/**
 * Schedules across time zones and daylight-saving changes, as properties over many zones (whole-hour,
 * half-hour and 45-minute offsets; one-hour and 30-minute clock changes; zones without any), checked
 * against an oracle that asks luxon about each local day instead of reusing the code under test.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { nextOccurrences } from '#shared/programme/cron.ts';
import { cycleDates, plannedCycles } from '#shared/programme/schedule.ts';

const ZONES = [
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata', // +05:30, no daylight saving
  'Australia/Lord_Howe', // +10:30 / +11:00: clocks move by 30 minutes
  'Pacific/Chatham', // +12:45 / +13:45
  'America/Sao_Paulo', // daylight saving until 2019, none since
  'Europe/Berlin',
] as const;

const DAY = 86_400_000;

/** The instant the zone's clock shows `hour:minute` on `date`, or undefined if that time is skipped. */
function oracle(zone: string, date: DateTime, hour: number, minute: number): number | undefined {
  const local = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour, minute },
    { zone },
  );
  // luxon moves a skipped time forward; a time that exists keeps its fields.
  if (local.hour !== hour || local.minute !== minute) return undefined;
  // A repeated time (clocks going back) fires at its first instant: the earlier offset.
  const earlier = [local.minus({ hours: 1 }), local.minus({ minutes: 30 })]
    .map((t) => t.setZone(zone))
    .find((t) => t.hour === hour && t.minute === minute && t.day === date.day);
  return (earlier ?? local).toMillis();
}

const starts = fc.date({
  min: new Date('2016-01-01T00:00:00Z'),
  max: new Date('2036-01-01T00:00:00Z'),
  noInvalidDate: true,
});

describe('daily schedules in many zones', () => {
  it('fire at the configured wall time on every local day it exists, once, in increasing order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45, 59),
        starts,
        (zone, hour, minute, after) => {
          const found = nextOccurrences(`cron(${minute} ${hour} * * ? *)`, zone, after, 400).map((d) =>
            d.getTime(),
          );
          expect(found).toHaveLength(400);
          // Strictly increasing, after the start.
          found.forEach((t, i) => expect(t).toBeGreaterThan(i === 0 ? after.getTime() : found[i - 1]!));
          // Every local day from the first fire to the last fires exactly when the oracle says.
          // Days are stepped as calendar dates (in UTC): a local midnight may itself be skipped.
          const dateOf = (t: number) =>
            DateTime.fromISO(DateTime.fromMillis(t, { zone }).toISODate()!, { zone: 'utc' });
          const last = dateOf(found.at(-1)!);
          const expected: number[] = [];
          for (let day = dateOf(found[0]!); day <= last; day = day.plus({ days: 1 })) {
            const at = oracle(zone, day, hour, minute);
            if (at !== undefined) expected.push(at);
          }
          expect(found).toEqual(expected);
          for (const t of found) {
            const local = DateTime.fromMillis(t, { zone });
            expect([local.hour, local.minute]).toEqual([hour, minute]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('cycle dates in many zones', () => {
  const leadTimes = { inputsDueDaysBeforeMeeting: 10, packageSentDaysBeforeMeeting: 5 };

  it('keep the opening wall time and whole local days between dates, across clock changes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 6, max: 20 }),
        fc.integer({ min: 11, max: 60 }),
        starts,
        (zone, hour, meetingAfterDays, after) => {
          const programme = {
            organisation: { timeZone: zone },
            leadTimes,
            schedule: {
              reviews: [
                {
                  type: 'quarterly' as const,
                  comprehensive: false,
                  cron: `cron(0 ${hour} 1 1,4,7,10 ? *)`,
                  meetingAfterDays,
                },
              ],
            },
          };
          const cycles = plannedCycles(programme as Parameters<typeof plannedCycles>[0], after, 8);
          expect(cycles).toHaveLength(8);
          let previous = after.getTime();
          for (const cycle of cycles) {
            const [opens, due, send, meeting] = [
              cycle.opensAt,
              cycle.inputsDueAt,
              cycle.packageSendAt,
              cycle.meetingAt,
            ].map((at) => DateTime.fromISO(at, { zone }));
            expect(opens!.toMillis()).toBeGreaterThan(previous);
            previous = opens!.toMillis();
            // Opens on the 1st of a quarter at the configured time (06:00-20:00 is never skipped).
            expect([opens!.day, opens!.hour, opens!.minute]).toEqual([1, hour, 0]);
            expect([1, 4, 7, 10]).toContain(opens!.month);
            for (const date of [due!, send!, meeting!]) expect([date.hour, date.minute]).toEqual([hour, 0]);
            // Whole local calendar days, whatever the clocks did in between.
            const localDays = (a: DateTime, b: DateTime) =>
              Math.round(b.startOf('day').diff(a.startOf('day'), 'days').days);
            expect(localDays(opens!, meeting!)).toBe(meetingAfterDays);
            expect(localDays(due!, meeting!)).toBe(leadTimes.inputsDueDaysBeforeMeeting);
            expect(localDays(send!, meeting!)).toBe(leadTimes.packageSentDaysBeforeMeeting);
            // In elapsed time a day is 23 to 25 hours (24 ± the largest clock change).
            const elapsed = meeting!.toMillis() - opens!.toMillis();
            expect(Math.abs(elapsed - meetingAfterDays * DAY)).toBeLessThanOrEqual(3_600_000);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cycleDates keeps the opening instant and puts deadline, package and meeting in order', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), starts, (zone, opens) => {
        const review = { meetingAfterDays: 28 };
        const dates = cycleDates({ organisation: { timeZone: zone }, leadTimes }, review, opens);
        expect(Date.parse(dates.opensAt)).toBe(opens.getTime());
        expect(Date.parse(dates.inputsDueAt)).toBeLessThan(Date.parse(dates.packageSendAt));
        expect(Date.parse(dates.packageSendAt)).toBeLessThan(Date.parse(dates.meetingAt));
      }),
      { numRuns: 100 },
    );
  });
});
