/**
 * The stored minutes record: what makes one inconsistent, how the same text is recognised, and
 * where versions live in the table.
 */
import { describe, it, expect } from 'vitest';
import { actionIdFor } from '#shared/model/ids.ts';
import { minutesHash, MinutesRecord, MinutesSource } from '#shared/model/minutes-record.ts';
import { validateMinutes } from '#shared/minutes/validate.ts';
import { ACCESS_PATTERNS, minutesKeys } from '#shared/store/keys.ts';
import { CYCLE_ID, theContext, VALID_MINUTES } from './support.ts';

function aRecord(overrides: Partial<MinutesRecord> = {}): MinutesRecord {
  const result = validateMinutes(VALID_MINUTES, theContext());
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return {
    cycleId: CYCLE_ID,
    programmeId: 'acme',
    version: 1,
    acceptedAt: '2026-10-30T10:00:00.000Z',
    submittedBy: 'alice',
    source: { channel: 'cli', fileName: 'minutes.yaml' },
    content: result.minutes,
    sourceText: VALID_MINUTES,
    sourceHash: minutesHash(VALID_MINUTES),
    actionIds: [actionIdFor(CYCLE_ID, 1), actionIdFor(CYCLE_ID, 2)],
    ...overrides,
  };
}

function issuesOf(record: unknown): string[] {
  const result = MinutesRecord.safeParse(record);
  if (result.success) throw new Error('expected the record to be refused');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('a minutes record', () => {
  it('refuses a hash that is not of its text, and a version that replaces the wrong one', () => {
    expect(issuesOf(aRecord({ sourceHash: 'f'.repeat(64) }))).toEqual([
      'sourceHash: does not match the source text; compute it with minutesHash(sourceText)',
    ]);
    expect(issuesOf(aRecord({ version: 2 }))).toEqual([
      'content.replaces: version 2 must replace version 1; it says nothing',
    ]);
    const correction = aRecord();
    expect(issuesOf({ ...correction, content: { ...correction.content, replaces: 1 } })).toEqual([
      'content.replaces: version 1 replaces nothing, yet it says it replaces version 1',
    ]);
  });

  it('refuses action ids that do not match the actions of the minutes', () => {
    expect(issuesOf(aRecord({ actionIds: [actionIdFor(CYCLE_ID, 1)] }))).toEqual([
      'actionIds: names 1 actions, but the minutes list 2',
    ]);
    expect(issuesOf(aRecord({ actionIds: [actionIdFor(CYCLE_ID, 1), actionIdFor(CYCLE_ID, 1)] }))).toEqual([
      'actionIds: lists an action twice',
    ]);
    const other = 'C-20270101T0800Z-Q';
    expect(issuesOf(aRecord({ actionIds: [actionIdFor(CYCLE_ID, 1), actionIdFor(other, 2)] }))).toEqual([
      `actionIds: lists an action of another cycle than ${CYCLE_ID}`,
    ]);
  });

  it('refuses content of another cycle and an email source without its Message-ID', () => {
    expect(issuesOf(aRecord({ cycleId: 'C-20270101T0800Z-Q', actionIds: [] }))).toContain(
      `content.cycleId: the content is of cycle ${CYCLE_ID}, not C-20270101T0800Z-Q`,
    );
    expect(MinutesSource.safeParse({ channel: 'email' }).success).toBe(false);
    expect(MinutesSource.safeParse({ channel: 'email', messageId: '<m@x>' }).success).toBe(true);
    expect(MinutesRecord.safeParse(aRecord()).success).toBe(true);
  });
});

describe('the same minutes', () => {
  it('are recognised whatever the line ends, trailing spaces and byte-order mark', () => {
    const hash = minutesHash(VALID_MINUTES);
    expect(minutesHash(`\uFEFF${VALID_MINUTES.replace(/\n/g, '  \r\n')}\n\n`)).toBe(hash);
    expect(minutesHash(VALID_MINUTES.replace('D1', 'D9'))).not.toBe(hash);
  });
});

describe('minutes keys', () => {
  it('keep versions in order in the cycle partition, with documented access patterns', () => {
    expect(minutesKeys.minutes(CYCLE_ID, 2)).toEqual({ pk: `CYCLE#${CYCLE_ID}`, sk: 'MINUTES#0002' });
    expect(minutesKeys.minutes(CYCLE_ID, 9).sk < minutesKeys.minutes(CYCLE_ID, 10).sk).toBe(true);
    expect(() => minutesKeys.minutes(CYCLE_ID, 10_000)).toThrow('minutes version 10000 is above 9999');
    const patterns = ACCESS_PATTERNS.filter((pattern) => pattern.pattern.includes('minutes'));
    expect(patterns.map((pattern) => pattern.index)).toEqual(['table', 'table']);
    expect(patterns.every((pattern) => pattern.keyCondition.includes('begins_with(sk, MINUTES#)'))).toBe(
      true,
    );
  });
});
