import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  computeEventHash,
  eventContent,
  GENESIS_HASH,
  InvalidHash,
  verifyChain,
  type ChainedEvent,
} from '#shared/evidence/hash-chain.ts';
import { sha256Hex, canonicalJson } from '#shared/model/canonical-json.ts';

const CYCLE = 'C-20261001T0800Z-Q';

function chain(count: number, cycleId = CYCLE): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const content = {
      cycleId,
      seq,
      at: new Date(Date.UTC(2026, 9, 1, 8, seq)).toISOString(),
      actor: seq % 2 ? 'system' : 'alice',
      type: 'input.submitted',
      data: { inputKey: `d${seq}`, metrics: [seq, seq / 2] },
    };
    const hash = computeEventHash(prevHash, content);
    events.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('computeEventHash', () => {
  it('rejects a prevHash that is not 64 hex characters', () => {
    expect(() => computeEventHash('abc', {})).toThrow(InvalidHash);
    expect(() => computeEventHash('A'.repeat(64), {})).toThrow('prevHash "AAAA');
  });

  it('is sha256(prevHash + newline + canonical content), independent of key order', () => {
    const content = { seq: 1, cycleId: CYCLE, data: { b: 2, a: 1 } };
    expect(computeEventHash(GENESIS_HASH, content)).toBe(
      sha256Hex(`${GENESIS_HASH}\n${canonicalJson(content)}`),
    );
    expect(computeEventHash(GENESIS_HASH, { data: { a: 1, b: 2 }, cycleId: CYCLE, seq: 1 })).toBe(
      computeEventHash(GENESIS_HASH, content),
    );
  });

  it('genesis is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });
});

describe('verifyChain', () => {
  it('catches an altered field and names the event', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, data: { inputKey: 'd3', metrics: [3, 99] } };
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, index: 2, expectedSeq: 3, reason: 'wrong-hash' });
    expect(!result.ok && result.message).toBe(
      `event 3 of cycle ${CYCLE}: its content does not match its hash; a field was altered after it was written`,
    );
  });

  it('catches a re-hashed forgery at the next event (its prevHash no longer matches)', () => {
    const events = chain(4);
    const forged = { ...eventContent(events[1]!), actor: 'mallory' };
    events[1] = {
      ...(forged as unknown as ChainedEvent),
      prevHash: events[1]!.prevHash,
      hash: computeEventHash(events[1]!.prevHash, forged),
    };
    expect(verifyChain(events)).toMatchObject({ ok: false, index: 2, reason: 'wrong-prev-hash' });
  });

  it('catches a removed event', () => {
    const events = chain(5);
    events.splice(1, 1);
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, index: 1, expectedSeq: 2, reason: 'wrong-seq' });
    expect(!result.ok && result.message).toContain('found seq 3 where seq 2 was expected');
  });

  it('catches two swapped events', () => {
    const events = chain(5);
    [events[2], events[3]] = [events[3]!, events[2]!];
    expect(verifyChain(events)).toMatchObject({ ok: false, index: 2, reason: 'wrong-seq' });
  });

  it('catches swapped events even when their seq numbers are swapped back', () => {
    const events = chain(5);
    const third = events[2]!;
    const fourth = events[3]!;
    events[2] = { ...fourth, seq: 3 };
    events[3] = { ...third, seq: 4 };
    expect(verifyChain(events)).toMatchObject({ ok: false, index: 2, reason: 'wrong-prev-hash' });
  });

  it('catches events cut off the end only against an anchored head', () => {
    const events = chain(5);
    const head = { seq: 5, hash: events[4]!.hash };
    expect(verifyChain(events.slice(0, 4))).toMatchObject({ ok: true, headSeq: 4 });
    const result = verifyChain(events.slice(0, 4), { head });
    expect(result).toMatchObject({ ok: false, reason: 'wrong-head' });
    expect(!result.ok && result.message).toContain('the anchored head is seq 5');
  });

  it('catches an event of another cycle and a chain not starting at genesis', () => {
    const mixed = [...chain(2), chain(3, 'C-20270101T0800Z-Q')[2]!];
    expect(verifyChain(mixed)).toMatchObject({ ok: false, index: 2, reason: 'wrong-cycle' });
    expect(verifyChain(chain(3).slice(1))).toMatchObject({ ok: false, index: 0, reason: 'wrong-seq' });
  });

  it('accepts an intact chain and returns its head; an empty chain is genesis', () => {
    const events = chain(6);
    expect(verifyChain(events, { head: { seq: 6, hash: events[5]!.hash } })).toEqual({
      ok: true,
      count: 6,
      headSeq: 6,
      headHash: events[5]!.hash,
    });
    expect(verifyChain([])).toEqual({ ok: true, count: 0, headSeq: 0, headHash: GENESIS_HASH });
  });

  it('any single altered field of any event is found at that event (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.constantFrom('at', 'actor', 'type', 'data'),
        fc.string({ minLength: 1 }),
        (count, pick, field, replacement) => {
          const events = chain(count);
          const index = pick % count;
          const original = events[index]!;
          const altered = {
            ...original,
            [field]: field === 'data' ? { replaced: replacement } : replacement,
          };
          fc.pre(canonicalJson(altered) !== canonicalJson(original));
          events[index] = altered;
          expect(verifyChain(events)).toMatchObject({ ok: false, index, reason: 'wrong-hash' });
        },
      ),
      { numRuns: 200 },
    );
  });
});
