/**
 * What every OutboxStore must do for a batch (Outbox.sendAll), run against the in-memory store
 * (unit) and the DynamoDB store (integration, DynamoDB Local), each writing beside its repository:
 * the claims with the reply tokens their messages carry, all or nothing; the records as sent with
 * their `mail.sent` events chained in order and their tokens linked, all or nothing.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxStore, SentEntry } from '#shared/mail/outbox.ts';
import type { ReplyTokenRecord } from '#shared/model/records.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { aCycle, anEvent, cycleState, openCycle } from '#test/contracts/records.ts';
import { pending, SENT } from './outbox-store-contract.ts';

export type MakeOutboxWithRecords = () => Promise<{ store: OutboxStore; repo: ReviewRepository }>;

const cycle = aCycle();

const token = (tokenId: string): ReplyTokenRecord => ({
  tokenId,
  cycleId: cycle.id,
  purpose: 'inputs',
  recipientId: 'carol',
  issuedAt: '2026-10-01T08:00:00.000Z',
  expiresAt: '2026-12-01T08:00:00.000Z',
});

const entry = (key: string, messageId: string, overrides: Partial<SentEntry> = {}): SentEntry => ({
  cycleId: cycle.id,
  key,
  attempt: 1,
  sent: { ...SENT, messageId },
  event: anEvent('mail.sent', { key }),
  ...overrides,
});

export function outboxBatchContract(name: string, make: MakeOutboxWithRecords): void {
  describe(`OutboxStore batch contract: ${name}`, () => {
    it('claims nothing, not even the tokens, when one of the messages is claimed already', async () => {
      const { store, repo } = await make();
      await store.claim(pending({ cycleId: cycle.id, key: 'input-request:dave' }));
      const claimed = await store.claimAll([
        { record: pending({ cycleId: cycle.id }), replyTokens: [token('aaaaaaaaaa')] },
        { record: pending({ cycleId: cycle.id, key: 'input-request:dave' }) },
      ]);
      expect(claimed).toBe(false);
      expect(await store.get(cycle.id, 'input-request:carol')).toBeUndefined();
      expect(await repo.getReplyToken('aaaaaaaaaa')).toBeUndefined();
    });

    it('claims every message with the reply tokens they carry in one write', async () => {
      const { store, repo } = await make();
      const claimed = await store.claimAll([
        { record: pending({ cycleId: cycle.id }), replyTokens: [token('aaaaaaaaaa')] },
        {
          record: pending({ cycleId: cycle.id, key: 'input-request:dave' }),
          replyTokens: [token('bbbbbbbbbb')],
        },
      ]);
      expect(claimed).toBe(true);
      expect((await store.get(cycle.id, 'input-request:dave'))?.status).toBe('PENDING');
      expect(await repo.getReplyToken('aaaaaaaaaa')).toEqual(token('aaaaaaaaaa'));
      expect(await repo.getReplyToken('bbbbbbbbbb')).toEqual(token('bbbbbbbbbb'));
    });

    it('records nothing as sent when one message is no longer held by its attempt', async () => {
      const { store, repo } = await make();
      await openCycle(repo, cycle);
      await store.claimAll([
        { record: pending({ cycleId: cycle.id }) },
        { record: pending({ cycleId: cycle.id, key: 'input-request:dave' }) },
      ]);
      const before = await cycleState(repo, cycle.id);
      const marked = await store.markAllSent([
        entry('input-request:carol', '<one@example.org>', { replyLinks: [{ tokenId: 'aaaaaaaaaa' }] }),
        entry('input-request:dave', '<two@example.org>', { attempt: 2 }),
      ]);
      expect(marked).toBe(false);
      expect((await store.get(cycle.id, 'input-request:carol'))?.status).toBe('PENDING');
      expect(await repo.replyTokenOfMessage('<one@example.org>')).toBeUndefined();
      expect(await cycleState(repo, cycle.id)).toEqual(before);
    });

    it('records every message as sent, hook done, its event chained in order and its token linked', async () => {
      const { store, repo } = await make();
      await openCycle(repo, cycle);
      await store.claimAll([
        { record: pending({ cycleId: cycle.id }), replyTokens: [token('aaaaaaaaaa')] },
        { record: pending({ cycleId: cycle.id, key: 'input-request:dave' }) },
      ]);
      const marked = await store.markAllSent([
        entry('input-request:carol', '<one@example.org>', {
          replyLinks: [{ tokenId: 'aaaaaaaaaa', expiresAt: '2026-12-01T08:00:00.000Z' }],
        }),
        entry('input-request:dave', '<two@example.org>'),
      ]);
      expect(marked).toBe(true);
      const carol = await store.get(cycle.id, 'input-request:carol');
      expect(carol).toMatchObject({ status: 'SENT', hookDone: true, messageId: '<one@example.org>' });
      expect((await store.listSent(cycle.id)).map((r) => r.key).sort()).toEqual([
        'input-request:carol',
        'input-request:dave',
      ]);
      expect(await repo.replyTokenOfMessage('<one@example.org>')).toBe('aaaaaaaaaa');
      const events = await repo.listEvents(cycle.id, 2);
      expect(events.map((e) => [e.seq, e.type, e.data.key])).toEqual([
        [2, 'mail.sent', 'input-request:carol'],
        [3, 'mail.sent', 'input-request:dave'],
      ]);
      expect(events[1]!.prevHash).toBe(events[0]!.hash);
      expect(await repo.getChainHead(cycle.id)).toEqual({ seq: 3, hash: events[1]!.hash });
      // Recorded once: the same entries again find nothing held.
      expect(await store.markAllSent([entry('input-request:dave', '<two@example.org>')])).toBe(false);
      expect((await repo.getChainHead(cycle.id)).seq).toBe(3);
    });
  });
}
