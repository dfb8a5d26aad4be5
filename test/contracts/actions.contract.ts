/**
 * What every ActionStore does: actions created together all or nothing, changed by version, and
 * listed by cycle, by owner and due date, and by follow-up date while they need follow-up.
 */
import { describe, expect, it } from 'vitest';
import { InvalidData } from '#shared/model/common.ts';
import { actionIdFor } from '#shared/model/ids.ts';
import { AlreadyExists, ConcurrentUpdate, NotFound } from '#shared/store/repository.ts';
import {
  aCycle,
  anAction,
  anEvent,
  cycleState,
  openCycle,
  rejection,
  type MakeRepository,
} from './records.ts';

const ids = (list: { id: string }[]) => list.map((action) => action.id.slice(-3));

export function actionStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`ActionStore contract: ${name}`, () => {
    describe('bad input and missing records', () => {
      it('refuses no actions, actions of two cycles, one listed twice, or not new; writes nothing', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const other = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
        const before = await cycleState(repo, cycle.id);
        const none = await rejection(repo.createActions([]));
        expect(none).toBeInstanceOf(InvalidData);
        expect(none.message).toBe('new actions is not valid: (root): give at least one action');
        const mixed = await rejection(
          repo.createActions([
            anAction(cycle, 1),
            anAction(other, 2),
            anAction(cycle, 1),
            anAction(cycle, 3, { version: 2 }),
          ]),
        );
        expect(mixed).toBeInstanceOf(InvalidData);
        expect(mixed.message).toBe(
          `new actions is not valid: [1].cycleId: actions created together belong to one cycle (${cycle.id}); ` +
            `[2].id: ${actionIdFor(cycle.id, 1)} is listed twice; [3].version: a new action has version 1`,
        );
        const shapeless = await rejection(repo.createActions([anAction(cycle, 1, { dueDate: 'soon' })]));
        expect(shapeless).toBeInstanceOf(InvalidData);
        expect(shapeless.message).toContain(`action ${actionIdFor(cycle.id, 1)} is not valid: dueDate:`);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('answers an unknown action with undefined, a malformed id with an error, a change to it with NotFound', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const action = anAction(cycle, 7);
        expect(await repo.getAction(action.id)).toBeUndefined();
        await expect(repo.getAction('not-an-action')).rejects.toThrow('is not an action id');
        const before = await cycleState(repo, cycle.id);
        const missing = await rejection(repo.updateAction(action, { event: anEvent('action.changed') }));
        expect(missing).toBeInstanceOf(NotFound);
        expect(missing.message).toBe(`action ${action.id} does not exist: check the id`);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });
    });

    it('creates the actions of the minutes all or nothing', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      await repo.createActions([anAction(cycle, 3)]);
      const error = await rejection(
        repo.createActions([anAction(cycle, 1), anAction(cycle, 2), anAction(cycle, 3)], {
          event: anEvent('actions.created'),
        }),
      );
      expect(error).toBeInstanceOf(AlreadyExists);
      expect(error.message).toBe(
        `action ${actionIdFor(cycle.id, 3)} already exists: it was already recorded; nothing was written`,
      );
      expect((await repo.listActionsOfCycle(cycle.id)).map((action) => action.id)).toEqual([
        actionIdFor(cycle.id, 3),
      ]);
      expect((await repo.getChainHead(cycle.id)).seq).toBe(1);
    });

    it('creates actions with their event, and returns what it stored', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const created = await repo.createActions([anAction(cycle, 2), anAction(cycle, 1)], {
        event: anEvent('actions.created', { count: 2 }),
      });
      expect(created.actions).toEqual([anAction(cycle, 2), anAction(cycle, 1)]);
      expect(created.event).toMatchObject({ seq: 2, type: 'actions.created', data: { count: 2 } });
      expect(await repo.listEvents(cycle.id, 2)).toEqual([created.event]);
      expect(await repo.listActionsOfCycle(cycle.id)).toEqual([anAction(cycle, 1), anAction(cycle, 2)]);
      expect(await repo.getAction(actionIdFor(cycle.id, 2))).toEqual(anAction(cycle, 2));
    });

    it('updates an action with several events in one write: chained in order, or none when stale', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const { actions } = await repo.createActions([anAction(cycle, 1)]);
      const action = actions[0]!;
      const before = await cycleState(repo, cycle.id);
      const stale = await rejection(
        repo.updateAction(
          { ...action, version: 7 },
          { events: [anEvent('action.overdue_notice_sent'), anEvent('action.escalated')] },
        ),
      );
      expect(stale).toBeInstanceOf(ConcurrentUpdate);
      expect(await cycleState(repo, cycle.id)).toEqual(before);

      const { action: stored, event } = await repo.updateAction(
        { ...action, escalationLevel: 2 },
        {
          event: anEvent('action.reminder_sent'),
          events: [anEvent('action.overdue_notice_sent'), anEvent('action.escalated', { level: 2 })],
        },
      );
      expect(stored.version).toBe(2);
      const appended = await repo.listEvents(cycle.id, 2);
      expect(appended.map((e) => [e.seq, e.type])).toEqual([
        [2, 'action.reminder_sent'],
        [3, 'action.overdue_notice_sent'],
        [4, 'action.escalated'],
      ]);
      expect(event).toEqual(appended[2]);
      expect(appended[1]!.prevHash).toBe(appended[0]!.hash);
      expect(await repo.getChainHead(cycle.id)).toEqual({ seq: 4, hash: appended[2]!.hash });
      expect(await repo.getAction(action.id)).toEqual(stored);
    });

    it('the follow-up index holds only actions that need follow-up; the owner index holds all', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const { actions } = await repo.createActions(
        [
          anAction(cycle, 1, { dueDate: '2026-11-30' }),
          anAction(cycle, 2, { dueDate: '2026-12-31', ownerId: 'cfo' }),
          anAction(cycle, 3, { dueDate: '2026-11-15' }),
        ],
        { event: anEvent('actions.created', { count: 3 }) },
      );
      expect(ids(await repo.listActionsNeedingFollowUp('example-ltd'))).toEqual(['003', '001', '002']);
      expect(ids(await repo.listActionsNeedingFollowUp('example-ltd', '2026-11-30'))).toEqual(['003', '001']);

      const cancelled = {
        ...actions[0]!,
        status: 'cancelled' as const,
        cancelReason: 'Merged into action 3.',
        history: [
          ...actions[0]!.history,
          { at: '2026-11-01T09:00:00.000Z', by: 'alice', change: 'cancelled' },
        ],
      };
      const { action: stored, event } = await repo.updateAction(cancelled, {
        event: anEvent('action.cancelled'),
      });
      expect(stored.version).toBe(2);
      expect(event?.seq).toBe(3);
      expect(ids(await repo.listActionsNeedingFollowUp('example-ltd'))).toEqual(['003', '002']);
      expect(ids(await repo.listActionsByOwner('example-ltd', 'ciso'))).toEqual(['003', '001']);
      expect(await repo.getAction(actions[0]!.id)).toEqual(stored);

      const stale = await rejection(repo.updateAction({ ...actions[0]!, title: 'Renamed' }));
      expect(stale).toBeInstanceOf(ConcurrentUpdate);
      expect(stale.message).toBe(
        `action ${actions[0]!.id} was changed by someone else (expected version 1, found 2); reload and retry`,
      );
    });

    it('follows a done corrective action up by its effectiveness check, until the check has a result', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const { actions } = await repo.createActions([
        anAction(cycle, 1, { corrective: true, dueDate: '2026-11-30' }),
      ]);
      const done = {
        ...actions[0]!,
        status: 'done' as const,
        closureEvidence: { text: 'Findings closed.', at: '2026-11-20T09:00:00.000Z', by: 'ciso' },
        // Confirmed by the ISMS manager: from then on only its effectiveness check is followed up.
        closureConfirmation: {
          by: 'alice',
          at: '2026-11-21T09:00:00.000Z',
          source: { channel: 'cli' as const },
        },
        effectivenessCheck: { assigneeId: 'auditor', dueDate: '2027-02-28' },
      };
      const { action } = await repo.updateAction(done);
      expect(await repo.listActionsNeedingFollowUp('example-ltd', '2026-12-31')).toEqual([]);
      expect(await repo.listActionsNeedingFollowUp('example-ltd', '2027-02-28')).toEqual([action]);
      const verified = {
        ...action,
        status: 'verified' as const,
        effectivenessCheck: {
          ...done.effectivenessCheck,
          result: 'passed' as const,
          checkedAt: '2027-02-20T09:00:00.000Z',
        },
      };
      await repo.updateAction(verified);
      expect(await repo.listActionsNeedingFollowUp('example-ltd')).toEqual([]);
      expect(ids(await repo.listActionsByOwner('example-ltd', 'ciso'))).toEqual(['001']);
    });

    it('lists an owner’s actions across cycles by due date, and keeps programmes and owners apart', async () => {
      const repo = await makeRepo();
      const { cycle: q3 } = await openCycle(repo);
      const { cycle: q4 } = await openCycle(repo, aCycle({}, new Date('2027-01-01T08:00:00.000Z')));
      await repo.createActions([
        anAction(q4, 1, { dueDate: '2027-03-31' }),
        anAction(q4, 2, { dueDate: '2026-12-01' }),
      ]);
      await repo.createActions([anAction(q3, 1, { dueDate: '2027-01-15' })]);
      expect(
        (await repo.listActionsByOwner('example-ltd', 'ciso')).map((a) => `${a.cycleId} ${a.dueDate}`),
      ).toEqual([`${q4.id} 2026-12-01`, `${q3.id} 2027-01-15`, `${q4.id} 2027-03-31`]);
      expect(await repo.listActionsByOwner('example-ltd', 'cfo')).toEqual([]);
      expect(await repo.listActionsByOwner('other-org', 'ciso')).toEqual([]);
      expect(await repo.listActionsNeedingFollowUp('other-org')).toEqual([]);
      expect(ids(await repo.listActionsOfCycle(q4.id))).toEqual(['001', '002']);
    });

    it('hands out copies: changing a returned action changes nothing stored', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const { actions } = await repo.createActions([anAction(cycle, 1)]);
      actions[0]!.history.push({ at: '2026-11-01T09:00:00.000Z', by: 'mallory', change: 'nothing' });
      const read = (await repo.getAction(actions[0]!.id))!;
      read.history[0]!.change = 'rewritten';
      expect(await repo.getAction(actions[0]!.id)).toEqual(anAction(cycle, 1));
    });
  });
}
