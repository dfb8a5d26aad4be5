/**
 * Business hours in the recipient's time zone: what is sent at once, what waits for the next window,
 * across zones (both hemispheres) and the daylight-saving weekends of 2026.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  InvalidBusinessHours,
  nextBusinessTime,
  recipientZone,
  sendableAt,
  withinBusinessHours,
} from '#shared/mail/business-hours.ts';
import { ProgrammeSchema } from '#shared/programme/schema.ts';

const utc = (iso: string) => new Date(iso);
/** The result as the recipient's wall clock reads it, e.g. "Mon 2026-03-30 09:00". */
const wall = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('ccc yyyy-LL-dd HH:mm');

describe('nextBusinessTime: bad input', () => {
  it('refuses an unknown zone, a window that ends before it starts, no days and an invalid date', () => {
    expect(() => nextBusinessTime(utc('2026-06-16T10:00:00Z'), 'Europe/Londn')).toThrow(InvalidBusinessHours);
    expect(() =>
      nextBusinessTime(utc('2026-06-16T10:00:00Z'), 'Europe/London', {
        days: ['mon'],
        start: '17:00',
        end: '09:00',
      }),
    ).toThrow(/not before they end/);
    expect(() =>
      nextBusinessTime(utc('2026-06-16T10:00:00Z'), 'Europe/London', {
        days: [],
        start: '09:00',
        end: '17:00',
      }),
    ).toThrow(/no day of the week/);
    expect(() =>
      nextBusinessTime(utc('2026-06-16T10:00:00Z'), 'Europe/London', {
        days: ['mon'],
        start: '9am',
        end: '17:00',
      }),
    ).toThrow(/not a time HH:MM/);
    expect(() => nextBusinessTime(new Date(NaN), 'Europe/London')).toThrow(InvalidBusinessHours);
  });

  it('the programme refuses a window that ends before it starts, a day twice and a bad time', () => {
    const hours = (businessHours: unknown) =>
      ProgrammeSchema.shape.mail.safeParse({
        fromAddress: 'review@example.com',
        inboundDomain: 'reply.example.com',
        businessHours,
      });
    expect(hours({ start: '18:00', end: '08:00' }).success).toBe(false);
    expect(hours({ days: ['mon', 'mon'] }).success).toBe(false);
    expect(hours({ start: '25:00' }).success).toBe(false);
    expect(hours({ days: [] }).success).toBe(false);
    const parsed = hours({ start: '08:30' });
    expect(parsed.success && parsed.data.businessHours).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '08:30',
      end: '17:00',
    });
  });
});

describe('nextBusinessTime: Monday to Friday, 09:00 to 17:00 local', () => {
  it.each([
    // zone, due (UTC), sent (recipient's wall clock)
    ['Europe/London', '2026-06-16T10:00:00Z', 'Tue 2026-06-16 11:00'], // inside: at once
    ['Europe/London', '2026-06-19T16:30:00Z', 'Mon 2026-06-22 09:00'], // Friday 17:30 BST
    ['Europe/London', '2026-06-19T15:59:00Z', 'Fri 2026-06-19 16:59'], // one minute before the end
    ['Europe/London', '2026-06-19T16:00:00Z', 'Mon 2026-06-22 09:00'], // 17:00 itself is closed
    ['Europe/London', '2026-06-20T12:00:00Z', 'Mon 2026-06-22 09:00'], // a Saturday
    ['Europe/London', '2026-06-16T07:00:00Z', 'Tue 2026-06-16 09:00'], // before the window: same day
    ['America/New_York', '2026-06-16T12:00:00Z', 'Tue 2026-06-16 09:00'], // 08:00 EDT
    ['America/New_York', '2026-06-19T21:30:00Z', 'Mon 2026-06-22 09:00'], // Friday 17:30 EDT
    ['Asia/Tokyo', '2026-06-19T08:30:00Z', 'Mon 2026-06-22 09:00'], // Friday 17:30 JST
    ['Asia/Tokyo', '2026-06-21T23:59:00Z', 'Mon 2026-06-22 09:00'], // Monday 08:59 JST
    ['Australia/Sydney', '2026-01-16T06:30:00Z', 'Mon 2026-01-19 09:00'], // Friday 17:30 AEDT (summer)
    ['Australia/Sydney', '2026-07-17T07:30:00Z', 'Mon 2026-07-20 09:00'], // Friday 17:30 AEST (winter)
  ])('%s, due %s: sent %s', (zone, due, sent) => {
    expect(wall(nextBusinessTime(utc(due), zone), zone)).toBe(sent);
  });

  it('an escalation due Sunday 00:00 UK time on the clocks-forward weekend goes out Monday 09:00 BST', () => {
    // 29 March 2026: UK clocks go forward at 01:00 UTC; Monday 09:00 BST is 08:00 UTC.
    const sent = nextBusinessTime(utc('2026-03-29T00:00:00Z'), 'Europe/London');
    expect(sent.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('the Friday before the clocks go back in Europe: Monday 09:00 GMT, an hour later in UTC than before', () => {
    // 25 October 2026: the UK leaves BST; Friday 17:30 BST is 16:30Z, Monday 09:00 GMT is 09:00Z.
    expect(nextBusinessTime(utc('2026-10-23T16:30:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-10-26T09:00:00.000Z',
    );
  });

  it('the US weekends: spring forward on 8 March and fall back on 1 November 2026', () => {
    // Friday 6 March 17:30 EST (22:30Z) -> Monday 9 March 09:00 EDT (13:00Z).
    expect(nextBusinessTime(utc('2026-03-06T22:30:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    // Friday 30 October 17:30 EDT (21:30Z) -> Monday 2 November 09:00 EST (14:00Z).
    expect(nextBusinessTime(utc('2026-10-30T21:30:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-02T14:00:00.000Z',
    );
  });

  it('Sydney, whose clocks go back on 5 April and forward on 4 October 2026 (southern hemisphere)', () => {
    // Saturday 4 April 12:00 AEDT -> Monday 6 April 09:00 AEST (23:00Z on the Sunday).
    expect(nextBusinessTime(utc('2026-04-04T01:00:00Z'), 'Australia/Sydney').toISOString()).toBe(
      '2026-04-05T23:00:00.000Z',
    );
    // Saturday 3 October 12:00 AEST -> Monday 5 October 09:00 AEDT (22:00Z on the Sunday).
    expect(nextBusinessTime(utc('2026-10-03T02:00:00Z'), 'Australia/Sydney').toISOString()).toBe(
      '2026-10-04T22:00:00.000Z',
    );
  });

  it('one instant is inside hours in one zone and outside in another', () => {
    const at = utc('2026-06-16T14:00:00Z'); // 15:00 UK, 10:00 New York, 23:00 Tokyo, 00:00 Sydney
    expect(withinBusinessHours(at, 'Europe/London')).toBe(true);
    expect(withinBusinessHours(at, 'America/New_York')).toBe(true);
    expect(withinBusinessHours(at, 'Asia/Tokyo')).toBe(false);
    expect(wall(nextBusinessTime(at, 'Asia/Tokyo'), 'Asia/Tokyo')).toBe('Wed 2026-06-17 09:00');
    expect(wall(nextBusinessTime(at, 'Australia/Sydney'), 'Australia/Sydney')).toBe('Wed 2026-06-17 09:00');
  });

  it('a holiday-free week: every weekday is open, the weekend is not', () => {
    const zone = 'Europe/London';
    const week = Array.from({ length: 7 }, (_, i) =>
      DateTime.fromObject({ year: 2026, month: 6, day: 15 + i, hour: 12 }, { zone }).toJSDate(),
    );
    expect(week.map((at) => withinBusinessHours(at, zone))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('a programme window: Sunday to Thursday, 08:00 to 16:00', () => {
    const hours = { days: ['sun', 'mon', 'tue', 'wed', 'thu'] as const, start: '08:00', end: '16:00' };
    // Thursday 16:30 in Dubai -> Sunday 08:00.
    expect(wall(nextBusinessTime(utc('2026-06-18T12:30:00Z'), 'Asia/Dubai', hours), 'Asia/Dubai')).toBe(
      'Sun 2026-06-21 08:00',
    );
  });

  it('always returns the earliest instant at or after the due time that is inside the window', () => {
    const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2028-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        (at, zone) => {
          const sent = nextBusinessTime(at, zone);
          expect(sent.getTime()).toBeGreaterThanOrEqual(at.getTime());
          expect(withinBusinessHours(sent, zone)).toBe(true);
          const local = DateTime.fromJSDate(sent, { zone });
          expect(local.weekday).toBeLessThanOrEqual(5);
          expect(local.hour).toBeGreaterThanOrEqual(9);
          expect(local.hour).toBeLessThan(17);
          // Nothing earlier would do: sent is `at` itself or a window start (09:00 sharp).
          if (sent.getTime() !== at.getTime()) {
            expect(local.toFormat('HH:mm')).toBe('09:00');
            expect(sent.getTime() - at.getTime()).toBeLessThanOrEqual(3 * 86_400_000);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sendableAt: the recipient zone', () => {
  const programme = {
    organisation: { timeZone: 'Europe/London' },
    mail: { businessHours: undefined },
  };
  it('uses the person’s own zone when set, else the organisation’s', () => {
    expect(recipientZone(programme, {})).toBe('Europe/London');
    expect(recipientZone(programme, { timeZone: 'Asia/Tokyo' })).toBe('Asia/Tokyo');
    const due = utc('2026-06-16T14:00:00Z');
    expect(sendableAt(programme, {}, due)).toEqual(due);
    expect(sendableAt(programme, { timeZone: 'Asia/Tokyo' }, due).toISOString()).toBe(
      '2026-06-17T00:00:00.000Z',
    );
  });
});
