/**
 * What every EventLog does: each cycle's events numbered 1, 2, 3, ... and hash-chained exactly as
 * shared/evidence/hash-chain.ts defines, whichever writer appends them, with no gap or fork however
 * many writers race, and nothing appended by a write that fails.
 */
import { describe, expect, it } from 'vitest';
import { computeEventHash, GENESIS_HASH, verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidData } from '#shared/model/common.ts';
import { transition } from '#shared/model/cycle.ts';
import { ChainConflict, NotFound, type ReviewRepository } from '#shared/store/repository.ts';
import {
  aCycle,
  aMinutesRecord,
  anAction,
  anEvent,
  answered,
  aSubmission,
  openCycle,
  rejection,
  type MakeRepository,
} from './records.ts';

export function eventLogContract(name: string, makeRepo: MakeRepository): void {
  describe(`EventLog contract: ${name}`, () => {
    it('refuses a draft that does not match the schema, and appends nothing', async () => {
      const repo = await makeRepo();
      const { cycle, event } = await openCycle(repo);
      const head = await repo.getChainHead(cycle.id);
      const badType = await rejection(repo.appendEvent(cycle.id, { ...anEvent(), type: 'Noted' }));
      expect(badType).toBeInstanceOf(InvalidData);
      expect(badType.message).toContain(`event for cycle ${cycle.id} is not valid: type:`);
      expect(await rejection(repo.appendEvent(cycle.id, { ...anEvent(), actor: '' }))).toBeInstanceOf(
        InvalidData,
      );
      expect(
        await rejection(repo.appendEvent(cycle.id, anEvent('cycle.noted', { n: Number.NaN }))),
      ).toBeInstanceOf(InvalidData);
      const extra = { ...anEvent(), seq: 7 } as unknown as ReturnType<typeof anEvent>;
      expect(await rejection(repo.appendEvent(cycle.id, extra))).toBeInstanceOf(InvalidData);
      expect(await repo.getChainHead(cycle.id)).toEqual(head);
      expect(await repo.listEvents(cycle.id)).toEqual([event]);
    });

    it('need an existing cycle', async () => {
      const repo = await makeRepo();
      const missing = 'C-20991001T0800Z-Q';
      expect(await rejection(repo.appendEvent(missing, anEvent('input.requested')))).toBeInstanceOf(NotFound);
      const head = await rejection(repo.getChainHead(missing));
      expect(head).toBeInstanceOf(NotFound);
      expect(head.message).toBe(`cycle ${missing} does not exist: events are appended to an existing cycle`);
      expect(await repo.listEvents(missing)).toEqual([]);
    });

    it('appends the draft with cycleId, seq, prevHash and hash = sha256(prevHash, canonical content)', async () => {
      const repo = await makeRepo();
      const { cycle, event: opened } = await openCycle(repo);
      const content = {
        type: 'cycle.opened',
        at: opened!.at,
        actor: 'system',
        data: { keys: ['b', 'd1', 'f'] },
      };
      expect(opened).toEqual({
        ...content,
        cycleId: cycle.id,
        seq: 1,
        prevHash: GENESIS_HASH,
        hash: computeEventHash(GENESIS_HASH, { ...content, cycleId: cycle.id, seq: 1 }),
      });
      const draft = {
        ...anEvent('input.submitted', { inputKey: 'd1', figures: [{ name: 'open', value: 4 }], note: null }),
        actor: 'auditor',
        sourceMessageId: '<m1@mail.example.com>',
      };
      const event = await repo.appendEvent(cycle.id, draft);
      expect(event).toEqual({
        ...draft,
        cycleId: cycle.id,
        seq: 2,
        prevHash: opened!.hash,
        hash: computeEventHash(opened!.hash, { ...draft, cycleId: cycle.id, seq: 2 }),
      });
      expect(await repo.listEvents(cycle.id)).toEqual([opened, event]);
      expect(await repo.getChainHead(cycle.id)).toEqual({ seq: 2, hash: event.hash });
    });

    it('chains the events of every writer on one head: cycles, inputs, actions, minutes, receipts, appends', async () => {
      const repo = await makeRepo();
      const cycle = aCycle();
      const { requests } = await openCycle(repo, cycle, ['d1']);
      const at = new Date('2026-10-02T08:00:00.000Z');
      const written = [];
      const { cycle: requesting, event: e2 } = await repo.updateCycle(
        transition(cycle, 'REQUESTING_INPUTS', at),
        {
          event: anEvent('cycle.phase_changed', {}, at),
        },
      );
      written.push(e2);
      const reminded = await repo.updateInputRequest(
        { ...requests[0]!, remindersSent: 1 },
        { event: anEvent('input.reminded') },
      );
      written.push(reminded.event);
      const submission = aSubmission(reminded.request);
      written.push(
        (
          await repo.recordSubmission(submission, answered(reminded.request, submission), {
            event: anEvent('input.submitted'),
          })
        ).event,
      );
      const { actions, event: e5 } = await repo.createActions([anAction(cycle, 5)], {
        event: anEvent('actions.created'),
      });
      written.push(e5);
      written.push(
        (await repo.updateAction({ ...actions[0]!, title: 'Renamed' }, { event: anEvent('action.changed') }))
          .event,
      );
      const saved = await repo.saveMinutes(aMinutesRecord(1), {
        event: anEvent('minutes.accepted'),
        events: [anEvent('action.created', { n: 1 }), anEvent('action.created', { n: 2 })],
        newActions: [anAction(cycle, 1), anAction(cycle, 2)],
        cycle: { ...requesting, heldAt: '2026-10-29T09:30:00.000Z' },
      });
      written.push(...saved.events);
      written.push(
        (
          await repo.recordMessageReceived(
            '<reply@mail.example.com>',
            { at: '2026-10-30T08:00:00.000Z' },
            { cycleId: cycle.id, event: anEvent('mail.received') },
          )
        ).event,
      );
      written.push(await repo.appendEvent(cycle.id, anEvent('cycle.noted')));

      const events = await repo.listEvents(cycle.id);
      expect(events.map((event) => `${event.seq} ${event.type}`)).toEqual([
        '1 cycle.opened',
        '2 cycle.phase_changed',
        '3 input.reminded',
        '4 input.submitted',
        '5 actions.created',
        '6 action.changed',
        '7 minutes.accepted',
        '8 action.created',
        '9 action.created',
        '10 mail.received',
        '11 cycle.noted',
      ]);
      expect(events.slice(1)).toEqual(written);
      const head = await repo.getChainHead(cycle.id);
      expect(head).toEqual({ seq: 11, hash: events[10]!.hash });
      expect(verifyChain(events, { head })).toMatchObject({ ok: true, count: 11 });
    });

    it('lists events from a seq', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      for (let n = 0; n < 4; n += 1) await repo.appendEvent(cycle.id, anEvent('test.appended', { n }));
      expect((await repo.listEvents(cycle.id, 3)).map((event) => event.seq)).toEqual([3, 4, 5]);
      expect((await repo.listEvents(cycle.id, 0)).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(await repo.listEvents(cycle.id, 6)).toEqual([]);
    });

    it('several writers appending at once produce one unbroken chain with every event', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const writers = 4;
      const perWriter = 5;
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          for (let n = 0; n < perWriter; n += 1) {
            await repo.appendEvent(
              cycle.id,
              { ...anEvent('test.appended', { writer, n }), actor: `writer${writer}` },
              { maxAttempts: 50 },
            );
          }
        }),
      );
      const events = await repo.listEvents(cycle.id);
      expect(events.map((event) => event.seq)).toEqual(
        Array.from({ length: 1 + writers * perWriter }, (_, i) => i + 1),
      );
      const head = await repo.getChainHead(cycle.id);
      expect(verifyChain(events, { head })).toMatchObject({ ok: true, count: 1 + writers * perWriter });
      const written = events.slice(1).map((event) => `${String(event.data.writer)}:${String(event.data.n)}`);
      expect(new Set(written).size).toBe(writers * perWriter);
    });

    it('race: writers append at once and the chain stays linear; a loser is ChainConflict', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo, aCycle(), []);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) =>
          repo.appendEvent(cycle.id, anEvent(`input.reminded`, { n: index })),
        ),
      );
      const appended = results.filter((result) => result.status === 'fulfilled').length;
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ChainConflict);
      }
      const events = await repo.listEvents(cycle.id);
      expect(events).toHaveLength(1 + appended);
      expect(verifyChain(events).ok).toBe(true);
    });

    it('a writer that keeps losing gives up with ChainConflict after its attempts, writing nothing', async () => {
      // Between each head read and the write that follows it, a rival appends first.
      let armed = false;
      let rivalling = false;
      const repo: ReviewRepository = await makeRepo({
        beforeTransaction: async () => {
          if (!armed || rivalling) return;
          rivalling = true;
          try {
            await repo.appendEvent(cycle.id, anEvent('test.rival'));
          } finally {
            rivalling = false;
          }
        },
      });
      const { cycle } = await openCycle(repo);
      armed = true;
      const error = await rejection(repo.appendEvent(cycle.id, anEvent('test.unlucky'), { maxAttempts: 3 }));
      armed = false;
      expect(error).toBeInstanceOf(ChainConflict);
      expect(error.message).toBe(
        `the event log of cycle ${cycle.id} moved on while event 4 was being appended (gave up after 3 attempts); another writer got there first: re-read the head and retry`,
      );
      const events = await repo.listEvents(cycle.id);
      expect(events.map((event) => event.type)).toEqual([
        'cycle.opened',
        'test.rival',
        'test.rival',
        'test.rival',
      ]);
      expect(verifyChain(events).ok).toBe(true);
    });

    it('hands out copies: changing a returned event changes nothing stored', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const event = await repo.appendEvent(cycle.id, anEvent('cycle.noted', { nested: { list: [1, 2] } }));
      (event.data.nested as { list: number[] }).list.push(3);
      event.actor = 'mallory';
      const [listed] = await repo.listEvents(cycle.id, 2);
      (listed!.data.nested as { list: number[] }).list.push(4);
      const again = await repo.listEvents(cycle.id, 2);
      expect(again[0]!.data).toEqual({ nested: { list: [1, 2] } });
      expect(again[0]!.actor).toBe('system');
      expect(verifyChain(await repo.listEvents(cycle.id)).ok).toBe(true);
    });
  });
}
