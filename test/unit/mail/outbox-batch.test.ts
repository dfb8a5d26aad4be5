import { MemoryOutboxStore, OutboxCannotRecord } from '#shared/mail/memory-outbox-store.ts';
import { describe, expect, it } from 'vitest';
import { memoryRepository } from '#test/support/memory-store.ts';
import { outboxBatchContract } from './outbox-batch-contract.ts';
import { pending } from './outbox-store-contract.ts';

outboxBatchContract('in memory', async () => {
  const repo = memoryRepository();
  return { store: new MemoryOutboxStore({ records: repo }), repo };
});

describe('MemoryOutboxStore without records', () => {
  it('refuses a claim with reply tokens, naming what it lacks, and claims nothing', async () => {
    const store = new MemoryOutboxStore();
    await expect(
      store.claimAll([
        {
          record: pending(),
          replyTokens: [
            {
              tokenId: 'aaaaaaaaaa',
              cycleId: pending().cycleId,
              purpose: 'inputs',
              recipientId: 'carol',
              issuedAt: '2026-10-01T08:00:00.000Z',
              expiresAt: '2026-12-01T08:00:00.000Z',
            },
          ],
        },
      ]),
    ).rejects.toBeInstanceOf(OutboxCannotRecord);
    expect(await store.get(pending().cycleId, pending().key)).toBeUndefined();
  });
});
