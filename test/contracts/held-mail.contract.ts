/**
 * What every InboundMailStore does: a held message kept once per Message-ID and listed by receipt
 * time, released once; daily quotas that concurrent deliveries can never pass together; and the
 * receipt mark written with its event, both or neither.
 */
import { describe, expect, it } from 'vitest';
import { InvalidData } from '#shared/model/common.ts';
import { HeldMailAlreadyReleased, HeldMailNotFound, heldMailId } from '#shared/store/held-mail.ts';
import { NotFound } from '#shared/store/repository.ts';
import {
  aHeldMail,
  anEvent,
  aReplyToken,
  cycleState,
  openCycle,
  rejection,
  type MakeRepository,
} from './records.ts';

const RELEASE = { at: '2026-10-07T09:00:00.000Z', by: 'alice', outcome: 'accepted as input d1' };

export function inboundMailStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`InboundMailStore contract: ${name}`, () => {
    describe('bad input and unknown messages', () => {
      it('refuses a held message out of schema, and keeps nothing', async () => {
        const repo = await makeRepo();
        const held = aHeldMail('2026-10-06T08:00:00.000Z', 'h1');
        const error = await rejection(repo.holdMessage({ ...held, id: 'H-yesterday' }));
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toContain('held message is not valid: id: is not a held message id');
        expect(await rejection(repo.holdMessage({ ...held, subject: 'x'.repeat(201) }))).toBeInstanceOf(
          InvalidData,
        );
        const all = {
          since: '2026-10-01T00:00:00.000Z',
          until: '2026-11-01T00:00:00.000Z',
          status: 'all' as const,
        };
        expect(await repo.listHeldMessages(all)).toEqual([]);
        expect((await repo.holdMessage(held)).first).toBe(true);
      });

      it('answers an unknown or malformed id with undefined, and refuses to release it', async () => {
        const repo = await makeRepo();
        const unknown = heldMailId('2026-10-06T08:00:00.000Z', 'f'.repeat(64));
        expect(await repo.getHeldMessage(unknown)).toBeUndefined();
        expect(await repo.getHeldMessage('not-an-id')).toBeUndefined();
        const error = await rejection(repo.markHeldReleased(unknown, RELEASE));
        expect(error).toBeInstanceOf(HeldMailNotFound);
        expect(error.message).toBe(`no held message ${unknown} (it may have expired after 90 days)`);
        expect(await rejection(repo.markHeldReleased('not-an-id', RELEASE))).toBeInstanceOf(HeldMailNotFound);
      });

      it('refuses a query that is not times, a quota not usable in a key or not whole', async () => {
        const repo = await makeRepo();
        const query = await rejection(
          repo.listHeldMessages({ since: 'last week', until: '2026-10-07T00:00:00Z' }),
        );
        expect(query).toBeInstanceOf(InvalidData);
        expect(query.message).toBe('held mail query is not valid: (root): since and until must be times');
        const scope = await rejection(repo.consumeDailyQuota('reply address', '2026-10-06', 1, 10));
        expect(scope.message).toBe(
          'quota is not valid: (root): scope reply address or day 2026-10-06 is not usable in a key',
        );
        expect(await rejection(repo.consumeDailyQuota('r1', '6 Oct', 1, 10))).toBeInstanceOf(InvalidData);
        expect(await rejection(repo.consumeDailyQuota('r1', '2026-10-06', 1.5, 10))).toBeInstanceOf(
          InvalidData,
        );
        expect(await rejection(repo.consumeDailyQuota('r1', '2026-10-06', 1, -1))).toBeInstanceOf(
          InvalidData,
        );
        expect(await repo.consumeDailyQuota('r1', '2026-10-06', 10, 10)).toBe(true);
      });

      it('refuses several counters that are not usable: no counter, a name twice or not a word, not whole', async () => {
        const repo = await makeRepo();
        const day = '2026-10-06';
        const one = { name: 'messages', amount: 1, limit: 10 };
        expect(await rejection(repo.consumeDailyQuotas('reply address', day, [one]))).toBeInstanceOf(
          InvalidData,
        );
        const none = await rejection(repo.consumeDailyQuotas('r1', day, []));
        expect(none.message).toBe('quota is not valid: counters: give one or more counters, each named once');
        expect(await rejection(repo.consumeDailyQuotas('r1', day, [one, one]))).toBeInstanceOf(InvalidData);
        const named = await rejection(repo.consumeDailyQuotas('r1', day, [{ ...one, name: 'used bytes' }]));
        expect(named.message).toBe('quota is not valid: counters.0.name: letters and digits only');
        const bytes = { name: 'bytes', amount: 0.5, limit: 10 };
        expect(await rejection(repo.consumeDailyQuotas('r1', day, [one, bytes]))).toBeInstanceOf(InvalidData);
        // Nothing was counted by the refused calls.
        expect(await repo.consumeDailyQuotas('r1', day, [{ ...one, amount: 10 }])).toEqual({});
      });

      it('refuses a receipt without a Message-ID or with an event out of schema, marking nothing', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const before = await cycleState(repo, cycle.id);
        const seen = { at: '2026-10-06T08:00:00.000Z' };
        const log = { cycleId: cycle.id, event: anEvent('mail.received') };
        expect(await rejection(repo.recordMessageReceived('<>', seen, log))).toBeInstanceOf(InvalidData);
        expect(await rejection(repo.recordMessageReceived(' ', seen))).toBeInstanceOf(InvalidData);
        const badEvent = { cycleId: cycle.id, event: { ...anEvent(), type: 'Mail' } };
        expect(await rejection(repo.recordMessageReceived('<m1@x>', seen, badEvent))).toBeInstanceOf(
          InvalidData,
        );
        expect(await repo.messageSeen('<m1@x>')).toBe(false);
        expect(await repo.messageSeen('')).toBe(false);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });
    });

    describe('held mail', () => {
      it('keeps a message once however often it is delivered; the first record answers', async () => {
        const repo = await makeRepo();
        const first = aHeldMail('2026-10-06T08:00:00.000Z', 'h1');
        expect(await repo.holdMessage(first)).toEqual({ held: first, first: true });
        const redelivered = aHeldMail('2026-10-06T09:30:00.000Z', 'h1', { rawS3Key: 'inbound/h1-again' });
        expect(redelivered.id).not.toBe(first.id);
        expect(await repo.holdMessage(redelivered)).toEqual({ held: first, first: false });
        expect(await repo.getHeldMessage(redelivered.id)).toBeUndefined();
        expect(await repo.getHeldMessage(first.id)).toEqual(first);
        const listed = await repo.listHeldMessages({
          since: '2026-10-01T00:00:00Z',
          until: '2026-10-07T00:00:00Z',
        });
        expect(listed).toEqual([first]);
      });

      it('lists what was received in [since, until), oldest first, across months, held only unless asked', async () => {
        const repo = await makeRepo();
        const times = [
          '2026-11-02T10:00:00.000Z',
          '2026-09-30T23:59:59.000Z',
          '2026-10-15T12:00:00.000Z',
          '2026-10-01T00:00:00.000Z',
          '2026-11-03T00:00:00.000Z',
        ];
        for (const [index, at] of times.entries()) await repo.holdMessage(aHeldMail(at, `m${index}`));
        const received = (list: { receivedAt: string }[]) => list.map((held) => held.receivedAt.slice(0, 10));
        const window = { since: '2026-10-01T00:00:00.000Z', until: '2026-11-03T00:00:00.000Z' };
        expect(received(await repo.listHeldMessages(window))).toEqual([
          '2026-10-01',
          '2026-10-15',
          '2026-11-02',
        ]);
        expect(received(await repo.listHeldMessages({ ...window, limit: 2 }))).toEqual([
          '2026-10-01',
          '2026-10-15',
        ]);

        await repo.markHeldReleased(aHeldMail(times[2]!, 'm2').id, RELEASE);
        expect(received(await repo.listHeldMessages(window))).toEqual(['2026-10-01', '2026-11-02']);
        expect(received(await repo.listHeldMessages({ ...window, status: 'released' }))).toEqual([
          '2026-10-15',
        ]);
        expect(received(await repo.listHeldMessages({ ...window, status: 'all' }))).toEqual([
          '2026-10-01',
          '2026-10-15',
          '2026-11-02',
        ]);
        expect(
          await repo.listHeldMessages({
            since: '2026-10-15T12:00:00.500Z',
            until: '2026-10-15T12:00:01.000Z',
            status: 'all',
          }),
        ).toEqual([]);
      });

      it('releases a held message once, recording who, when and what came of it', async () => {
        const repo = await makeRepo();
        const held = aHeldMail('2026-10-06T08:00:00.000Z', 'h1', {
          cycleId: 'C-20261001T0800Z-Q',
          tokenId: 'rt_0123456789',
        });
        await repo.holdMessage(held);
        const released = await repo.markHeldReleased(held.id, { ...RELEASE, outcome: 'x'.repeat(2500) });
        const expected = {
          ...held,
          status: 'released',
          releasedAt: RELEASE.at,
          releasedBy: 'alice',
          releaseOutcome: 'x'.repeat(2000),
        };
        expect(released).toEqual(expected);
        expect(await repo.getHeldMessage(held.id)).toEqual(expected);
        const again = await rejection(repo.markHeldReleased(held.id, { ...RELEASE, by: 'bob' }));
        expect(again).toBeInstanceOf(HeldMailAlreadyReleased);
        expect(again.message).toBe(`held message ${held.id} was released already`);
        expect(await repo.getHeldMessage(held.id)).toEqual(expected);
      });
    });

    describe('daily quotas', () => {
      it('adds up to the limit and no further; scopes and days are counted apart', async () => {
        const repo = await makeRepo();
        expect(await repo.consumeDailyQuota('r1', '2026-10-06', 3, 5)).toBe(true);
        expect(await repo.consumeDailyQuota('r1', '2026-10-06', 2, 5)).toBe(true);
        expect(await repo.consumeDailyQuota('r1', '2026-10-06', 1, 5)).toBe(false);
        expect(await repo.consumeDailyQuota('r1', '2026-10-06', 0, 5)).toBe(true);
        expect(await repo.consumeDailyQuota('r1', '2026-10-07', 5, 5)).toBe(true);
        expect(await repo.consumeDailyQuota('r2:bytes', '2026-10-06', 5, 5)).toBe(true);
        expect(await repo.consumeDailyQuota('r3', '2026-10-06', 6, 5)).toBe(false);
        // A higher limit later in the day makes room for more.
        expect(await repo.consumeDailyQuota('r1', '2026-10-06', 1, 6)).toBe(true);
      });

      it('adds several counters together or none, naming the first that had no room', async () => {
        const repo = await makeRepo();
        const day = '2026-10-06';
        const take = (bytes: number) =>
          repo.consumeDailyQuotas('r1', day, [
            { name: 'messages', amount: 1, limit: 3 },
            { name: 'bytes', amount: bytes, limit: 100 },
          ]);
        expect(await take(60)).toEqual({});
        expect(await take(50)).toEqual({ exceeded: 'bytes' });
        // The refused call added no message either: two more fit.
        expect(await take(40)).toEqual({});
        expect(await take(0)).toEqual({});
        expect(await take(0)).toEqual({ exceeded: 'messages' });
        expect(await take(101)).toEqual({ exceeded: 'messages' });
        // Another day, and the single counter of the same scope, are counted apart.
        expect(
          await repo.consumeDailyQuotas('r1', '2026-10-07', [{ name: 'bytes', amount: 100, limit: 100 }]),
        ).toEqual({});
        expect(await repo.consumeDailyQuota('r1', day, 5, 5)).toBe(true);
      });

      it('lets concurrent deliveries together never pass the limit', async () => {
        const repo = await makeRepo();
        const results = await Promise.all(
          Array.from({ length: 10 }, () => repo.consumeDailyQuota('burst', '2026-10-06', 1, 4)),
        );
        expect(results.filter(Boolean)).toHaveLength(4);
        expect(await repo.consumeDailyQuota('burst', '2026-10-06', 1, 4)).toBe(false);
      });
    });

    describe('receipts', () => {
      it('marks a Message-ID seen once, with or without an event; the mark is shared with markMessageSeen', async () => {
        const repo = await makeRepo();
        const seen = { at: '2026-10-06T08:00:00.000Z', rawS3Key: 'inbound/m1' };
        expect(await repo.messageSeen('<m1@mail.example.com>')).toBe(false);
        expect(await repo.recordMessageReceived('<m1@mail.example.com>', seen)).toEqual({ first: true });
        expect(await repo.messageSeen('m1@mail.example.com')).toBe(true);
        expect(await repo.recordMessageReceived('m1@mail.example.com', seen)).toEqual({ first: false });
        expect(await repo.markMessageSeen('<m1@mail.example.com>', seen)).toBe(false);
        expect(await repo.markMessageSeen('<m2@mail.example.com>', seen)).toBe(true);
        expect(await repo.recordMessageReceived('<m2@mail.example.com>', seen)).toEqual({ first: false });
      });

      it('looks up the seen mark and the stored reply tokens of a message in one call', async () => {
        const repo = await makeRepo();
        const token = aReplyToken();
        await repo.putReplyToken(token);
        expect(await repo.lookUpInbound('', [])).toEqual({ seen: false, tokens: [] });
        expect(
          await repo.lookUpInbound('<m1@mail.example.com>', ['rt_unknown000', token.tokenId, '']),
        ).toEqual({
          seen: false,
          tokens: [token],
        });
        await repo.markMessageSeen('m1@mail.example.com', { at: '2026-10-06T08:00:00.000Z' });
        expect(await repo.lookUpInbound(' <m1@mail.example.com> ', [token.tokenId, token.tokenId])).toEqual({
          seen: true,
          tokens: [token],
        });
      });

      it('writes the receipt and its event together; a second delivery writes neither', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const seen = { at: '2026-10-06T08:00:00.000Z' };
        const log = { cycleId: cycle.id, event: { ...anEvent('mail.received'), sourceMessageId: '<m1@x>' } };
        const received = await repo.recordMessageReceived('<m1@x>', seen, log);
        expect(received.first).toBe(true);
        expect(received.event).toMatchObject({ seq: 2, type: 'mail.received', sourceMessageId: '<m1@x>' });
        expect(await repo.listEvents(cycle.id, 2)).toEqual([received.event]);
        expect(await repo.messageSeen('<m1@x>')).toBe(true);
        const before = await cycleState(repo, cycle.id);
        expect(await repo.recordMessageReceived('<m1@x>', seen, log)).toEqual({ first: false });
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('deliveries racing with one Message-ID: one is first and logged, the others change nothing', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const log = { cycleId: cycle.id, event: anEvent('mail.received') };
        const results = await Promise.all(
          Array.from({ length: 4 }, () =>
            repo.recordMessageReceived('<race@x>', { at: '2026-10-06T08:00:00.000Z' }, log),
          ),
        );
        expect(results.filter((result) => result.first)).toHaveLength(1);
        expect((await repo.listEvents(cycle.id)).map((event) => event.type)).toEqual([
          'cycle.opened',
          'mail.received',
        ]);
      });

      it('for a cycle that does not exist: NotFound, and the message is not marked seen', async () => {
        const repo = await makeRepo();
        const log = { cycleId: 'C-20991001T0800Z-Q', event: anEvent('mail.received') };
        const error = await rejection(
          repo.recordMessageReceived('<m1@x>', { at: '2026-10-06T08:00:00.000Z' }, log),
        );
        expect(error).toBeInstanceOf(NotFound);
        expect(await repo.messageSeen('<m1@x>')).toBe(false);
      });
    });
  });
}
