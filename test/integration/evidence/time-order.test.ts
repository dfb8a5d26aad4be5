/**
 * Time runs forward along a cycle's event log on DynamoDB Local: an event is stamped when it is
 * recorded, never earlier than the event before it, and the times a message carries (when it
 * arrived, what its Date header says) are kept in the event's data. A reply that arrived before
 * events recorded while it was being processed no longer puts an earlier time after them.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { backwardTimes } from '#shared/evidence/time-order.ts';
import { ingest } from '#shared/ingest/pipeline.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle } from '#test/unit/model/builders.ts';
import { fixture, issueToken, NOW, PASS, world } from '../ingest/support.ts';

const at = (iso: string) => new Date(iso).toISOString();

describe('the event chain on DynamoDB', () => {
  it('records an event drafted with an earlier time at its predecessor’s time, and a later one as drafted', async () => {
    const table = await freshTable('time-order');
    const repo = new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
    const cycle = aCycle();
    await repo.createCycle(cycle, [], {
      event: { type: 'cycle.opened', at: at('2026-10-01T08:00:00Z'), actor: 'system', data: {} },
    });
    await repo.appendEvent(cycle.id, {
      type: 'mail.sent',
      at: at('2026-10-01T08:00:05Z'),
      actor: 'system',
      data: {},
    });
    // A clock read before the send above: drafted earlier, recorded after.
    const late = await repo.appendEvent(cycle.id, {
      type: 'input.reminder_sent',
      at: at('2026-10-01T08:00:01Z'),
      actor: 'system',
      data: {},
    });
    expect(late.at).toBe(at('2026-10-01T08:00:05Z'));
    const next = await repo.appendEvent(cycle.id, {
      type: 'cycle.noted',
      at: at('2026-10-02T09:00:00Z'),
      actor: 'system',
      data: {},
    });
    expect(next.at).toBe(at('2026-10-02T09:00:00Z'));
    const events = await repo.listEvents(cycle.id);
    expect(events[2]).toEqual(late);
    expect(verifyChain(events).ok).toBe(true);
    expect(backwardTimes(events)).toEqual([]);
  });

  it('keeps time in order when writers with clocks that disagree append at once', async () => {
    const table = await freshTable('time-order-race');
    const repo = new DynamoDbRepository({ ...table, maxEventAttempts: 200 });
    const cycle = aCycle();
    await repo.createCycle(cycle, [], {
      event: { type: 'cycle.opened', at: cycle.openedAt, actor: 'system', data: {} },
    });
    const base = Date.parse('2026-10-01T09:00:00Z');
    await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        repo.appendEvent(cycle.id, {
          type: 'cycle.noted',
          // Each writer's clock is off by up to a minute, either way.
          at: new Date(base + ((n * 37) % 120) * 1000 - 60_000).toISOString(),
          actor: 'system',
          data: { n },
        }),
      ),
    );
    const events = await repo.listEvents(cycle.id);
    expect(events).toHaveLength(13);
    expect(verifyChain(events).ok).toBe(true);
    expect(backwardTimes(events)).toEqual([]);
  });
});

describe('a reply through the ingest pipeline', () => {
  it('is recorded when it is processed; when it arrived and its Date header are data', async () => {
    const w = await world();
    const token = await issueToken(w, 'auditor');
    const raw = fixture('apple-mail-pdf-and-csv.eml', {
      '{{reply_token}}': token,
      'marc.dubois@example.com': w.email('auditor'),
    });
    // Something was recorded after the reply arrived and before it was processed.
    const arrived = new Date(NOW.getTime() - 60_000).toISOString();
    await w.repo.appendEvent(w.cycle.id, {
      type: 'cycle.noted',
      at: new Date(NOW.getTime() - 30_000).toISOString(),
      actor: 'system',
      data: {},
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: `inbound/${randomUUID()}`,
      sesVerdicts: PASS,
      receivedAt: arrived,
    });
    expect(result).toMatchObject({ outcome: 'accepted' });

    const events = await w.repo.listEvents(w.cycle.id);
    const submitted = events.filter((e) => e.type === 'input.submitted');
    const received = events.find((e) => e.type === 'mail.received')!;
    expect(submitted.length).toBeGreaterThan(0);
    for (const event of [...submitted, received]) {
      expect(event.at).toBe(NOW.toISOString());
      expect(event.data.receivedAt).toBe(arrived);
    }
    // Fri, 9 Oct 2026 11:11:11 +0200: what the sender's mail client says, kept as it said it.
    expect(received.data.dateHeader).toBe('2026-10-09T09:11:11.000Z');
    expect(backwardTimes(events)).toEqual([]);
    expect(verifyChain(events).ok).toBe(true);
  });
});
