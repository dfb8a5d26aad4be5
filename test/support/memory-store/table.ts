/**
 * The in-memory stand-in for the review's two DynamoDB tables (shared/store/table-design.ts): items
 * live under the very keys of shared/store/keys.ts, queries return them in DynamoDB's order (by sort
 * key, as UTF-8 bytes), and a transaction checks every condition before it writes anything. Keeping
 * the table's shape, rather than one map per record kind, is what lets the stores in this folder
 * answer every list in the order the DynamoDB adapter does, and makes a write across aggregates
 * (a cycle, its requests and its event) all or nothing in the same way.
 *
 * Items are stored as the document client would store them (undefined values and functions
 * dropped, deep copies), and read through `toRecord`, which parses a copy: no caller ever holds an
 * object the table holds. Time to live is not kept: nothing in a test lives long enough to expire.
 */
import { issuesOf } from '#shared/model/common.ts';
import type { Key } from '#shared/store/keys.ts';
import { ChainConflict, CorruptRecord, TransactionTooLarge } from '#shared/store/repository.ts';
import type { z } from 'zod';

export type Item = Record<string, unknown>;

/** DynamoDB's limits: items in one TransactWriteItems, bytes in one item. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_ITEM_BYTES = 400 * 1024;

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
  'ttl',
];

/** What DynamoDB answers a request it refuses outright (the SDK error's name and words). */
export class ValidationException extends Error {
  override name = 'ValidationException' as const;
}

/** A condition failed on an item whose step names no error of its own. */
export class TransactionCanceled extends Error {
  override name = 'TransactionCanceledException' as const;
}

/** Strings compare as DynamoDB compares them: by their UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A deep copy as the document client writes it: undefined values and functions are left out. */
function storedCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((entry) => entry !== undefined && typeof entry !== 'function').map(storedCopy);
  }
  if (value !== null && typeof value === 'object') {
    const copy: Item = {};
    for (const [name, entry] of Object.entries(value)) {
      if (entry !== undefined && typeof entry !== 'function') copy[name] = storedCopy(entry);
    }
    return copy;
  }
  return value;
}

/** Roughly what DynamoDB counts against the 400 KB item limit: names and values as UTF-8. */
function itemBytes(item: Item): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8');
}

/** The record an item holds, parsed from a copy; CorruptRecord when it no longer fits its schema. */
export function toRecord<S extends z.ZodType>(schema: S, item: Item, what: string): z.output<S> {
  const record = structuredClone(item);
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

/** A number attribute of an item, if it has one. */
export function numberAttribute(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name];
  return typeof value === 'number' ? value : undefined;
}

/** Which sort keys a query reads: all, those starting with `prefix`, or those in [from, to]. */
export interface KeyRange {
  readonly prefix?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface QueryOptions {
  readonly range?: KeyRange;
  readonly descending?: boolean;
  readonly limit?: number;
}

function inRange(sortKey: string, range: KeyRange | undefined): boolean {
  if (!range) return true;
  if (range.prefix !== undefined && !sortKey.startsWith(range.prefix)) return false;
  if (range.from !== undefined && compareStrings(sortKey, range.from) < 0) return false;
  if (range.to !== undefined && compareStrings(sortKey, range.to) > 0) return false;
  return true;
}

/** One table: partitions of items by sort key, and the two sparse indexes read by scanning. */
export class MemoryTable {
  readonly #partitions = new Map<string, Map<string, Item>>();

  constructor(readonly name: string) {}

  /** The item under `key` as stored; never hand it to a caller (read it with toRecord). */
  get(key: Key): Item | undefined {
    return this.#partitions.get(key.pk)?.get(key.sk);
  }

  /** Replaces the item under its pk / sk. Refuses an item larger than DynamoDB stores. */
  put(item: Item): void {
    const copy = storedCopy(item) as Item;
    const { pk, sk } = copy;
    if (typeof pk !== 'string' || typeof sk !== 'string' || pk === '' || sk === '') {
      throw new ValidationException('One or more parameter values were invalid: the key is missing or empty');
    }
    checkSize(copy);
    let partition = this.#partitions.get(pk);
    if (!partition) {
      partition = new Map();
      this.#partitions.set(pk, partition);
    }
    partition.set(sk, copy);
  }

  /** The items of one partition, by sort key. */
  query(pk: string, options: QueryOptions = {}): Item[] {
    const items = [...(this.#partitions.get(pk)?.entries() ?? [])]
      .filter(([sortKey]) => inRange(sortKey, options.range))
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([, item]) => item);
    return ordered(items, options);
  }

  /** The items carrying `<index>pk = pk`, by the index's sort key (items without it are not in the index). */
  queryIndex(index: 'gsi1' | 'gsi2', pk: string, options: QueryOptions = {}): Item[] {
    const pkName = `${index}pk`;
    const skName = `${index}sk`;
    const items: Item[] = [];
    for (const partition of this.#partitions.values()) {
      for (const item of partition.values()) {
        const sortKey = item[skName];
        if (item[pkName] === pk && typeof sortKey === 'string' && inRange(sortKey, options.range))
          items.push(item);
      }
    }
    items.sort(
      (a, b) =>
        compareStrings(String(a[skName]), String(b[skName])) ||
        compareStrings(String(a.pk), String(b.pk)) ||
        compareStrings(String(a.sk), String(b.sk)),
    );
    return ordered(items, options);
  }
}

function checkSize(item: Item): void {
  if (itemBytes(item) > MAX_ITEM_BYTES) {
    throw new ValidationException('Item size has exceeded the maximum allowed size');
  }
}

function ordered(items: Item[], options: QueryOptions): Item[] {
  if (options.limit !== undefined && !(options.limit >= 1)) {
    throw new ValidationException('1 validation error detected: Limit must be greater than or equal to 1');
  }
  const sorted = options.descending ? items.reverse() : items;
  return options.limit === undefined ? sorted : sorted.slice(0, options.limit);
}

/**
 * One item of a transaction: a Put or Update (`write` gives the item after it) or a ConditionCheck
 * (no `write`), with the condition the item must meet and the error its failure means.
 */
export interface Step {
  readonly table: MemoryTable;
  readonly key: Key;
  /** Whether the write may go ahead, given the item as it is (undefined when there is none). */
  readonly condition?: (current: Item | undefined) => boolean;
  readonly write?: (current: Item | undefined) => Item;
  readonly onConditionFailed?: (current: Item | undefined) => Error;
}

export interface MemoryTablesOptions {
  /**
   * Awaited before every transaction is written, as a test may hook a DynamoDB client before each
   * TransactWriteItems: it lets a rival writer get there first, between a head read and the write.
   */
  readonly beforeTransaction?: () => Promise<void>;
}

/** The main table and the events table of one store: what every port in this folder shares. */
export class MemoryTables {
  readonly main = new MemoryTable('main');
  readonly events = new MemoryTable('events');

  constructor(private readonly options: MemoryTablesOptions = {}) {}

  /** Writes `steps` as one transaction (see `transact`), after the beforeTransaction hook, if any. */
  async write(steps: readonly Step[]): Promise<void> {
    if (this.options.beforeTransaction) await this.options.beforeTransaction();
    this.transact(steps);
  }

  /**
   * Writes every step or none, as TransactWriteItems does: refused outright when it holds more than
   * 100 items or touches one item twice; otherwise every condition is checked first. The errors
   * are chosen as the DynamoDB adapter chooses them from the cancellation reasons: the first failed
   * condition, in step order, that is not a moved chain head; else ChainConflict.
   */
  transact(steps: readonly Step[]): void {
    if (steps.length > MAX_TRANSACTION_ITEMS) {
      throw new TransactionTooLarge(
        `this write needs ${steps.length} items but one transaction holds at most ${MAX_TRANSACTION_ITEMS}; split it`,
      );
    }
    const touched = new Set<string>();
    for (const step of steps) {
      const id = `${step.table.name}\u0000${step.key.pk}\u0000${step.key.sk}`;
      if (touched.has(id)) {
        throw new ValidationException('Transaction request cannot include multiple operations on one item');
      }
      touched.add(id);
    }
    let chainConflict: Error | undefined;
    for (const step of steps) {
      const current = step.table.get(step.key);
      if (!step.condition || step.condition(current)) continue;
      const error =
        step.onConditionFailed?.(current) ??
        new TransactionCanceled(
          'Transaction cancelled, please refer cancellation reasons for specific reasons',
        );
      if (error instanceof ChainConflict) chainConflict ??= error;
      else throw error;
    }
    if (chainConflict) throw chainConflict;
    const writes = steps.flatMap((step) =>
      step.write
        ? [{ table: step.table, item: storedCopy(step.write(step.table.get(step.key))) as Item }]
        : [],
    );
    for (const { item } of writes) checkSize(item);
    for (const { table, item } of writes) table.put(item);
  }

  /** A conditional Put of one item that must be new; false when the key is taken. */
  putIfAbsent(item: Item, table: MemoryTable = this.main): boolean {
    if (table.get({ pk: String(item.pk), sk: String(item.sk) })) return false;
    table.put(item);
    return true;
  }
}
