/**
 * The period a cycle start falls in, read from the programme's schedule: the latest occurrence of
 * the type's cron at or before the start, in the organisation's time zone.
 */
import { describe, expect, it } from 'vitest';
import { latestOccurrence, reviewPeriod } from '#shared/cycle/period.ts';
import { parseCron, UnknownTimeZone } from '#shared/programme/cron.ts';

type Schedule = Parameters<typeof reviewPeriod>[0];

function programme(
  reviews: { type: 'quarterly' | 'semiannual' | 'annual'; cron: string }[],
  timeZone = 'Europe/London',
) {
  return {
    organisation: { id: 'acme', name: 'Acme Ltd', timeZone },
    schedule: { reviews: reviews.map((r) => ({ ...r, comprehensive: false, meetingAfterDays: 28 })) },
  } as unknown as Schedule;
}

const QUARTERLY = programme([
  { type: 'quarterly', cron: 'cron(0 9 1 1,4,7,10 ? *)' },
  { type: 'annual', cron: 'cron(0 9 15 11 ? *)' },
]);

describe('latestOccurrence', () => {
  it('refuses a time zone that is not one', () => {
    expect(() => latestOccurrence(parseCron('cron(0 9 1 * ? *)'), 'Mars/Olympus', new Date())).toThrow(
      UnknownTimeZone,
    );
  });

  it('is the occurrence itself at the scheduled time, and the one before a moment earlier', () => {
    const cron = parseCron('cron(0 9 1 1,4,7,10 ? *)');
    const april = new Date('2026-04-01T08:00:00.000Z'); // 09:00 BST
    expect(latestOccurrence(cron, 'Europe/London', april)).toEqual(april);
    expect(latestOccurrence(cron, 'Europe/London', new Date(april.getTime() - 1))).toEqual(
      new Date('2026-01-01T09:00:00.000Z'), // 09:00 GMT
    );
  });

  it('keeps the local wall clock across a daylight-saving change, and a doubled hour counts once', () => {
    // 01:30 happens twice in London on 25 October 2026: the first instant (BST) is the occurrence.
    const cron = parseCron('cron(30 1 25 10 ? *)');
    expect(latestOccurrence(cron, 'Europe/London', new Date('2026-10-25T01:45:00.000Z'))).toEqual(
      new Date('2026-10-25T00:30:00.000Z'),
    );
    // 01:30 does not happen on 29 March 2026 (clocks go forward): no occurrence that day.
    const skipped = parseCron('cron(30 1 29 3 ? *)');
    expect(latestOccurrence(skipped, 'Europe/London', new Date('2026-03-30T00:00:00.000Z'))).toEqual(
      new Date('2025-03-29T01:30:00.000Z'), // the year before, a Saturday in GMT
    );
  });

  it('finds nothing before the first year of the expression', () => {
    const cron = parseCron('cron(0 9 1 1 ? 2030-2031)');
    expect(latestOccurrence(cron, 'UTC', new Date('2029-06-01T00:00:00.000Z'))).toBeUndefined();
  });
});

describe('reviewPeriod', () => {
  it('names one period for every start between two occurrences of the type', () => {
    const starts = ['2026-04-01T08:00:00.000Z', '2026-04-01T08:05:00.000Z', '2026-06-30T22:59:59.000Z'];
    for (const start of starts) {
      expect(reviewPeriod(QUARTERLY, 'quarterly', new Date(start))).toEqual({
        key: 'acme#quarterly#20260401T0800Z',
        opensAt: '2026-04-01T08:00:00.000Z',
      });
    }
    expect(reviewPeriod(QUARTERLY, 'quarterly', new Date('2026-07-01T08:00:00.000Z'))?.key).toBe(
      'acme#quarterly#20260701T0800Z',
    );
  });

  it('keeps each type to its own cron', () => {
    expect(reviewPeriod(QUARTERLY, 'annual', new Date('2026-07-01T08:00:00.000Z'))?.key).toBe(
      'acme#annual#20251115T0900Z',
    );
    // A type the schedule does not have has no period.
    expect(reviewPeriod(QUARTERLY, 'semiannual', new Date('2026-07-01T08:00:00.000Z'))).toBeUndefined();
  });

  it('merges two reviews of one type: the later occurrence of either opens the period', () => {
    const twice = programme([
      { type: 'quarterly', cron: 'cron(0 9 1 1,7 ? *)' },
      { type: 'quarterly', cron: 'cron(0 9 1 4,10 ? *)' },
    ]);
    expect(reviewPeriod(twice, 'quarterly', new Date('2026-05-10T10:00:00.000Z'))?.key).toBe(
      'acme#quarterly#20260401T0800Z',
    );
  });

  it('a start before the first occurrence belongs to the period the first occurrence opens', () => {
    const later = programme([{ type: 'annual', cron: 'cron(0 9 1 3 ? 2030-2199)' }], 'UTC');
    expect(reviewPeriod(later, 'annual', new Date('2029-12-01T00:00:00.000Z'))).toEqual({
      key: 'acme#annual#20300301T0900Z',
      opensAt: '2030-03-01T09:00:00.000Z',
    });
    // After the schedule's last year there is no period at all.
    const ended = programme([{ type: 'annual', cron: 'cron(0 9 1 3 ? 2020)' }], 'UTC');
    expect(reviewPeriod(ended, 'annual', new Date('2026-01-01T00:00:00.000Z'))).toBeUndefined();
  });
});
