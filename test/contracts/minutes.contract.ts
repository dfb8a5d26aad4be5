/**
 * What every MinutesStore does: versions of a cycle's minutes in order, each stored in one
 * transaction with the actions it creates or changes, the cycle's dates and the events.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidData } from '#shared/model/common.ts';
import { actionIdFor } from '#shared/model/ids.ts';
import { AlreadyExists, ConcurrentUpdate, NotFound } from '#shared/store/repository.ts';
import {
  aCycle,
  aMinutesRecord,
  anAction,
  anEvent,
  cycleState,
  openCycle,
  rejection,
  type MakeRepository,
} from './records.ts';

const HELD_AT = '2026-10-29T09:30:00.000Z';

export function minutesStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`MinutesStore contract: ${name}`, () => {
    describe('bad input and missing records', () => {
      it('refuses minutes that do not match the schema, and stores nothing', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const before = await cycleState(repo, cycle.id);
        const error = await rejection(repo.saveMinutes(aMinutesRecord(1, { sourceHash: 'f'.repeat(64) })));
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toBe(
          `minutes ${cycle.id} version 1 is not valid: sourceHash: does not match the source text; compute it with minutesHash(sourceText)`,
        );
        const badEvent = await rejection(
          repo.saveMinutes(aMinutesRecord(1), { events: [{ ...anEvent(), type: 'x' }] }),
        );
        expect(badEvent).toBeInstanceOf(InvalidData);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
        expect(await repo.getMinutes(cycle.id)).toBeUndefined();
      });

      it('refuses new actions other than those the minutes name, actions of another cycle or listed twice', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const other = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
        const before = await cycleState(repo, cycle.id);
        const wrong = await rejection(
          repo.saveMinutes(aMinutesRecord(1), { newActions: [anAction(cycle, 2), anAction(cycle, 1)] }),
        );
        expect(wrong).toBeInstanceOf(InvalidData);
        expect(wrong.message).toBe(
          `minutes ${cycle.id} version 1 is not valid: newActions: the minutes name actions ${actionIdFor(cycle.id, 1)}, ${actionIdFor(cycle.id, 2)}; the new actions must be exactly those, in that order`,
        );
        const mixed = await rejection(
          repo.saveMinutes(aMinutesRecord(1), {
            newActions: [anAction(cycle, 1, { version: 2 }), anAction(cycle, 2)],
            changedActions: [anAction(cycle, 2), anAction(other, 3)],
            cycle: other,
          }),
        );
        expect(mixed.message).toBe(
          `minutes ${cycle.id} version 1 is not valid: cycle.id: the minutes are of cycle ${cycle.id}, not ${other.id}; ` +
            `actions.${actionIdFor(cycle.id, 2)}: is listed twice; actions.${actionIdFor(other.id, 3)}: belongs to cycle ${other.id}, not ${cycle.id}; ` +
            `newActions.${actionIdFor(cycle.id, 1)}: a new action has version 1`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('needs the cycle, and the version before: NotFound, nothing written', async () => {
        const repo = await makeRepo();
        const cycleId = aCycle().id;
        const noCycle = await rejection(repo.saveMinutes(aMinutesRecord(1)));
        expect(noCycle).toBeInstanceOf(NotFound);
        expect(noCycle.message).toBe(
          `cycle ${cycleId} does not exist: minutes are recorded for an existing cycle`,
        );
        expect(
          await rejection(repo.saveMinutes(aMinutesRecord(1), { event: anEvent('minutes.accepted') })),
        ).toBeInstanceOf(NotFound);
        expect(await repo.listMinutes(cycleId)).toEqual([]);

        await openCycle(repo);
        const before = await cycleState(repo, cycleId);
        const skipped = await rejection(
          repo.saveMinutes(aMinutesRecord(2), { event: anEvent('minutes.corrected') }),
        );
        expect(skipped).toBeInstanceOf(NotFound);
        expect(skipped.message).toBe(
          `minutes ${cycleId} version 1 does not exist: versions follow each other: version 2 can only replace a recorded version 1`,
        );
        expect(await cycleState(repo, cycleId)).toEqual(before);
      });
    });

    it('stores the minutes, their actions, the cycle and the events together', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const saved = await repo.saveMinutes(aMinutesRecord(1), {
        event: anEvent('minutes.accepted'),
        events: [anEvent('action.created', { n: 1 }), anEvent('action.created', { n: 2 })],
        newActions: [anAction(cycle, 1), anAction(cycle, 2)],
        cycle: { ...cycle, heldAt: HELD_AT, minutesApprovedAt: '2026-10-30T10:00:00.000Z' },
      });
      expect(saved.minutes).toEqual(aMinutesRecord(1));
      expect(saved.cycle).toEqual({
        ...cycle,
        heldAt: HELD_AT,
        minutesApprovedAt: '2026-10-30T10:00:00.000Z',
        version: 2,
      });
      expect(saved.newActions).toEqual([anAction(cycle, 1), anAction(cycle, 2)]);
      expect(saved.changedActions).toEqual([]);
      expect(saved.events.map((event) => `${event.seq} ${event.type}`)).toEqual([
        '2 minutes.accepted',
        '3 action.created',
        '4 action.created',
      ]);
      const records = (await repo.getCycleRecords(cycle.id))!;
      expect(records.cycle).toEqual(saved.cycle);
      expect(records.minutes).toEqual([aMinutesRecord(1)]);
      expect(records.actions).toEqual(saved.newActions);
      expect(records.events.slice(1)).toEqual(saved.events);
      expect(verifyChain(records.events, { head: await repo.getChainHead(cycle.id) }).ok).toBe(true);
      expect(await repo.getMinutes(cycle.id)).toEqual(aMinutesRecord(1));
    });

    it('stores minutes alone for an existing cycle: no event, no action, the cycle unchanged', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const saved = await repo.saveMinutes(aMinutesRecord(1));
      expect(saved).toEqual({ minutes: aMinutesRecord(1), newActions: [], changedActions: [], events: [] });
      expect(await repo.getCycle(cycle.id)).toEqual(cycle);
      expect((await repo.getChainHead(cycle.id)).seq).toBe(1);
      expect(await repo.listMinutes(cycle.id)).toEqual([aMinutesRecord(1)]);
    });

    it('two acceptances of the same version at once: one is stored, the other is AlreadyExists and writes nothing', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const accept = (who: string) =>
        repo.saveMinutes(aMinutesRecord(1, { submittedBy: who }), {
          event: { ...anEvent('minutes.accepted'), actor: who },
          newActions: [anAction(cycle, 1), anAction(cycle, 2)],
          cycle: { ...cycle, heldAt: HELD_AT },
        });
      const results = await Promise.allSettled([accept('alice'), accept('bob')]);
      const lost = results.filter((result) => result.status === 'rejected') as PromiseRejectedResult[];
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(AlreadyExists);
      expect((lost[0]!.reason as Error).message).toBe(
        `minutes ${cycle.id} version 1 already exists: version 1 of the minutes was recorded already (perhaps at the same moment); nothing was written: reload the latest minutes`,
      );
      const records = (await repo.getCycleRecords(cycle.id))!;
      const winner = records.minutes![0]!.submittedBy;
      expect(records.minutes).toHaveLength(1);
      expect(records.events.map((event) => event.actor)).toEqual(['system', winner]);
      expect(records.cycle.version).toBe(2);
      expect(records.actions.map((action) => action.version)).toEqual([1, 1]);
    });

    it('a correction replaces the latest version, cancelling and creating actions; every version is kept', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const first = await repo.saveMinutes(aMinutesRecord(1), {
        event: anEvent('minutes.accepted'),
        newActions: [anAction(cycle, 1), anAction(cycle, 2)],
      });
      const cancelled = first.newActions.map((action) => ({
        ...action,
        status: 'cancelled' as const,
        cancelReason: 'Replaced by the corrected minutes.',
      }));
      const corrected = await repo.saveMinutes(aMinutesRecord(2), {
        event: anEvent('minutes.corrected'),
        newActions: [anAction(cycle, 3), anAction(cycle, 4)],
        changedActions: cancelled,
      });
      expect(corrected.changedActions.map((action) => `${action.status} v${action.version}`)).toEqual([
        'cancelled v2',
        'cancelled v2',
      ]);
      expect(await repo.getMinutes(cycle.id)).toEqual(aMinutesRecord(2));
      expect((await repo.listMinutes(cycle.id)).map((minutes) => minutes.version)).toEqual([1, 2]);
      expect(
        (await repo.listActionsOfCycle(cycle.id)).map((action) => `${action.id.slice(-1)} ${action.status}`),
      ).toEqual(['1 cancelled', '2 cancelled', '3 open', '4 open']);
      expect((await repo.listEvents(cycle.id)).map((event) => event.type)).toEqual([
        'cycle.opened',
        'minutes.accepted',
        'minutes.corrected',
      ]);
    });

    it('refuses a correction built on a stale action or cycle, writing nothing', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const first = await repo.saveMinutes(aMinutesRecord(1), {
        newActions: [anAction(cycle, 1), anAction(cycle, 2)],
      });
      await repo.updateAction({ ...first.newActions[0]!, title: 'Renamed meanwhile' });
      await repo.updateCycle({ ...cycle, heldAt: HELD_AT });
      const before = await cycleState(repo, cycle.id);
      const staleAction = await rejection(
        repo.saveMinutes(aMinutesRecord(2), {
          event: anEvent('minutes.corrected'),
          changedActions: [{ ...first.newActions[0]!, status: 'cancelled', cancelReason: 'Replaced.' }],
        }),
      );
      expect(staleAction).toBeInstanceOf(ConcurrentUpdate);
      expect(staleAction.message).toBe(
        `action ${actionIdFor(cycle.id, 1)} was changed by someone else (expected version 1, found 2); reload and retry`,
      );
      const staleCycle = await rejection(
        repo.saveMinutes(aMinutesRecord(2), {
          event: anEvent('minutes.corrected'),
          cycle: { ...cycle, heldAt: HELD_AT },
        }),
      );
      expect(staleCycle).toBeInstanceOf(ConcurrentUpdate);
      expect(staleCycle.message).toBe(
        `cycle ${cycle.id} was changed by someone else (expected version 1, found 2); reload and retry`,
      );
      expect(await cycleState(repo, cycle.id)).toEqual(before);
    });

    it('hands out copies: changing returned minutes changes nothing stored', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const saved = await repo.saveMinutes(aMinutesRecord(1));
      saved.minutes.content.decisions.pop();
      const read = (await repo.getMinutes(cycle.id))!;
      read.actionIds.pop();
      expect(await repo.getMinutes(cycle.id)).toEqual(aMinutesRecord(1));
      expect(await repo.listMinutes(cycle.id)).toEqual([aMinutesRecord(1)]);
    });
  });
}
