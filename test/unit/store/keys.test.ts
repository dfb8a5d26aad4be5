import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ACCESS_PATTERNS,
  actionKeys,
  cycleKeys,
  eventKeys,
  inputKeys,
  messageKeys,
  programmeKeys,
  sortableTime,
} from '#shared/store/keys.ts';
import { aCycle, anAction, anInputRequest, aSubmission } from '#test/unit/model/builders.ts';

describe('key builders', () => {
  it('refuse what cannot be put in a sorted key', () => {
    expect(() => sortableTime('yesterday')).toThrow('"yesterday" is not a time');
    expect(() => eventKeys.event('C-20261001T0800Z-Q', -1)).toThrow('-1 is not a whole number ≥ 0');
    expect(() => programmeKeys.version('example-ltd', 1.5)).toThrow(RangeError);
  });

  it('normalise times so that different precisions sort correctly', () => {
    expect(sortableTime('2026-10-01T08:00:00Z')).toBe('2026-10-01T08:00:00.000Z');
    expect(sortableTime('2026-10-01T08:00:00Z') < sortableTime('2026-10-01T08:00:00.5Z')).toBe(true);
  });

  it('event keys sort by seq (property)', () => {
    fc.assert(
      fc.property(fc.nat(2_000_000_000), fc.nat(2_000_000_000), (a, b) => {
        const [ka, kb] = [
          eventKeys.event('C-20261001T0800Z-Q', a).sk,
          eventKeys.event('C-20261001T0800Z-Q', b).sk,
        ];
        expect(Math.sign(ka.localeCompare(kb, 'en'))).toBe(Math.sign(a - b));
        expect(ka < kb).toBe(a < b);
      }),
    );
  });

  it('a cycle is listed under its programme by meeting time', () => {
    const cycle = aCycle();
    expect(cycleKeys.cycle(cycle.id)).toEqual({ pk: `CYCLE#${cycle.id}`, sk: 'CYCLE' });
    expect(cycleKeys.indexKeys(cycle)).toEqual({
      gsi1pk: 'PROGRAMME#example-ltd#CYCLES',
      gsi1sk: `2026-10-29T08:00:00.000Z#${cycle.id}`,
    });
  });

  it('an open action carries the sparse follow-up keys; a closed one does not', () => {
    const cycle = aCycle();
    const open = anAction(cycle, 4);
    expect(actionKeys.indexKeys(open)).toEqual({
      gsi1pk: 'PROGRAMME#example-ltd#OWNER#ciso',
      gsi1sk: `2026-12-15#${open.id}`,
      gsi2pk: 'PROGRAMME#example-ltd#OPEN_ACTIONS',
      gsi2sk: `2026-12-15#${open.id}`,
    });
    const cancelled = { ...open, status: 'cancelled' as const, cancelReason: 'Merged into A-1.' };
    expect(actionKeys.indexKeys(cancelled)).toEqual({
      gsi1pk: 'PROGRAMME#example-ltd#OWNER#ciso',
      gsi1sk: `2026-12-15#${open.id}`,
    });
  });

  it('only a request still awaiting its answer carries pending keys', () => {
    const request = anInputRequest(aCycle(), 'f');
    expect(inputKeys.requestIndexKeys(request)).toEqual({
      gsi2pk: 'PROGRAMME#example-ltd#PENDING_INPUTS',
      gsi2sk: `2026-10-19T08:00:00.000Z#${request.cycleId}#f`,
    });
    const submission = aSubmission(request);
    expect(inputKeys.requestIndexKeys({ ...request, status: 'SUBMITTED' })).toEqual({});
    expect(inputKeys.submissionIndexKeys(submission)).toEqual({
      gsi1pk: 'PROGRAMME#example-ltd#INPUT#f',
      gsi1sk: `2026-09-30#2026-10-10T14:30:05.123Z#${submission.id}`,
    });
  });

  it('a Message-ID is hashed without its angle brackets and surrounding space', () => {
    expect(messageKeys.hashOf(' <abc@mail.example.com> ')).toBe(messageKeys.hashOf('abc@mail.example.com'));
    expect(messageKeys.hashOf('<abc@mail.example.com>')).not.toBe(
      messageKeys.hashOf('<ABC@mail.example.com>'),
    );
    expect(messageKeys.message(messageKeys.hashOf('x')).pk).toMatch(/^MESSAGE#[0-9a-f]{64}$/);
  });
});

describe('access patterns', () => {
  it('cover every question the product asks, each a key or index query, never a scan', () => {
    const text = ACCESS_PATTERNS.map((p) => `${p.pattern} | ${p.keyCondition}`).join('\n');
    for (const needed of [
      'current programme',
      'all programme versions',
      'one cycle',
      'everything of a cycle',
      'cycles of a programme by meeting date',
      'actions needing follow-up',
      'actions of an owner',
      'reply token by id',
      'inbound message seen',
      'parked task token',
      'event log of a cycle by seq',
    ]) {
      expect(text).toContain(needed);
    }
    expect(text.toLowerCase()).not.toContain('scan');
    for (const pattern of ACCESS_PATTERNS) {
      const keyAttribute = pattern.index === 'table' ? 'pk =' : `${pattern.index}pk =`;
      expect(pattern.keyCondition.startsWith(keyAttribute), pattern.pattern).toBe(true);
    }
  });
});
