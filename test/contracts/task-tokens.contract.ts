/**
 * What every TaskTokenStore does: one parked task per cycle and purpose, a newer wait replacing an
 * older one, each completed once, and only the very token asked for when one is named.
 */
import { describe, expect, it } from 'vitest';
import { InvalidData } from '#shared/model/common.ts';
import { aCycle, openCycle, rejection, type MakeRepository } from './records.ts';

const parked = (taskToken: string, parkedAt: string, purpose = 'inputs') => ({
  cycleId: aCycle().id,
  purpose,
  taskToken,
  parkedAt,
});

export function taskTokenStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`TaskTokenStore contract: ${name}`, () => {
    it('refuses a task out of schema and a malformed purpose, and stores nothing', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const error = await rejection(repo.parkTaskToken(parked('', '2026-10-01T09:00:00.000Z')));
      expect(error).toBeInstanceOf(InvalidData);
      expect(error.message).toBe(
        `task token for ${cycle.id} inputs is not valid: taskToken: expected a task token`,
      );
      expect(
        await rejection(repo.parkTaskToken(parked('t', '2026-10-01T09:00:00.000Z', 'Inputs!'))),
      ).toBeInstanceOf(InvalidData);
      expect(
        await rejection(repo.completeParkedTask(cycle.id, 'Inputs!', '2026-10-05T09:00:00.000Z')),
      ).toBeInstanceOf(InvalidData);
      expect(await repo.getParkedTask(cycle.id, 'inputs')).toBeUndefined();
      expect((await repo.getCycleRecords(cycle.id))?.parkedTasks).toEqual([]);
    });

    it('a parked task token is completed exactly once, and a newer wait is not completed by an old token', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      await repo.parkTaskToken(parked('token-1', '2026-10-01T09:00:00.000Z'));
      await repo.parkTaskToken(parked('token-2', '2026-10-04T09:00:00.000Z'));
      expect(
        await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-05T09:00:00.000Z', 'token-1'),
      ).toBeUndefined();
      const [first, second] = await Promise.all([
        repo.completeParkedTask(cycle.id, 'inputs', '2026-10-05T09:00:00.000Z'),
        repo.completeParkedTask(cycle.id, 'inputs', '2026-10-05T09:00:00.000Z'),
      ]);
      const completed = [first, second].filter((task) => task !== undefined);
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({
        taskToken: 'token-2',
        status: 'completed',
        completedAt: '2026-10-05T09:00:00.000Z',
      });
      expect(await repo.getParkedTask(cycle.id, 'inputs')).toEqual(completed[0]);
      expect(await repo.completeParkedTask(cycle.id, 'minutes', '2026-10-05T09:00:00.000Z')).toBeUndefined();
    });

    it('completes the very token named, once; a new wait after completion is parked afresh', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      await repo.parkTaskToken(parked('token-1', '2026-10-01T09:00:00.000Z'));
      const done = await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-02T09:00:00Z', 'token-1');
      expect(done).toEqual({
        ...parked('token-1', '2026-10-01T09:00:00.000Z'),
        status: 'completed',
        completedAt: '2026-10-02T09:00:00.000Z',
      });
      expect(
        await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-02T09:01:00.000Z', 'token-1'),
      ).toBeUndefined();
      await repo.parkTaskToken(parked('token-3', '2026-10-03T09:00:00.000Z'));
      expect(await repo.getParkedTask(cycle.id, 'inputs')).toEqual({
        ...parked('token-3', '2026-10-03T09:00:00.000Z'),
        status: 'parked',
      });
      expect(await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-04T09:00:00.000Z')).toMatchObject({
        taskToken: 'token-3',
        status: 'completed',
      });
    });

    it('parking the same token again changes nothing: a completed task is not resumable twice', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      await repo.parkTaskToken(parked('token-1', '2026-10-01T09:00:00.000Z'));
      expect(await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-02T09:00:00.000Z')).toMatchObject({
        taskToken: 'token-1',
      });
      await repo.parkTaskToken(parked('token-1', '2026-10-03T09:00:00.000Z'));
      expect(await repo.getParkedTask(cycle.id, 'inputs')).toMatchObject({
        status: 'completed',
        parkedAt: '2026-10-01T09:00:00.000Z',
      });
      expect(await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-04T09:00:00.000Z')).toBeUndefined();
    });

    it('keeps purposes apart, listed by purpose among the cycle’s records', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      await repo.parkTaskToken(parked('token-m', '2026-10-29T09:00:00.000Z', 'minutes'));
      await repo.parkTaskToken(parked('token-i', '2026-10-01T09:00:00.000Z', 'inputs'));
      await repo.parkTaskToken(
        parked('token-a', '2026-11-01T09:00:00.000Z', 'action.A-20261001T0800Z-Q-003'),
      );
      await repo.completeParkedTask(cycle.id, 'minutes', '2026-10-30T09:00:00.000Z');
      const tasks = (await repo.getCycleRecords(cycle.id))!.parkedTasks;
      expect(tasks.map((task) => `${task.purpose} ${task.status}`)).toEqual([
        'action.A-20261001T0800Z-Q-003 parked',
        'inputs parked',
        'minutes completed',
      ]);
      expect((await repo.getParkedTask(cycle.id, 'inputs'))?.taskToken).toBe('token-i');
    });
  });
}
