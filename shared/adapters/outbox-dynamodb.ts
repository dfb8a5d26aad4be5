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
 * Every change is conditional, so two attempts can never both hold a claim: the claim is a put
 * with attribute_not_exists, and every later change is conditional on the status and the attempt
 * number that holds the claim. Reads are consistent.
 *
 * Batches (Outbox.sendAll): `claimAll` puts the claims and the reply tokens their messages carry in
 * one TransactWriteItems; `markAllSent` marks the records SENT (hook done), links the reply tokens
 * to the Message-IDs and appends the `mail.sent` events to the cycle's chain, in one
 * TransactWriteItems per cycle, on the event chain the repository uses (DynamoDbRepository.outboxStore),
 * so neither reads the chain head it already knows. The write that records mail as sent is tried again
 * while DynamoDB throttles it (`patiently`): the mail has gone, and a record that fails would leave it
 * to be sent once more after the claim's lease.
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
import { EventChain } from './dynamodb/event-chain.ts';
import { replyLinkItem, replyTokenItem } from './dynamodb/mail-records.ts';
import { DynamoTable, type Step } from './dynamodb/table.ts';
import { parseWith } from '../model/common.ts';
import { AlreadyExists } from '../store/errors.ts';
import { EventDraft } from '../model/event.ts';
import {
  OutboxRecord,
  entriesByCycle,
  type ClaimResult,
  type OutboxClaim,
  type OutboxStore,
  type SentEntry,
  type SentFields,
} from '../mail/outbox.ts';

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

/** A record of the batch is claimed already, or no longer held: the batch wrote nothing. */
class BatchRefused extends Error {
  override name = 'BatchRefused' as const;
}

/** DynamoDB's names for a request it throttled and did not carry out (so it may be sent again). */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
/** Tries of the write that records mail as sent, beyond the SDK's own, and the first pause between them. */
const RECORD_RETRIES = 4;
const RECORD_PAUSE_MS = 250;

/** Whether DynamoDB throttled `error`'s request, or a transaction's item, and wrote nothing. */
function throttled(error: unknown): boolean {
  const { name, CancellationReasons: reasons } = error as {
    name?: string;
    CancellationReasons?: { Code?: string }[];
  };
  if (name && THROTTLED.has(name)) return true;
  return name === 'TransactionCanceledException' && (reasons ?? []).some((r) => r.Code === 'ThrottlingError');
}

/**
 * Runs `write` again while DynamoDB throttles it after the SDK's own retries: up to RECORD_RETRIES
 * more times, pausing 250 ms, 500 ms, 1 s and 2 s. For the write that records mail as sent: the mail
 * has gone, and a record that fails leaves it to be sent once more after the claim's lease.
 */
async function patiently(write: () => Promise<void>): Promise<void> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await write();
    } catch (error) {
      if (retry >= RECORD_RETRIES || !throttled(error)) throw error;
      await new Promise((wake) => setTimeout(wake, RECORD_PAUSE_MS * 2 ** retry));
    }
  }
}

export type DynamoOutboxStoreOptions =
  | { client: DynamoDBClient; tableName: string; eventsTableName?: string }
  /** The table and event chain of the repository, so that both know the same chain heads. */
  | { table: DynamoTable; chain: EventChain };

export class DynamoOutboxStore implements OutboxStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #tables: DynamoTable;
  readonly #chain: EventChain;

  constructor(options: DynamoOutboxStoreOptions) {
    if ('table' in options) {
      this.#tables = options.table;
      this.#chain = options.chain;
    } else {
      this.#tables = new DynamoTable(options);
      this.#chain = new EventChain(this.#tables);
    }
    this.#doc = 'table' in options ? options.table.doc : documentClient(options.client);
    this.#table = this.#tables.tableName;
  }

  async claimAll(claims: readonly OutboxClaim[]): Promise<boolean> {
    if (claims.length === 0) return true;
    const steps: Step[] = claims.flatMap((claim) => {
      const valid = OutboxRecord.parse(claim.record);
      return [
        this.#tables.createStep(
          { ...outboxKey(valid.cycleId, valid.key), entity: 'outbox', ...valid },
          () => new BatchRefused(`the message ${valid.key} of cycle ${valid.cycleId} is claimed already`),
        ),
        ...(claim.replyTokens ?? []).map((token) =>
          this.#tables.createStep(
            replyTokenItem(token),
            () => new AlreadyExists('reply token', token.tokenId, 'issue a new token id'),
          ),
        ),
      ];
    });
    try {
      await this.#tables.transact(steps);
      return true;
    } catch (error) {
      if (error instanceof BatchRefused) return false;
      throw error;
    }
  }

  async markAllSent(entries: readonly SentEntry[]): Promise<boolean> {
    let all = true;
    for (const [cycleId, group] of entriesByCycle(entries)) {
      const drafts = group.flatMap((entry) =>
        entry.event ? [parseWith(EventDraft, entry.event, `event for cycle ${cycleId}`)] : [],
      );
      const marks = group.map((entry) => this.#sentStep(entry));
      const links = group.flatMap((entry) =>
        (entry.replyLinks ?? []).map((link): Step => ({
          op: {
            Put: {
              TableName: this.#table,
              Item: replyLinkItem(entry.sent.messageId, link.tokenId, link.expiresAt),
            },
          },
        })),
      );
      try {
        await patiently(async () => {
          await this.#chain.writeMany(cycleId, drafts, (events, head) => [
            ...marks,
            ...links,
            ...this.#chain.appendSteps(cycleId, events, head),
          ]);
        });
      } catch (error) {
        if (!(error instanceof BatchRefused)) throw error;
        all = false;
      }
    }
    return all;
  }

  /** PENDING held by the entry's attempt → SENT, hook done. */
  #sentStep(entry: SentEntry): Step {
    const fields: Record<string, unknown> = { ...entry.sent, status: 'SENT', hookDone: true };
    const names: Record<string, string> = { '#status': 'status', '#attempt': 'attempt' };
    const values: Record<string, unknown> = { ':pending': 'PENDING', ':held': entry.attempt };
    const assignments = Object.entries(fields).map(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    return {
      op: {
        Update: {
          TableName: this.#table,
          Key: outboxKey(entry.cycleId, entry.key),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: '#status = :pending AND #attempt = :held',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: () =>
        new BatchRefused(
          `the message ${entry.key} of cycle ${entry.cycleId} is no longer held by this attempt`,
        ),
    };
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): DynamoOutboxStore {
    const { client, tableName } = createDynamoClients(env);
    const eventsTableName = env.EVENTS_TABLE_NAME?.trim();
    return new DynamoOutboxStore({ client, tableName, ...(eventsTableName ? { eventsTableName } : {}) });
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
