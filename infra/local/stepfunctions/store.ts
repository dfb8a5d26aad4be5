/**
 * ExecutionStore: where the local Step Functions runtime keeps its executions, checkpoints and task
 * tokens, in the project's one DynamoDB table (shape: shared/store/table-design.ts), under keys that
 * start with `SFN#` so they never meet domain items.
 *
 * | access pattern                         | key condition                                              | index |
 * | -------------------------------------- | ---------------------------------------------------------- | ----- |
 * | execution by name                      | pk = SFN#EXEC#<name>, sk = EXECUTION                       | table |
 * | checkpoint of an execution             | pk = SFN#EXEC#<name>, sk = CHECKPOINT                      | table |
 * | executions by status, oldest first     | gsi1pk = SFN#EXECUTIONS#<status>, gsi1sk = <start>#<name>  | gsi1  |
 * | task token                             | pk = SFN#TOKEN#<sha256(token)>, sk = TOKEN                 | table |
 * | pending task tokens of an execution    | gsi1pk = SFN#EXEC#<name>#TOKENS, gsi1sk = <created>        | gsi1  |
 *
 * A token is stored by its SHA-256 only: the table never holds a usable token. Token items carry the
 * gsi1 keys only while PENDING (sparse), so superseding an execution's tokens reads open ones only.
 * Status changes are conditional writes (RUNNING → closed, PENDING → closed): two writers cannot
 * both close the same execution or token.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export type ClosedStatus = Exclude<ExecutionStatus, 'RUNNING'>;

export const TOKEN_STATUSES = [
  'PENDING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'SUPERSEDED',
  'CLOSED',
] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

const ExecutionItem = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  input: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startDate: z.string(),
  stopDate: z.string().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});
export type ExecutionRecord = z.infer<typeof ExecutionItem>;

const CheckpointItem = z.object({
  stateName: z.string(),
  input: z.string(),
  enteredAt: z.string(),
});
export type Checkpoint = z.infer<typeof CheckpointItem>;

const TokenItem = z.object({
  tokenHash: z.string(),
  executionName: z.string(),
  stateName: z.string(),
  status: z.enum(TOKEN_STATUSES),
  createdAt: z.string(),
  closedAt: z.string().optional(),
});
export type TokenRecord = z.infer<typeof TokenItem>;

export interface ExecutionStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

export interface CloseExecution {
  status: ClosedStatus;
  stopDate: string;
  output?: string;
  error?: string;
  cause?: string;
}

const execKey = (name: string) => ({ pk: `SFN#EXEC#${name}`, sk: 'EXECUTION' });
const checkpointKey = (name: string) => ({ pk: `SFN#EXEC#${name}`, sk: 'CHECKPOINT' });
const tokenKey = (tokenHash: string) => ({ pk: `SFN#TOKEN#${tokenHash}`, sk: 'TOKEN' });
const statusIndexKey = (status: ExecutionStatus, startDate: string, name: string) => ({
  gsi1pk: `SFN#EXECUTIONS#${status}`,
  gsi1sk: `${startDate}#${name}`,
});
const pendingTokensPk = (executionName: string) => `SFN#EXEC#${executionName}#TOKENS`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export class ExecutionStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;

  constructor(options: ExecutionStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
  }

  /** Creates the execution unless one of that name exists; then returns the existing one. */
  async createExecution(
    record: ExecutionRecord,
  ): Promise<{ created: true } | { created: false; existing: ExecutionRecord }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...execKey(record.name),
            ...statusIndexKey(record.status, record.startDate, record.name),
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getExecution(record.name);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async getExecution(name: string): Promise<ExecutionRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: execKey(name), ConsistentRead: true }),
    );
    return Item ? ExecutionItem.parse(Item) : undefined;
  }

  /** Executions with the given status (all statuses when absent), oldest first within a status. */
  async listExecutions(status?: ExecutionStatus): Promise<ExecutionRecord[]> {
    const statuses = status ? [status] : [...EXECUTION_STATUSES];
    const all: ExecutionRecord[] = [];
    for (const s of statuses) {
      const items = await this.queryAll({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `SFN#EXECUTIONS#${s}` },
      });
      all.push(...items.map((item) => ExecutionItem.parse(item)));
    }
    return all;
  }

  /** Closes a RUNNING execution; false when it was not RUNNING (someone else closed it). */
  async closeExecution(record: ExecutionRecord, close: CloseExecution): Promise<boolean> {
    const index = statusIndexKey(close.status, record.startDate, record.name);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': close.status,
      ':running': 'RUNNING',
      ':stopDate': close.stopDate,
      ':gsi1pk': index.gsi1pk,
    };
    const sets = ['#status = :status', 'stopDate = :stopDate', 'gsi1pk = :gsi1pk'];
    for (const field of ['output', 'error', 'cause'] as const) {
      const value = close[field];
      if (value !== undefined) {
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: execKey(record.name),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Records that the execution entered a top-level state with this input (overwrites the last one). */
  async saveCheckpoint(executionName: string, checkpoint: Checkpoint): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...checkpointKey(executionName), ...checkpoint } }),
    );
  }

  async getCheckpoint(executionName: string): Promise<Checkpoint | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: checkpointKey(executionName), ConsistentRead: true }),
    );
    return Item ? CheckpointItem.parse(Item) : undefined;
  }

  /** Parks a new task token (by its hash) as PENDING. */
  async parkToken(token: string, executionName: string, stateName: string, createdAt: string): Promise<void> {
    const tokenHash = hashToken(token);
    const item: TokenRecord = { tokenHash, executionName, stateName, status: 'PENDING', createdAt };
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...tokenKey(tokenHash), gsi1pk: pendingTokensPk(executionName), gsi1sk: createdAt, ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getToken(token: string): Promise<TokenRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: tokenKey(hashToken(token)), ConsistentRead: true }),
    );
    return Item ? TokenItem.parse(Item) : undefined;
  }

  /** PENDING → `status`; false when the token is unknown or no longer PENDING. */
  async closeToken(
    token: string,
    status: Exclude<TokenStatus, 'PENDING'>,
    closedAt: string,
  ): Promise<boolean> {
    return this.closeTokenByHash(hashToken(token), status, closedAt);
  }

  /** Marks every PENDING token of the execution SUPERSEDED (after a crash or a stop); returns how many. */
  async supersedeTokens(executionName: string, closedAt: string): Promise<number> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pendingTokensPk(executionName) },
    });
    let count = 0;
    for (const item of items) {
      const token = TokenItem.parse(item);
      if (await this.closeTokenByHash(token.tokenHash, 'SUPERSEDED', closedAt)) count += 1;
    }
    return count;
  }

  private async closeTokenByHash(tokenHash: string, status: TokenStatus, closedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tokenKey(tokenHash),
          UpdateExpression: 'SET #status = :status, closedAt = :closedAt REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':closedAt': closedAt, ':pending': 'PENDING' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
