/**
 * The small helper every DynamoDB store here is built on: one table (and its append-only events
 * table), records parsed on the way out, one transaction path that maps DynamoDB's cancellation
 * reasons to the ports' named errors, conditional puts, and paged queries.
 *
 * Every conditional write goes through TransactWriteItems, so one code path maps the cancellation
 * reasons (per item, in request order) to the named errors of the port: a failed
 * `attribute_not_exists` → AlreadyExists, a failed version check → ConcurrentUpdate (or NotFound if
 * the item is gone), a moved chain head → ChainConflict, which the writers retry by themselves after
 * re-reading the head (event-chain.ts). A TransactionConflict (another transaction held the item at
 * that moment) is retried the same way.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { documentClient } from '../dynamodb.ts';
import { issuesOf } from '../../model/common.ts';
import { eventsTableNameFor, TTL_ATTRIBUTE } from '../../store/table-design.ts';
import type { Key } from '../../store/keys.ts';
import {
  ChainConflict,
  ConcurrentUpdate,
  CorruptRecord,
  NotFound,
  TransactionTooLarge,
  type RecordKind,
} from '../../store/errors.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type Item = Record<string, unknown>;

/** What to say when the condition of one transaction item fails. `old` is the item as it was, if DynamoDB returned it. */
export type OnConditionFailed = (old: Item | undefined) => Promise<Error> | Error;

/** One item of a transaction, and the error its failed condition means. */
export interface Step {
  readonly op: TransactItem;
  readonly onConditionFailed?: OnConditionFailed;
}

/** Another transaction held one of the items; retrying is safe because nothing was written. */
export class TransientConflict extends Error {
  override name = 'TransientConflict' as const;
}

/** Attributes that belong to storage, not to the record: removed before a record is parsed. */
const STORAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'entity',
  'eventHeadSeq',
  'eventHeadHash',
  'eventHeadAt',
  TTL_ATTRIBUTE,
];

const DAY_SECONDS = 86_400;
const MAX_TRANSACTION_ITEMS = 100;

/** Epoch seconds of an ISO time plus whole days: a TTL attribute value. */
export function ttlAfter(at: string, days: number): number {
  return Math.floor(Date.parse(at) / 1000) + days * DAY_SECONDS;
}

/** A number attribute from an item that may be unmarshalled ({version: 3}) or raw ({version: {N: '3'}}). */
export function numberAttribute(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name];
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'N' in value) return Number((value as { N: string }).N);
  return undefined;
}

/** A stored item as its record: storage attributes removed, parsed with its schema (CorruptRecord if it does not match). */
export function toRecord<S extends z.ZodType>(schema: S, item: Item, what: string): z.output<S> {
  const record: Item = { ...item };
  for (const name of STORAGE_ATTRIBUTES) delete record[name];
  const result = schema.safeParse(record);
  if (!result.success) {
    const issues = issuesOf(result.error)
      .map((issue) => `${issue.path}: ${issue.message}`)
      .join('; ');
    throw new CorruptRecord(
      `stored ${what} (${String(item.pk)} / ${String(item.sk)}) does not match its schema: ${issues}`,
    );
  }
  return result.data;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export interface DynamoTableOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * The append-only events table (shared/store/table-design.ts eventsTableDesign); default: the
   * main table's name with `-events` (eventsTableNameFor).
   */
  readonly eventsTableName?: string;
}

export class DynamoTable {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly eventsTableName: string;

  constructor(options: DynamoTableOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.eventsTableName = options.eventsTableName?.trim() || eventsTableNameFor(options.tableName);
  }

  /** Runs the steps as one transaction; a failed condition becomes its step's named error. */
  async transact(steps: readonly Step[]): Promise<void> {
    if (steps.length > MAX_TRANSACTION_ITEMS) {
      throw new TransactionTooLarge(
        `this write needs ${steps.length} items but one transaction holds at most ${MAX_TRANSACTION_ITEMS}; split it`,
      );
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: steps.map((step) => step.op) }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      const reasons =
        (error as { CancellationReasons?: { Code?: string; Item?: Item }[] }).CancellationReasons ?? [];
      let chainConflict: Error | undefined;
      let transient = false;
      for (const [index, reason] of reasons.entries()) {
        if (reason.Code === 'ConditionalCheckFailed') {
          const step = steps[index];
          const mapped = step?.onConditionFailed
            ? await step.onConditionFailed(reason.Item)
            : (error as Error);
          if (mapped instanceof ChainConflict) chainConflict ??= mapped;
          else throw mapped;
        } else if (reason.Code === 'TransactionConflict') {
          transient = true;
        } else if (reason.Code && reason.Code !== 'None') {
          throw error;
        }
      }
      if (chainConflict) throw chainConflict;
      if (transient) throw new TransientConflict('another transaction held one of the items; retry');
      throw error;
    }
  }

  /** A Put that must create the item (`attribute_not_exists`), failing as `onExists` says. */
  createStep(item: Item, onExists: () => Error): Step {
    return {
      op: { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed: onExists,
    };
  }

  /** A check in a transaction that the item exists, failing as `onMissing` says. */
  existsStep(key: Key, onMissing: () => Error): Step {
    return {
      op: {
        ConditionCheck: { TableName: this.tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' },
      },
      onConditionFailed: onMissing,
    };
  }

  /** A Put of a versioned record read at `expectedVersion` (ConcurrentUpdate / NotFound). */
  versionedPutStep(kind: RecordKind, id: string, item: Item, expectedVersion: number): Step {
    const key: Key = { pk: String(item.pk), sk: String(item.sk) };
    return {
      op: {
        Put: {
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: async (old) => {
        const current = old ?? (await this.getItem(key));
        if (!current) return new NotFound(kind, id);
        return new ConcurrentUpdate(kind, id, expectedVersion, numberAttribute(current, 'version'));
      },
    };
  }

  /** Puts the item unless its key exists; false when it did. */
  async putIfAbsent(item: Item): Promise<boolean> {
    return this.conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** Runs a conditional write; false when its condition failed, any other error thrown. */
  async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async getItem(key: Key): Promise<Item | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return output.Item;
  }

  /** Every item of a partition whose sort key starts with `prefix`, consistently read. */
  queryPrefix(pk: string, prefix: string): Promise<Item[]> {
    return this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      },
      undefined,
      true,
    );
  }

  /** Every page of a query (LastEvaluatedKey loop), stopping early once `limit` items are read. */
  async queryAll(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit?: number,
    consistent = false,
    tableName = this.tableName,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          ...input,
          TableName: tableName,
          ...(consistent && !input.IndexName ? { ConsistentRead: true } : {}),
          ...(limit !== undefined ? { Limit: limit - items.length } : {}),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey && (limit === undefined || items.length < limit));
    return items;
  }

  /** A query on an index partition, optionally bounded above by `sk <= to`, all pages. */
  queryIndex(
    index: 'gsi1' | 'gsi2',
    partition: string,
    options: { to?: string; newestFirst?: boolean; limit?: number } = {},
  ): Promise<Item[]> {
    const values: Item = { ':pk': partition };
    if (options.to !== undefined) values[':to'] = options.to;
    return this.queryAll(
      {
        IndexName: index,
        KeyConditionExpression: `${index}pk = :pk${options.to !== undefined ? ` AND ${index}sk <= :to` : ''}`,
        ExpressionAttributeValues: values,
        ...(options.newestFirst !== undefined ? { ScanIndexForward: !options.newestFirst } : {}),
      },
      options.limit,
    );
  }
}
