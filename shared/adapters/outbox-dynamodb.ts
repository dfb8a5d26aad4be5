/**
 * The outbox (shared/mail/outbox.ts) on the one table.
 *
 * | item          | pk          | sk           |
 * | ------------- | ----------- | ------------ |
 * | outbox record | CYCLE#<c>   | MAIL#<key>   |
 *
 * | pattern                         | key condition                                         |
 * | ------------------------------- | ----------------------------------------------------- |
 * | one message of a cycle          | pk = CYCLE#<c> AND sk = MAIL#<key>                    |
 * | messages sent in a cycle        | pk = CYCLE#<c> AND begins_with(sk, MAIL#), status SENT |
 *
 * Every change is one conditional write on one item, so two attempts can never both hold a
 * claim: the claim is a put with attribute_not_exists, and every later change is conditional on
 * the status and the attempt number that holds the claim. Reads are consistent.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createDynamoClients, documentClient } from './dynamodb.ts';
import { OutboxRecord, type ClaimResult, type OutboxStore, type SentFields } from '../mail/outbox.ts';

export class CorruptOutboxRecord extends Error {
  override name = 'CorruptOutboxRecord' as const;
}

export class OutboxRecordVanished extends Error {
  override name = 'OutboxRecordVanished' as const;
}

const MAIL_PREFIX = 'MAIL#';

export function outboxKey(cycleId: string, key: string): { pk: string; sk: string } {
  return { pk: `CYCLE#${cycleId}`, sk: `${MAIL_PREFIX}${key}` };
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

function toRecord(item: Record<string, unknown>): OutboxRecord {
  const { pk: _pk, sk, entity: _entity, ...rest } = item;
  const parsed = OutboxRecord.safeParse(rest);
  if (!parsed.success) {
    throw new CorruptOutboxRecord(
      `The outbox record ${String(sk)} does not match its schema: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

export interface DynamoOutboxStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoOutboxStore implements OutboxStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoOutboxStoreOptions) {
    this.#doc = documentClient(options.client);
    this.#table = options.tableName;
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): DynamoOutboxStore {
    const { client, tableName } = createDynamoClients(env);
    return new DynamoOutboxStore({ client, tableName });
  }

  async claim(record: OutboxRecord): Promise<ClaimResult> {
    const valid = OutboxRecord.parse(record);
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...outboxKey(valid.cycleId, valid.key), entity: 'outbox', ...valid },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.get(valid.cycleId, valid.key);
    if (!existing) {
      throw new OutboxRecordVanished(
        `The outbox record ${valid.key} of cycle ${valid.cycleId} existed a moment ago and is gone; try again`,
      );
    }
    return { claimed: false, existing };
  }

  /** One conditional update on a record PENDING at `attempt`; false when the condition fails. */
  async #updateHeld(
    cycleId: string,
    key: string,
    attempt: number,
    set: Record<string, unknown>,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#attempt': 'attempt' };
    const values: Record<string, unknown> = { ':pending': 'PENDING', ':held': attempt };
    const assignments = Object.entries(set).map(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    const input: UpdateCommandInput = {
      TableName: this.#table,
      Key: outboxKey(cycleId, key),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ConditionExpression: '#status = :pending AND #attempt = :held',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      await this.#doc.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  takeOver(
    cycleId: string,
    key: string,
    fromAttempt: number,
    lease: { claimedAt: string; leaseUntil: string },
  ): Promise<boolean> {
    return this.#updateHeld(cycleId, key, fromAttempt, { ...lease, attempt: fromAttempt + 1 });
  }

  async release(cycleId: string, key: string, attempt: number, at: string): Promise<void> {
    await this.#updateHeld(cycleId, key, attempt, { leaseUntil: at });
  }

  markSent(cycleId: string, key: string, attempt: number, sent: SentFields): Promise<boolean> {
    return this.#updateHeld(cycleId, key, attempt, { ...sent, status: 'SENT', hookDone: false });
  }

  async markHookDone(cycleId: string, key: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: outboxKey(cycleId, key),
          UpdateExpression: 'SET hookDone = :done',
          ConditionExpression: '#status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': true, ':sent': 'SENT' },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async get(cycleId: string, key: string): Promise<OutboxRecord | undefined> {
    const result = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: outboxKey(cycleId, key), ConsistentRead: true }),
    );
    return result.Item && toRecord(result.Item);
  }

  async listSent(cycleId: string): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: '#status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': `CYCLE#${cycleId}`, ':prefix': MAIL_PREFIX, ':sent': 'SENT' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records.sort(
      (a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? '') || a.key.localeCompare(b.key),
    );
  }
}
