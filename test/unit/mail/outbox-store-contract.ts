/**
 * What every OutboxStore must do, run against the in-memory store (unit) and the DynamoDB store
 * (integration, DynamoDB Local): the conditions that make sendOnce exactly-once.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxRecord, OutboxStore, SentFields } from '#shared/mail/outbox.ts';

const CYCLE = 'C-20261001T0800Z-Q';

export function pending(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    cycleId: CYCLE,
    key: 'input-request:carol',
    purpose: 'input-request',
    recipients: ['carol@example.com'],
    status: 'PENDING',
    attempt: 1,
    messageUuid: '2b1f8c1e-5f0e-4c8e-9d7c-3f9a1c2b4d5e',
    claimedAt: '2026-10-01T08:00:00.000Z',
    leaseUntil: '2026-10-01T08:01:00.000Z',
    ...overrides,
  };
}

export const SENT: SentFields = {
  messageId: '<2b1f8c1e-5f0e-4c8e-9d7c-3f9a1c2b4d5e@example.org>',
  sesMessageId: 'ses-0001',
  rawKey: `cycles/${CYCLE}/mail/input-request_carol-0123456789ab.eml`,
  sha256: 'd'.repeat(64),
  size: 1234,
  sentAt: '2026-10-01T08:00:02.000Z',
};

export function outboxStoreContract(name: string, makeStore: () => Promise<OutboxStore>): void {
  describe(`OutboxStore contract: ${name}`, () => {
    it('refuses to claim a record that does not match the schema', async () => {
      const store = await makeStore();
      await expect(store.claim(pending({ cycleId: 'not-a-cycle' }))).rejects.toThrow();
      await expect(store.claim(pending({ attempt: 0 }))).rejects.toThrow();
      expect(await store.get('not-a-cycle', 'input-request:carol')).toBeUndefined();
    });

    it('claims once; a second claim returns the first record unchanged', async () => {
      const store = await makeStore();
      expect(await store.claim(pending())).toEqual({ claimed: true });
      const again = await store.claim(pending({ messageUuid: '00000000-0000-4000-8000-000000000000' }));
      expect(again).toEqual({ claimed: false, existing: pending() });
      expect(await store.get(CYCLE, 'input-request:carol')).toEqual(pending());
    });

    it('keeps keys apart within a cycle and across cycles', async () => {
      const store = await makeStore();
      await store.claim(pending());
      expect(await store.claim(pending({ key: 'input-request:dave' }))).toEqual({ claimed: true });
      expect(await store.claim(pending({ cycleId: 'C-20270101T0800Z-Q' }))).toEqual({ claimed: true });
    });

    it('lets only the holder of the current attempt take over, release or mark sent', async () => {
      const store = await makeStore();
      await store.claim(pending());
      const lease = { claimedAt: '2026-10-01T08:05:00.000Z', leaseUntil: '2026-10-01T08:06:00.000Z' };
      expect(await store.takeOver(CYCLE, 'input-request:carol', 2, lease)).toBe(false);
      expect(await store.takeOver(CYCLE, 'input-request:carol', 1, lease)).toBe(true);
      // The first attempt lost its claim: none of its writes land.
      expect(await store.takeOver(CYCLE, 'input-request:carol', 1, lease)).toBe(false);
      expect(await store.markSent(CYCLE, 'input-request:carol', 1, SENT)).toBe(false);
      await store.release(CYCLE, 'input-request:carol', 1, '2026-10-01T08:05:01.000Z');
      expect(await store.get(CYCLE, 'input-request:carol')).toEqual(pending({ ...lease, attempt: 2 }));

      await store.release(CYCLE, 'input-request:carol', 2, '2026-10-01T08:05:30.000Z');
      expect((await store.get(CYCLE, 'input-request:carol'))?.leaseUntil).toBe('2026-10-01T08:05:30.000Z');
      expect(await store.markSent(CYCLE, 'input-request:carol', 2, SENT)).toBe(true);
      expect(await store.get(CYCLE, 'input-request:carol')).toEqual({
        ...pending({ ...lease, attempt: 2, leaseUntil: '2026-10-01T08:05:30.000Z' }),
        ...SENT,
        status: 'SENT',
        hookDone: false,
      });
    });

    it('never changes a SENT record but to mark its hook done', async () => {
      const store = await makeStore();
      await store.claim(pending());
      await store.markSent(CYCLE, 'input-request:carol', 1, SENT);
      const lease = { claimedAt: '2026-10-01T09:00:00.000Z', leaseUntil: '2026-10-01T09:01:00.000Z' };
      expect(await store.takeOver(CYCLE, 'input-request:carol', 1, lease)).toBe(false);
      expect(await store.markSent(CYCLE, 'input-request:carol', 1, { ...SENT, sesMessageId: 'other' })).toBe(
        false,
      );
      await store.release(CYCLE, 'input-request:carol', 1, '2026-10-01T09:00:00.000Z');
      await store.markHookDone(CYCLE, 'input-request:carol');
      expect(await store.get(CYCLE, 'input-request:carol')).toEqual({
        ...pending(),
        ...SENT,
        status: 'SENT',
        hookDone: true,
      });
    });

    it('does not mark the hook of a PENDING record done', async () => {
      const store = await makeStore();
      await store.claim(pending());
      await store.markHookDone(CYCLE, 'input-request:carol');
      expect((await store.get(CYCLE, 'input-request:carol'))?.hookDone).toBeUndefined();
    });

    it('lists only the SENT records of one cycle, oldest first', async () => {
      const store = await makeStore();
      await store.claim(pending({ key: 'b' }));
      await store.claim(pending({ key: 'a' }));
      await store.claim(pending({ key: 'still-pending' }));
      await store.claim(pending({ key: 'other-cycle', cycleId: 'C-20270101T0800Z-Q' }));
      await store.markSent(CYCLE, 'b', 1, { ...SENT, sentAt: '2026-10-01T08:00:01.000Z' });
      await store.markSent(CYCLE, 'a', 1, { ...SENT, sentAt: '2026-10-01T08:00:03.000Z' });
      await store.markSent('C-20270101T0800Z-Q', 'other-cycle', 1, SENT);
      expect((await store.listSent(CYCLE)).map((record) => record.key)).toEqual(['b', 'a']);
      expect(await store.listSent('C-20250101T0800Z-Q')).toEqual([]);
    });
  });
}
