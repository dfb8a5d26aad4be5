import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/output.ts';
import { localTime, parseLocalDateTime, relative, utcTime, zonedTime } from '../../../cli/time.ts';

describe('parseLocalDateTime', () => {
  it.each([
    ['29/10/2026', /is not a date; expected yyyy-mm-dd or yyyy-mm-ddThh:mm/],
    ['2026-10-29T9:00', /is not a date/],
    ['2026-02-30', /is not a real date and time/],
    ['2026-10-29T24:30', /is not a real date and time/],
    ['2026-03-29T01:30', /does not exist in Europe\/London: the clocks go forward then/],
  ])('refuses %s', (text, message) => {
    expect(() => parseLocalDateTime(text, 'Europe/London')).toThrow(UsageError);
    expect(() => parseLocalDateTime(text, 'Europe/London')).toThrow(message);
  });

  it('reads a local time in the zone, summer and winter', () => {
    expect(parseLocalDateTime('2026-06-15T14:00', 'Europe/London')).toBe('2026-06-15T13:00:00.000Z');
    expect(parseLocalDateTime('2026-12-15T14:00', 'Europe/London')).toBe('2026-12-15T14:00:00.000Z');
    expect(parseLocalDateTime('2026-06-15T14:00', 'America/New_York')).toBe('2026-06-15T18:00:00.000Z');
  });

  it('a date alone means 09:00 local time', () => {
    expect(parseLocalDateTime('2026-10-29', 'Europe/London')).toBe('2026-10-29T09:00:00.000Z');
    expect(parseLocalDateTime('2026-07-01', 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
  });

  it('a time that happens twice (clocks go back) is its first occurrence', () => {
    expect(parseLocalDateTime('2026-10-25T01:30', 'Europe/London')).toBe('2026-10-25T00:30:00.000Z');
  });

  it('shows back what was typed, for any minute of a year in a zone with daylight saving', () => {
    const zone = 'Europe/London';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 24 * 60 - 1 }), (minutes) => {
        const utc = new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();
        const typed = localTime(utc, zone).replace(' ', 'T');
        // A local time that happens twice maps to its first instant, which shows the same wall time.
        expect(localTime(parseLocalDateTime(typed, zone), zone)).toBe(localTime(utc, zone));
      }),
      { numRuns: 300 },
    );
  });
});

describe('showing times', () => {
  it('local and UTC forms', () => {
    expect(localTime('2026-10-29T09:00:00.000Z', 'Europe/London')).toBe('2026-10-29 09:00');
    expect(localTime('2026-07-01T08:00:00.000Z', 'Europe/London')).toBe('2026-07-01 09:00');
    expect(utcTime('2026-07-01T08:00:00.000Z')).toBe('2026-07-01T08:00:00Z');
    expect(zonedTime('2026-07-01T08:00:00.000Z', 'America/New_York')).toEqual({
      utc: '2026-07-01T08:00:00Z',
      local: '2026-07-01 04:00',
      timeZone: 'America/New_York',
    });
  });

  it('relative to now', () => {
    const now = new Date('2026-10-01T08:00:00Z');
    expect(relative('2026-10-04T09:00:00Z', now)).toBe('in 3 days');
    expect(relative('2026-10-01T09:00:00Z', now)).toBe('in 1 hour');
    expect(relative('2026-10-01T07:58:00Z', now)).toBe('2 minutes ago');
    expect(relative('2026-10-01T08:00:10Z', now)).toBe('in less than a minute');
  });
});
