/**
 * Time along the event chain: the stores record an event never earlier than the one before it
 * (chainEvent), and `evidence verify` names every place where an older log's times run
 * backwards, as a warning: the bundle still verifies.
 */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import { chainEvent, GENESIS_HASH, recordedAt, verifyChain } from '#shared/evidence/hash-chain.ts';
import { backwardTimes, backwardTimesWarning } from '#shared/evidence/time-order.ts';
import { formatVerification, verifyBundle } from '#shared/evidence/verify.ts';
import type { CycleEvent, EventDraft } from '#shared/model/event.ts';
import type { CycleRecords } from '#shared/store/repository.ts';
import { aFixture, chainOf } from './fixture.ts';

const CYCLE = 'C-20261001T0800Z-Q';
const draft = (at: string, type = 'cycle.noted'): EventDraft => ({ type, at, actor: 'system', data: {} });

describe('chainEvent', () => {
  it('records an event drafted earlier than its predecessor at the predecessor’s time, a later one as drafted', () => {
    const first = chainEvent(CYCLE, { seq: 0, hash: GENESIS_HASH }, draft('2026-10-01T08:00:05.000Z'));
    const early = chainEvent(CYCLE, first, draft('2026-10-01T08:00:01.000Z'));
    const later = chainEvent(CYCLE, early, draft('2026-10-02T09:00:00.000Z'));
    expect([first.at, early.at, later.at]).toEqual([
      '2026-10-01T08:00:05.000Z',
      '2026-10-01T08:00:05.000Z',
      '2026-10-02T09:00:00.000Z',
    ]);
    // The hash covers the time recorded.
    expect(verifyChain([first, early, later]).ok).toBe(true);
    // Without the predecessor's time (a store that does not know it), the draft's time stands.
    expect(chainEvent(CYCLE, { seq: 1, hash: first.hash }, draft('2026-10-01T08:00:01.000Z')).at).toBe(
      '2026-10-01T08:00:01.000Z',
    );
  });

  it('compares instants, not text', () => {
    expect(recordedAt('2026-10-01T08:00:00Z', '2026-10-01T08:00:00.500Z')).toBe('2026-10-01T08:00:00.500Z');
    expect(recordedAt('2026-10-01T08:00:01Z', '2026-10-01T08:00:00.500Z')).toBe('2026-10-01T08:00:01Z');
  });
});

describe('backwardTimes', () => {
  it('names each event earlier than the one before it', () => {
    const events = chainOf(CYCLE, [
      draft('2026-10-01T08:00:00Z'),
      draft('2026-10-01T08:00:05Z', 'mail.sent'),
      draft('2026-10-01T08:00:01Z', 'input.reminder_sent'),
      draft('2026-10-01T08:00:02Z'),
      draft('2026-10-01T08:00:02Z'),
    ]);
    expect(backwardTimes(events)).toEqual([
      {
        seq: 3,
        type: 'input.reminder_sent',
        at: '2026-10-01T08:00:01Z',
        previousSeq: 2,
        previousAt: '2026-10-01T08:00:05Z',
      },
    ]);
    expect(backwardTimesWarning(backwardTimes(events), 'events.jsonl')).toMatch(
      /^TIME RUNS BACKWARDS in events\.jsonl at 1 place\(s\): seq 3 \(input\.reminder_sent\) at 2026-10-01T08:00:01Z is earlier than seq 2 at 2026-10-01T08:00:05Z\./,
    );
    expect(backwardTimesWarning([], 'events.jsonl')).toBeUndefined();
  });

  it('names ten places and counts the rest', () => {
    const drafts = Array.from({ length: 24 }, (_, n) => draft(`2026-10-01T08:00:${n % 2 ? '00' : '30'}Z`));
    const found = backwardTimes(chainOf(CYCLE, drafts));
    expect(found).toHaveLength(12);
    expect(backwardTimesWarning(found, 'events.jsonl')).toContain('; and 2 more.');
  });
});

describe('evidence verify', () => {
  async function bundleWith(events: CycleEvent[] | undefined) {
    const fixture = await aFixture();
    if (events) {
      const records: CycleRecords = { ...fixture.records, events };
      (fixture.source as { repo: unknown }).repo = {
        ...fixture.source.repo,
        getCycleRecords: async () => records,
      };
    }
    return { fixture, bundle: await buildEvidenceBundle(fixture.source, fixture.cycle.id) };
  }

  it('warns where times run backwards in an older log, and still verifies', async () => {
    const fixture = await aFixture();
    const drafts = fixture.records.events.map(({ cycleId: _c, seq: _s, prevHash: _p, hash: _h, ...d }) => d);
    // As the log was written before events were stamped when recorded: the reminder, sent at
    // 08:00 on 12 October, stamped with the time its step was planned, the day before.
    drafts[4] = { ...drafts[4]!, at: '2026-10-09T08:00:00.000Z' };
    const { bundle } = await bundleWith(chainOf(fixture.cycle.id, drafts));
    const result = verifyBundle(bundle.zip);
    expect(result.ok).toBe(true);
    expect(result.warnings).toContainEqual(
      expect.stringContaining(
        'TIME RUNS BACKWARDS in events.jsonl at 1 place(s): seq 5 (input.reminder_sent) at 2026-10-09T08:00:00.000Z is earlier than seq 4 at',
      ),
    );
    expect(formatVerification(result)).toContainEqual(expect.stringMatching(/^ {2}! TIME RUNS BACKWARDS/));
  });

  it('gives no such warning when time runs forward', async () => {
    const { bundle } = await bundleWith(undefined);
    expect(unzipSync(bundle.zip)['events.jsonl']).toBeDefined();
    const result = verifyBundle(bundle.zip);
    expect(result.warnings.filter((w) => w.includes('TIME RUNS BACKWARDS'))).toEqual([]);
  });
});
