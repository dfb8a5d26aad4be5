import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  count,
  days,
  formatDate,
  deadlineStatus,
  formatDateTime,
  formatPeriod,
  formatShortDateTime,
  formatSize,
  listInWords,
  TemplateDataError,
  zoneInWords,
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
      'Friday 16 October 2026, 17:00 UK time',
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
      'Friday 16 October 2026, 17:00 UK time',
    );
    expect(formatDateTime('2026-10-25T01:30:00Z', 'Europe/London')).toBe(
      'Sunday 25 October 2026, 01:30 UK time',
    );
    expect(formatDateTime('2026-10-25T00:30:00Z', 'Europe/London')).toBe(
      'Sunday 25 October 2026, 01:30 UK time',
    );
    expect(formatShortDateTime('2026-10-16T16:00:00Z', 'Europe/London')).toBe('Fri 16 Oct, 17:00 UK time');
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
            `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${zoneInWords(zone)}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses to name a zone that is not an IANA name as written', () => {
    expect(() => zoneInWords('')).toThrow(TemplateDataError);
    expect(() => zoneInWords('Europe/Londres')).toThrow(TemplateDataError);
    // The right zone in the wrong case would read "london time": refused, not guessed.
    expect(() => zoneInWords('europe/london')).toThrow(TemplateDataError);
    expect(() => zoneInWords('Europe/London ')).toThrow(/not a time zone from the IANA database/);
    expect(() => formatShortDateTime('2027-03-29T09:00:00Z', 'Mars/Olympus_Mons')).toThrow(TemplateDataError);
  });

  it('names the zone as people say it: the table first, else the city of the IANA name', () => {
    expect(zoneInWords('Europe/London')).toBe('UK time');
    expect(zoneInWords('America/New_York')).toBe('New York time');
    expect(zoneInWords('Europe/Paris')).toBe('Paris time');
    expect(zoneInWords('Asia/Kolkata')).toBe('India time');
    expect(zoneInWords('UTC')).toBe('UTC');
    // Not in the table: the last part of the name, underscores as spaces.
    expect(zoneInWords('Australia/Lord_Howe')).toBe('Lord Howe time');
    expect(zoneInWords('America/Argentina/Buenos_Aires')).toBe('Buenos Aires time');
    expect(zoneInWords('Pacific/Chatham')).toBe('Chatham time');
    // IANA's Etc/GMT+5 is five hours behind UTC.
    expect(zoneInWords('Etc/GMT+5')).toBe('UTC-5');
    expect(zoneInWords('Etc/GMT-14')).toBe('UTC+14');
    expect(formatDateTime('2027-03-29T09:00:00Z', 'Pacific/Chatham')).toBe(
      'Monday 29 March 2027, 22:45 Chatham time',
    );
  });

  it('keeps the zone named and the wall clock right across the UK clock changes', () => {
    // Late March: 01:00 GMT becomes 02:00 BST on Sunday 28 March 2027.
    expect(formatDateTime('2027-03-28T00:59:00Z', 'Europe/London')).toBe(
      'Sunday 28 March 2027, 00:59 UK time',
    );
    expect(formatDateTime('2027-03-28T01:00:00Z', 'Europe/London')).toBe(
      'Sunday 28 March 2027, 02:00 UK time',
    );
    expect(formatDateTime('2027-03-29T09:00:00Z', 'Europe/London')).toBe(
      'Monday 29 March 2027, 10:00 UK time',
    );
    // Late October: 02:00 BST falls back to 01:00 GMT on Sunday 31 October 2027.
    expect(formatDateTime('2027-10-31T00:30:00Z', 'Europe/London')).toBe(
      'Sunday 31 October 2027, 01:30 UK time',
    );
    expect(formatDateTime('2027-10-31T01:30:00Z', 'Europe/London')).toBe(
      'Sunday 31 October 2027, 01:30 UK time',
    );
    expect(formatShortDateTime('2027-11-01T09:00:00Z', 'Europe/London')).toBe('Mon 1 Nov, 09:00 UK time');
    // New York changes on other days: the same instant reads 4 and then 5 hours behind London.
    expect(formatShortDateTime('2027-03-22T09:00:00Z', 'America/New_York')).toBe(
      'Mon 22 Mar, 05:00 New York time',
    );
  });

  it('says how long is left before a deadline, and "overdue" only after it', () => {
    const deadline = '2027-03-29T09:00:00Z'; // Monday 10:00 UK time
    expect(() => deadlineStatus('next week', '2027-03-20T09:00:00Z', 'Europe/London')).toThrow(
      TemplateDataError,
    );
    expect(() => deadlineStatus(deadline, '2027-03-20T09:00:00Z', 'Nowhere/Land')).toThrow(TemplateDataError);
    expect(deadlineStatus(deadline, '2027-03-23T09:00:00Z', 'Europe/London')).toBe('6 days left');
    // Across the change to summer time (Sunday 28 March): two calendar days, though 47 hours.
    expect(deadlineStatus(deadline, '2027-03-27T10:00:00Z', 'Europe/London')).toBe('2 days left');
    expect(deadlineStatus(deadline, '2027-03-28T23:30:00Z', 'Europe/London')).toBe('due today');
    expect(deadlineStatus(deadline, '2027-03-28T08:00:00Z', 'Europe/London')).toBe('1 day left');
    expect(deadlineStatus(deadline, deadline, 'Europe/London')).toBe('due today');
    expect(deadlineStatus(deadline, '2027-03-29T09:00:01Z', 'Europe/London')).toBe('overdue since today');
    expect(deadlineStatus(deadline, '2027-03-30T08:00:00Z', 'Europe/London')).toBe('overdue by 1 day');
    expect(deadlineStatus(deadline, '2027-04-01T08:00:00Z', 'Europe/London')).toBe('overdue by 3 days');
    // The days are the reader's: at 23:30 UTC on the 28th it is already the 29th in Tokyo.
    expect(deadlineStatus(deadline, '2027-03-28T16:00:00Z', 'Asia/Tokyo')).toBe('due today');
    // Late October, when the clocks go back: a 25-hour day still counts as one.
    expect(deadlineStatus('2027-11-01T09:00:00Z', '2027-10-30T09:00:00Z', 'Europe/London')).toBe(
      '2 days left',
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
