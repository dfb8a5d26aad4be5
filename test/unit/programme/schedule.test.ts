import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import {
  cronMatches,
  dateMatches,
  InvalidCron,
  nextOccurrences,
  parseCron,
  UnknownTimeZone,
} from '#shared/programme/cron.ts';
import { cycleDates, plannedCycles } from '#shared/programme/schedule.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { FixedClock } from '#shared/clock.ts';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());
const days = (dates: Date[], zone = 'UTC') =>
  dates.map((date) => DateTime.fromJSDate(date, { zone }).toISODate());
const JAN_2026 = new Date('2026-01-01T00:00:00Z');

describe('parseCron: invalid expressions', () => {
  it.each([
    [
      'rate(1 day)',
      /it is not of the form cron\(\.\.\.\); expected cron\(minutes hours day-of-month month day-of-week year\)/,
    ],
    ['0 9 1 * ? *', /not of the form cron/],
    ['cron(0 9 1 * ?)', /it has 5 fields, not 6/],
    ['cron(0 9 * * * *)', /exactly one of day-of-month \("\*"\) and day-of-week \("\*"\) must be "\?"/],
    ['cron(0 9 ? * ? *)', /exactly one of day-of-month/],
    ['cron(60 9 1 * ? *)', /minutes "60" is out of range; expected 0-59/],
    ['cron(0 24 1 * ? *)', /hours "24" is out of range; expected 0-23/],
    ['cron(0 9 32 * ? *)', /day-of-month "32" is out of range; expected 1-31/],
    ['cron(0 9 0 * ? *)', /day-of-month "0" is out of range/],
    ['cron(0 9 1 13 ? *)', /month "13" is out of range; expected 1-12 or JAN-DEC/],
    ['cron(0 9 1 FOO ? *)', /month "FOO" is not a value; expected 1-12 or JAN-DEC/],
    ['cron(0 9 ? * 8 *)', /day-of-week "8" is out of range; expected 1-7 or SUN-SAT/],
    ['cron(0 9 ? * 0 *)', /day-of-week "0" is out of range/],
    ['cron(0 9 1 * ? 2300)', /year "2300" is out of range; expected 1970-2199/],
    ['cron(0 9 ? * 2#6 *)', /the week number after "#" must be 1-5/],
    ['cron(0 9 ? * 2#1,3#2 *)', /"#" takes one day and one number/],
    ['cron(0 9 L,15 * ? *)', /L, LW and nW \(e\.g\. 15W\) stand alone/],
    ['cron(0 9 1-5W * ? *)', /stand alone/],
    ['cron(0 9 ? * 2L,3 *)', /L and nL \(e\.g\. 6L, last Friday\) stand alone/],
    ['cron(0 L 1 * ? *)', /hours "L" uses L, W or #, which only the day fields allow/],
    ['cron(0 9 10-5 * ? *)', /day-of-month range "10-5" runs backwards/],
    ['cron(0 9 1/0 * ? *)', /step "\/0" is not a positive whole number/],
    ['cron(0 9 ? * MON/2 *)', /day-of-week "MON\/2" uses "\/"/],
    ['cron(0 9 1,,2 * ? *)', /has an empty list item/],
    ['cron(0 9 1 # ? *)', /month "#" uses "#", which that field does not allow/],
  ])('%s is rejected with a reason', (expression, reason) => {
    let caught: unknown;
    try {
      parseCron(expression);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidCron);
    expect((caught as InvalidCron).name).toBe('InvalidCron');
    expect((caught as InvalidCron).reason).toMatch(reason);
    expect((caught as InvalidCron).message).toBe(
      `"${expression}" is not a valid cron expression: ${(caught as InvalidCron).reason}`,
    );
  });

  it('rejects an unknown time zone', () => {
    expect(() => nextOccurrences('cron(0 9 1 * ? *)', 'Mars/Olympus', JAN_2026, 1)).toThrow(UnknownTimeZone);
  });
});

describe('parseCron: fields', () => {
  it('reads lists, ranges, steps and names', () => {
    const cron = parseCron('cron(0/20 8-10 ? JAN,jul-AUG MON-WED,FRI 2026-2030/2)');
    expect(cron.minutes).toEqual([0, 20, 40]);
    expect(cron.hours).toEqual([8, 9, 10]);
    expect(cron.months).toEqual([1, 7, 8]);
    expect(cron.dayOfWeek).toEqual({ kind: 'days', days: [2, 3, 4, 6] });
    expect(cron.dayOfMonth).toEqual({ kind: 'any' });
    expect(cron.years).toEqual([2026, 2028, 2030]);
    expect(parseCron('cron(*/30 9 1 * ? *)').minutes).toEqual([0, 30]);
    expect(parseCron('cron(5/25 9 1 * ? *)').minutes).toEqual([5, 30, 55]);
  });
});

describe('nextOccurrences: L, W and #', () => {
  it('L in day-of-month is the last day of the month, leap years included', () => {
    expect(iso(nextOccurrences('cron(0 9 L 2 ? *)', 'UTC', JAN_2026, 3))).toEqual([
      '2026-02-28T09:00:00.000Z',
      '2027-02-28T09:00:00.000Z',
      '2028-02-29T09:00:00.000Z',
    ]);
  });

  it('15W is the weekday nearest the 15th', () => {
    expect(days(nextOccurrences('cron(0 9 15W * ? 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-15', '2026-02-16', '2026-03-16', '2026-04-15', '2026-05-15', '2026-06-15',
      '2026-07-15', '2026-08-14', '2026-09-15', '2026-10-15', '2026-11-16', '2026-12-15',
    ]); // prettier-ignore
  });

  it('1W and 31W stay inside the month', () => {
    expect(days(nextOccurrences('cron(0 9 1W * ? 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-01', '2026-02-02', '2026-03-02', '2026-04-01', '2026-05-01', '2026-06-01',
      '2026-07-01', '2026-08-03', '2026-09-01', '2026-10-01', '2026-11-02', '2026-12-01',
    ]); // prettier-ignore
    expect(days(nextOccurrences('cron(0 9 31W * ? 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-30', '2026-03-31', '2026-05-29', '2026-07-31', '2026-08-31', '2026-10-30', '2026-12-31',
    ]); // prettier-ignore
  });

  it('LW is the last weekday of the month', () => {
    expect(days(nextOccurrences('cron(0 9 LW * ? 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30',
      '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31',
    ]); // prettier-ignore
  });

  it('6L is the last Friday of the month; L alone in day-of-week is Saturday', () => {
    expect(days(nextOccurrences('cron(0 9 ? * 6L 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24', '2026-05-29', '2026-06-26',
      '2026-07-31', '2026-08-28', '2026-09-25', '2026-10-30', '2026-11-27', '2026-12-25',
    ]); // prettier-ignore
    expect(days(nextOccurrences('cron(0 9 ? * L *)', 'UTC', JAN_2026, 3))).toEqual([
      '2026-01-03',
      '2026-01-10',
      '2026-01-17',
    ]);
  });

  it('2#1 is the first Monday; 6#5 only fires in months with five Fridays', () => {
    expect(days(nextOccurrences('cron(0 9 ? * MON#1 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-05', '2026-02-02', '2026-03-02', '2026-04-06', '2026-05-04', '2026-06-01',
      '2026-07-06', '2026-08-03', '2026-09-07', '2026-10-05', '2026-11-02', '2026-12-07',
    ]); // prettier-ignore
    expect(days(nextOccurrences('cron(0 9 ? * 6#5 2026)', 'UTC', JAN_2026, 20))).toEqual([
      '2026-01-30',
      '2026-05-29',
      '2026-07-31',
      '2026-10-30',
    ]);
  });

  it('stops when the years run out, and a 30 February never comes', () => {
    expect(iso(nextOccurrences('cron(0 9 1 1 ? 2027)', 'UTC', JAN_2026, 5))).toEqual([
      '2027-01-01T09:00:00.000Z',
    ]);
    expect(nextOccurrences('cron(0 9 30 2 ? *)', 'UTC', JAN_2026, 1)).toEqual([]);
    expect(nextOccurrences('cron(0 9 1 1 ? 2020)', 'UTC', JAN_2026, 1)).toEqual([]);
  });

  it('is strictly after the given instant', () => {
    const at = new Date('2026-04-01T08:00:00Z');
    expect(iso(nextOccurrences('cron(0 9 1 1,4,7 ? *)', 'Europe/London', at, 1))).toEqual([
      '2026-07-01T08:00:00.000Z',
    ]);
    expect(nextOccurrences('cron(0 9 1 1,4,7 ? *)', 'Europe/London', at, 0)).toEqual([]);
  });
});

describe('nextOccurrences: daylight saving time', () => {
  it('keeps 09:00 London time on both sides of the change (GMT, then BST)', () => {
    expect(iso(nextOccurrences('cron(0 9 1 1,4,7,10 ? *)', 'Europe/London', JAN_2026, 4))).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-04-01T08:00:00.000Z',
      '2026-07-01T08:00:00.000Z',
      '2026-10-01T08:00:00.000Z',
    ]);
  });

  it('skips a time that does not exist when clocks go forward (London, 29 March 2026)', () => {
    expect(
      iso(nextOccurrences('cron(30 1 * * ? *)', 'Europe/London', new Date('2026-03-27T12:00:00Z'), 3)),
    ).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
  });

  it('runs a repeated time once, at its first instant, when clocks go back (London, 25 October 2026)', () => {
    expect(
      iso(nextOccurrences('cron(30 1 * * ? *)', 'Europe/London', new Date('2026-10-24T12:00:00Z'), 3)),
    ).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
    expect(
      iso(nextOccurrences('cron(0/20 1 25 10 ? 2026)', 'Europe/London', new Date('2026-10-24T12:00:00Z'), 9)),
    ).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-25T00:20:00.000Z', '2026-10-25T00:40:00.000Z']);
  });

  it('does the same in New York (8 March and 1 November 2026)', () => {
    expect(
      iso(nextOccurrences('cron(30 2 * * ? *)', 'America/New_York', new Date('2026-03-07T00:00:00Z'), 2)),
    ).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(
      iso(nextOccurrences('cron(30 1 1 11 ? 2026)', 'America/New_York', new Date('2026-10-31T00:00:00Z'), 2)),
    ).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('and in Sydney, where summer time ends in April and starts in October', () => {
    expect(
      iso(nextOccurrences('cron(0 9 * * ? *)', 'Australia/Sydney', new Date('2026-04-03T12:00:00Z'), 2)),
    ).toEqual(['2026-04-03T22:00:00.000Z', '2026-04-04T23:00:00.000Z']);
    expect(
      days(
        nextOccurrences('cron(30 2 * * ? *)', 'Australia/Sydney', new Date('2026-10-02T00:00:00Z'), 2),
        'Australia/Sydney',
      ),
    ).toEqual(['2026-10-03', '2026-10-05']);
  });
});

// Random but valid expressions, built field by field.
const int = (min: number, max: number) => fc.integer({ min, max });
const listOf = (min: number, max: number) =>
  fc.uniqueArray(int(min, max), { minLength: 1, maxLength: 3 }).map((values) => values.join(','));
const rangeOf = (min: number, max: number) =>
  fc.tuple(int(min, max), int(min, max)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
const stepOf = (min: number, max: number) =>
  fc.tuple(int(min, max), int(1, max)).map(([a, s]) => `${a}/${s}`);
const plain = (min: number, max: number) =>
  fc.oneof(fc.constant('*'), listOf(min, max), rangeOf(min, max), stepOf(min, max));
const dayFields = fc.oneof(
  fc.constantFrom(['*', '?'] as const, ['?', '*'] as const),
  fc
    .oneof(
      plain(1, 31),
      fc.constant('L'),
      fc.constant('LW'),
      int(1, 31).map((d) => `${d}W`),
    )
    .map((dom) => [dom, '?'] as const),
  fc
    .oneof(
      plain(1, 7).filter((dow) => !dow.includes('/')),
      fc.constantFrom('MON-FRI', 'SAT,SUN', 'L'),
      int(1, 7).map((d) => `${d}L`),
      fc.tuple(int(1, 7), int(1, 5)).map(([d, n]) => `${d}#${n}`),
    )
    .map((dow) => ['?', dow] as const),
);
const expressions = fc
  .tuple(
    plain(0, 59),
    fc.oneof(plain(0, 23), fc.constantFrom('1', '2', '1,2', '0-3')),
    dayFields,
    plain(1, 12),
    fc.constantFrom('*', '2020-2045', '2026,2027'),
  )
  .map(([min, hour, [dom, dow], month, year]) => `cron(${min} ${hour} ${dom} ${month} ${dow} ${year})`);
/** Daily expressions at the hours clocks change: the oracle test needs them often. */
const aroundChanges = fc
  .tuple(plain(0, 59), fc.constantFrom('*', '1', '2', '1,2', '0-3', '0/2'))
  .map(([min, hour]) => `cron(${min} ${hour} * * ? *)`);
const zoneNames = ['Europe/London', 'America/New_York', 'Australia/Sydney', 'UTC'] as const;
/** The 2026 clock changes of those zones, where mistakes would show. */
const transitions: [string, string][] = [
  ['Europe/London', '2026-03-29T01:00:00Z'],
  ['Europe/London', '2026-10-25T01:00:00Z'],
  ['America/New_York', '2026-03-08T07:00:00Z'],
  ['America/New_York', '2026-11-01T06:00:00Z'],
  ['Australia/Sydney', '2026-04-04T16:00:00Z'],
  ['Australia/Sydney', '2026-10-03T16:00:00Z'],
];
/** A zone and a start: within 30 hours before a clock change of that zone, or anywhere. */
const zonedStarts = fc.oneof(
  fc
    .tuple(fc.constantFrom(...transitions), int(-30 * 60, 60))
    .map(([[zone, at], minutes]) => [zone, new Date(Date.parse(at) + minutes * 60_000)] as const),
  fc.tuple(
    fc.constantFrom(...zoneNames),
    fc.date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2035-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
  ),
);

describe('nextOccurrences: properties', () => {
  it('occurrences are strictly increasing, after the start, and match the expression in the zone', () => {
    fc.assert(
      fc.property(expressions, zonedStarts, (expression, [zone, after]) => {
        const cron = parseCron(expression);
        const found = nextOccurrences(cron, zone, after, 25);
        let previous = after.getTime();
        for (const at of found) {
          expect(at.getTime()).toBeGreaterThan(previous);
          expect(cronMatches(cron, at, zone)).toBe(true);
          previous = at.getTime();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('misses no occurrence: equals a minute-by-minute search over the next 30 hours', () => {
    const HOUR = 3_600_000;
    fc.assert(
      fc.property(fc.oneof(expressions, aroundChanges), zonedStarts, (expression, [zone, after]) => {
        const cron = parseCron(expression);
        const offsets = IANAZone.create(zone);
        /** Local wall-clock time as if it were UTC, computed without the code under test. */
        const wall = (t: number) => new Date(t + offsets.offset(t) * 60_000);
        const start = Math.floor(after.getTime() / 60_000) * 60_000;
        const end = start + 30 * HOUR;
        const expected: number[] = [];
        for (let t = start + 60_000; t <= end; t += 60_000) {
          const local = wall(t);
          const matches =
            cron.minutes.includes(local.getUTCMinutes()) &&
            cron.hours.includes(local.getUTCHours()) &&
            dateMatches(cron, local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
          // A repeated local time counts once, at its first instant (these zones shift by one hour).
          if (matches && wall(t - HOUR).getTime() !== local.getTime()) expected.push(t);
        }
        const found = nextOccurrences(cron, zone, after, expected.length + 1)
          .map((at) => at.getTime())
          .filter((t) => t <= end);
        expect(found).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('a daily schedule keeps its local wall-clock time all year, across daylight saving changes', () => {
    fc.assert(
      fc.property(
        int(0, 23),
        int(0, 59),
        fc.constantFrom('Europe/London', 'America/New_York', 'Australia/Sydney'),
        (hour, minute, zone) => {
          const found = nextOccurrences(`cron(${minute} ${hour} * * ? *)`, zone, JAN_2026, 366);
          const offsets = IANAZone.create(zone);
          const local = found.map((at) => new Date(at.getTime() + offsets.offset(at.getTime()) * 60_000));
          for (const time of local)
            expect([time.getUTCHours(), time.getUTCMinutes()]).toEqual([hour, minute]);
          // Consecutive local days; only a time inside the hour skipped in spring may miss one day a year.
          const dayNumber = (time: Date) => Math.floor(time.getTime() / 86_400_000);
          const gaps = local.slice(1).map((time, i) => dayNumber(time) - dayNumber(local[i]!));
          const missed = gaps.filter((gap) => gap !== 1);
          expect(missed.every((gap) => gap === 2)).toBe(true);
          expect(missed.length).toBeLessThanOrEqual(1);
          if (hour >= 4 && hour <= 22) expect(missed).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('plannedCycles', () => {
  const programme = loadProgrammeFile(new URL('../../../programme.example.yaml', import.meta.url).pathname, {
    clock: new FixedClock(JAN_2026),
  });

  it('merges the reviews in time order with their dates, in local calendar days', () => {
    expect(plannedCycles(programme, new Date('2026-03-01T00:00:00Z'), 4)).toEqual([
      {
        type: 'quarterly',
        comprehensive: false,
        reviewIndex: 0,
        opensAt: '2026-04-01T08:00:00Z',
        inputsDueAt: '2026-04-19T08:00:00Z',
        packageSendAt: '2026-04-24T08:00:00Z',
        meetingAt: '2026-04-29T08:00:00Z',
      },
      {
        type: 'quarterly',
        comprehensive: false,
        reviewIndex: 0,
        opensAt: '2026-07-01T08:00:00Z',
        inputsDueAt: '2026-07-19T08:00:00Z',
        packageSendAt: '2026-07-24T08:00:00Z',
        meetingAt: '2026-07-29T08:00:00Z',
      },
      {
        // Opens in summer time, meets after the clocks went back: still 09:00 London time.
        type: 'annual',
        comprehensive: true,
        reviewIndex: 1,
        opensAt: '2026-10-01T08:00:00Z',
        inputsDueAt: '2026-10-26T09:00:00Z',
        packageSendAt: '2026-10-31T09:00:00Z',
        meetingAt: '2026-11-05T09:00:00Z',
      },
      {
        type: 'quarterly',
        comprehensive: false,
        reviewIndex: 0,
        opensAt: '2027-01-01T09:00:00Z',
        inputsDueAt: '2027-01-19T09:00:00Z',
        packageSendAt: '2027-01-24T09:00:00Z',
        meetingAt: '2027-01-29T09:00:00Z',
      },
    ]);
  });

  it('returns exactly the number asked for, each cycle in order inputs, package, meeting', () => {
    const cycles = plannedCycles(programme, JAN_2026, 9);
    expect(cycles).toHaveLength(9);
    for (const cycle of cycles) {
      expect(cycle.opensAt < cycle.inputsDueAt).toBe(true);
      expect(cycle.inputsDueAt < cycle.packageSendAt).toBe(true);
      expect(cycle.packageSendAt < cycle.meetingAt).toBe(true);
    }
    expect(plannedCycles(programme, JAN_2026, 0)).toEqual([]);
  });

  it('moves a date that lands in the skipped hour forward, and keeps the time otherwise', () => {
    const london = {
      organisation: { timeZone: 'Europe/London' },
      leadTimes: { inputsDueDaysBeforeMeeting: 2, packageSentDaysBeforeMeeting: 1 },
    };
    // Opens 01:30 GMT on 27 March 2026; the meeting two days later would be 01:30 on the 29th, which does not exist.
    expect(cycleDates(london, { meetingAfterDays: 2 }, new Date('2026-03-27T01:30:00Z'))).toEqual({
      opensAt: '2026-03-27T01:30:00Z',
      inputsDueAt: '2026-03-27T01:30:00Z',
      packageSendAt: '2026-03-28T01:30:00Z',
      meetingAt: '2026-03-29T01:30:00Z',
    });
  });
});
