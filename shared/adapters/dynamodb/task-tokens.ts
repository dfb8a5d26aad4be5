/** Parked task tokens on DynamoDB: one per cycle and purpose; completed by a conditional update, so only one caller resumes. */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parseWith } from '../../model/common.ts';
import { ParkedTask, Purpose } from '../../model/records.ts';
import { sortableTime, taskKeys } from '../../store/keys.ts';
import type { TaskTokenStore } from '../../store/task-tokens.ts';
import { isConditionalCheckFailed, toRecord, type DynamoTable, type Item } from './table.ts';

export class DynamoTaskTokenStore implements TaskTokenStore {
  constructor(private readonly table: DynamoTable) {}

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
    // The same token parked again (a retried invocation) changes nothing: were it completed, a
    // re-park would make it resumable a second time.
    await this.table.conditional(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...taskKeys.task(task.cycleId, task.purpose), entity: 'task', ...task },
          ConditionExpression: 'attribute_not_exists(pk) OR taskToken <> :token',
          ExpressionAttributeValues: { ':token': task.taskToken },
        }),
      ),
    );
  }

  async getParkedTask(cycleId: string, purpose: string): Promise<ParkedTask | undefined> {
    const item = await this.table.getItem(taskKeys.task(cycleId, purpose));
    return item && toRecord(ParkedTask, item, 'task token');
  }

  async completeParkedTask(
    cycleId: string,
    purpose: string,
    at: string,
    taskToken?: string,
  ): Promise<ParkedTask | undefined> {
    parseWith(Purpose, purpose, 'purpose');
    const values: Item = { ':parked': 'parked', ':completed': 'completed', ':at': sortableTime(at) };
    let condition = '#status = :parked';
    if (taskToken !== undefined) {
      condition += ' AND taskToken = :token';
      values[':token'] = taskToken;
    }
    try {
      const output = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: taskKeys.task(cycleId, purpose),
          UpdateExpression: 'SET #status = :completed, completedAt = :at',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes && toRecord(ParkedTask, output.Attributes, 'task token');
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }
}
