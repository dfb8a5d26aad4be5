import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  count,
  days,
  formatDate,
  formatDateTime,
  formatPeriod,
  formatShortDateTime,
  formatSize,
  listInWords,
  TemplateDataError,
} from '#shared/mail/templates/format.ts';

const ZONES = [
  'Europe/London',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'UTC',
];

describe('formatting for people', () => {
  it('refuses what is not a time, a zone or a calendar date', () => {
    expect(() => formatDateTime('2026-10-16 16:00', 'Europe/London')).toThrow(TemplateDataError);
    // Without Z or an offset the time is ambiguous.
    expect(() => formatDateTime('2026-10-16T16:00:00', 'Europe/London')).toThrow(TemplateDataError);
    expect(formatDateTime('2026-10-16T18:00:00+02:00', 'Europe/London')).toBe(
      'Friday 16 October 2026, 17:00 (Europe/London)',
    );
    expect(() => formatDateTime('yesterday', 'Europe/London')).toThrow(TemplateDataError);
    expect(() => formatDateTime('2026-10-16T16:00:00Z', 'Europe/Londres')).toThrow(TemplateDataError);
    expect(() => formatDate('2026-13-01')).toThrow(TemplateDataError);
    expect(() => formatDate('2026-02-29')).toThrow(TemplateDataError);
    expect(() => formatDate('16/10/2026')).toThrow(TemplateDataError);
    expect(() => formatPeriod({ from: '2026-07-01', to: 'soon' })).toThrow(TemplateDataError);
  });

  it('writes times the way the product promises, on both sides of a clock change', () => {
    expect(formatDateTime('2026-10-16T16:00:00Z', 'Europe/London')).toBe(
      'Friday 16 October 2026, 17:00 (Europe/London)',
    );
    expect(formatDateTime('2026-10-25T01:30:00Z', 'Europe/London')).toBe(
      'Sunday 25 October 2026, 01:30 (Europe/London)',
    );
    expect(formatDateTime('2026-10-25T00:30:00Z', 'Europe/London')).toBe(
      'Sunday 25 October 2026, 01:30 (Europe/London)',
    );
    expect(formatShortDateTime('2026-10-16T16:00:00Z', 'Europe/London')).toBe('Fri 16 Oct, 17:00');
    expect(formatDate('2028-02-29')).toBe('Tuesday 29 February 2028');
    expect(formatPeriod({ from: '2026-07-01', to: '2026-09-30' })).toBe('1 July 2026 to 30 September 2026');
  });

  it('agrees with the platform on the local wall-clock time in any zone (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2099-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...ZONES),
        (at, zone) => {
          const parts = Object.fromEntries(
            new Intl.DateTimeFormat('en-GB', {
              timeZone: zone,
              weekday: 'long',
              day: 'numeric',
              month: 'long',
              year: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
              hourCycle: 'h23',
            })
              .formatToParts(at)
              .map((part) => [part.type, part.value]),
          );
          expect(formatDateTime(at.toISOString(), zone)).toBe(
            `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} (${zone})`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts in words', () => {
    expect(days(1)).toBe('1 day');
    expect(days(0)).toBe('0 days');
    expect(count(1, 'input')).toBe('1 input');
    expect(count(2, 'input was', 'inputs were')).toBe('2 inputs were');
    expect(listInWords([])).toBe('');
    expect(listInWords(['a'])).toBe('a');
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(812)).toBe('812 bytes');
    expect(formatSize(14_200)).toBe('14 KB');
    expect(formatSize(2_411_724)).toBe('2.3 MB');
  });
});
