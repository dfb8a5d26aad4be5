/** TaskTokenStore in memory: one parked task per cycle and purpose (TASK#<purpose>), resumed once. */
import { parseWith } from '#shared/model/common.ts';
import { ParkedTask, Purpose } from '#shared/model/records.ts';
import { sortableTime, taskKeys } from '#shared/store/keys.ts';
import type { TaskTokenStore } from '#shared/store/task-tokens.ts';
import { toRecord, type MemoryTables } from './table.ts';

export class MemoryTaskTokenStore implements TaskTokenStore {
  constructor(private readonly tables: MemoryTables) {}

  /** A newer wait replaces an older one, completed or not. */
  async parkTaskToken(input: {
    cycleId: string;
    purpose: string;
    taskToken: string;
    parkedAt: string;
  }): Promise<void> {
    const task = parseWith(
      ParkedTask,
      { ...input, status: 'parked' },
      `task token for ${input.cycleId} ${input.purpose}`,
    );
    const key = taskKeys.task(task.cycleId, task.purpose);
    // The same token parked again (a retried invocation) changes nothing, as on DynamoDB.
    if (this.tables.main.get(key)?.taskToken === task.taskToken) return;
    this.tables.main.put({ ...key, entity: 'task', ...task });
  }

  async getParkedTask(cycleId: string, purpose: string): Promise<ParkedTask | undefined> {
    const item = this.tables.main.get(taskKeys.task(cycleId, purpose));
    return item && toRecord(ParkedTask, item, 'task token');
  }

  async completeParkedTask(
    cycleId: string,
    purpose: string,
    at: string,
    taskToken?: string,
  ): Promise<ParkedTask | undefined> {
    parseWith(Purpose, purpose, 'purpose');
    const completedAt = sortableTime(at);
    const key = taskKeys.task(cycleId, purpose);
    const parked = this.tables.main.get(key);
    if (parked?.status !== 'parked' || (taskToken !== undefined && parked.taskToken !== taskToken))
      return undefined;
    const completed = { ...parked, status: 'completed', completedAt };
    this.tables.main.put(completed);
    return toRecord(ParkedTask, completed, 'task token');
  }
}
