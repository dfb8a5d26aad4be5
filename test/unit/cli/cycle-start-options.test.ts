/**
 * Which review `cycle start` starts and which meeting time it asks for, decided before anything is
 * sent: the type given or the next scheduled one; a meeting that leaves no time for inputs is refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseReview, meetingOption } from '../../../cli/commands/cycle.ts';
import { UsageError } from '../../../cli/output.ts';
import { parseProgramme, type Programme } from '#shared/programme/load.ts';

function programme(): Programme {
  const parsed = parseProgramme(readFileSync('test/fixtures/programmes/valid-minimal.yaml', 'utf8'));
  if (!parsed.ok) throw new Error('fixture is invalid');
  return parsed.programme;
}

describe('chooseReview', () => {
  it('refuses a type the programme does not schedule, naming the ones it does', () => {
    expect(() => chooseReview(programme(), 'semiannual', new Date())).toThrow(
      new UsageError('The programme schedules no semiannual review; it schedules: quarterly, annual.'),
    );
  });

  it('takes the given type with its comprehensive flag', () => {
    expect(chooseReview(programme(), 'annual', new Date('2026-05-10T10:00:00Z'))).toMatchObject({
      type: 'annual',
      comprehensive: true,
    });
  });

  it('without a type: the next scheduled review (quarterly in July, annual in October)', () => {
    expect(chooseReview(programme(), undefined, new Date('2026-05-10T10:00:00Z')).type).toBe('quarterly');
    expect(chooseReview(programme(), undefined, new Date('2026-08-10T10:00:00Z')).type).toBe('annual');
  });
});

describe('meetingOption', () => {
  const now = new Date('2026-05-10T10:00:00Z'); // 11:00 in London; inputs are due 10 days before

  it('refuses a meeting that leaves no time for inputs, giving the earliest possible one', () => {
    expect(() => meetingOption('2026-05-20T10:00', programme(), now)).toThrow(
      new UsageError(
        '--meeting 2026-05-20T10:00 (Europe/London) leaves no time for inputs: they are due 10 days before the meeting. ' +
          'The earliest meeting is 2026-05-20 12:00 Europe/London.',
      ),
    );
    expect(() => meetingOption('2025-12-01', programme(), now)).toThrow(/leaves no time for inputs/);
  });

  it('refuses a malformed date', () => {
    expect(() => meetingOption('next tuesday', programme(), now)).toThrow(/is not a date/);
  });

  it('reads the meeting in the organisation zone', () => {
    expect(meetingOption('2026-06-15T14:00', programme(), now)).toBe('2026-06-15T13:00:00.000Z');
    expect(meetingOption(undefined, programme(), now)).toBeUndefined();
  });
});
