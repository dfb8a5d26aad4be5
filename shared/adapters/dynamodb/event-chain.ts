/**
 * The cycle's event chain on DynamoDB: events go to the append-only events table (PutItem with
 * attribute_not_exists), in the same TransactWriteItems that moves the chain head on the cycle item
 * in the main table. Every store whose writes append an event builds them here, and retries here
 * when only the head moved.
 *
 * Known heads: the chain remembers, per cycle, the head it last saw: moved by its own append, read
 * with the cycle item (getCycle), or returned by DynamoDB when an append's head condition failed
 * (ALL_OLD). The next append chains on that head without reading it again; the head condition
 * still guards every append, so a head that moved meanwhile only costs the failed attempt, whose
 * cancellation carries the current head for the retry. A remembered head is used once: a write that
 * fails for any other reason reads the head again.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { chainEvent, GENESIS_HASH } from '../../evidence/hash-chain.ts';
import type { ChainHead, CycleEvent, EventDraft } from '../../model/event.ts';
import { cycleKeys, eventKeys } from '../../store/keys.ts';
import { ChainConflict, NotFound } from '../../store/errors.ts';
import { numberAttribute, TransientConflict, type DynamoTable, type Item, type Step } from './table.ts';

const DEFAULT_EVENT_ATTEMPTS = 10;
/** Cycles whose head is remembered at most (the oldest is forgotten first). */
const KNOWN_HEADS = 500;

type KnownHead = ChainHead & { at?: string };

/** A string attribute from an item that may be unmarshalled ("x") or raw ({S: "x"}). */
function stringAttribute(item: Item, name: string): string | undefined {
  const value = item[name];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'S' in value) return String((value as { S: string }).S);
  return undefined;
}

export interface EventChainOptions {
  /** How often a write with an event is tried when other writers keep moving the chain head. */
  readonly maxEventAttempts?: number;
  /** Pause before retry n (ms); default a few milliseconds of jitter growing with n. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

function defaultBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 5 * attempt);
  return new Promise((wake) => setTimeout(wake, ms));
}

export class EventChain {
  private readonly maxEventAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;
  private readonly known = new Map<string, KnownHead>();

  constructor(
    private readonly table: DynamoTable,
    options: EventChainOptions = {},
  ) {
    this.maxEventAttempts = options.maxEventAttempts ?? DEFAULT_EVENT_ATTEMPTS;
    this.backoff = options.backoff ?? defaultBackoff;
  }

  /**
   * Remembers the head a cycle item shows (a consistent read of it, or the item DynamoDB returned
   * when a condition on it failed), for the next append to chain on without reading it again.
   */
  observe(cycleId: string, item: Item | undefined): void {
    if (!item) return;
    const seq = numberAttribute(item, 'eventHeadSeq');
    const hash = stringAttribute(item, 'eventHeadHash');
    const at = stringAttribute(item, 'eventHeadAt');
    // A head moved before heads kept their time is read the long way (headWithTime).
    if (seq === undefined || hash === undefined || (seq > 0 && at === undefined)) return;
    this.remember(cycleId, { seq, hash, ...(at !== undefined ? { at } : {}) });
  }

  private remember(cycleId: string, head: KnownHead): void {
    this.known.delete(cycleId);
    this.known.set(cycleId, head);
    if (this.known.size > KNOWN_HEADS) this.known.delete(this.known.keys().next().value!);
  }

  /** The head of the cycle's chain (seq 0 and the genesis hash when empty). NotFound if no cycle. */
  async head(cycleId: string): Promise<ChainHead & { at?: string }> {
    const output = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: cycleKeys.cycle(cycleId),
        ConsistentRead: true,
        ProjectionExpression: 'eventHeadSeq, eventHeadHash, eventHeadAt',
      }),
    );
    if (!output.Item) throw new NotFound('cycle', cycleId, 'events are appended to an existing cycle');
    const at: unknown = output.Item.eventHeadAt;
    return {
      seq: Number(output.Item.eventHeadSeq ?? 0),
      hash: String(output.Item.eventHeadHash ?? GENESIS_HASH),
      ...(typeof at === 'string' ? { at } : {}),
    };
  }

  /** The event `draft` becomes when appended after `head` (never earlier than `head.at`). */
  build(cycleId: string, head: ChainHead & { at?: string }, draft: EventDraft): CycleEvent {
    return chainEvent(cycleId, head, draft);
  }

  /**
   * The head with the time its last event was recorded at, which the next event may not precede
   * (chainEvent). The cycle item keeps that time beside seq and hash (eventHeadAt); a cycle whose
   * head was last moved before it did so costs one read of the head event instead.
   */
  private async headWithTime(cycleId: string): Promise<ChainHead & { at?: string }> {
    const head = await this.head(cycleId);
    if (head.seq === 0 || head.at !== undefined) return head;
    const output = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.eventsTableName,
        Key: eventKeys.event(cycleId, head.seq),
        ConsistentRead: true,
        ProjectionExpression: '#at',
        ExpressionAttributeNames: { '#at': 'at' },
      }),
    );
    const at: unknown = output.Item?.at;
    return typeof at === 'string' ? { ...head, at } : head;
  }

  /** Puts one event in the events table; a taken seq means another writer appended first. */
  putStep(event: CycleEvent): Step {
    return {
      op: {
        Put: {
          // The append-only events table (roles hold PutItem there, never Update or Delete).
          TableName: this.table.eventsTableName,
          Item: { ...eventKeys.event(event.cycleId, event.seq), entity: 'event', ...event },
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      },
      onConditionFailed: () => new ChainConflict(event.cycleId, event.seq),
    };
  }

  /** Put the event and move the head on the cycle item, conditional on the head read. */
  steps(cycleId: string, event: CycleEvent | undefined, head: ChainHead | undefined): Step[] {
    if (!event || !head) return [];
    return [this.headStep(cycleId, head, event), this.putStep(event)];
  }

  /** Moves the chain head from `head` to `last` (events appended in the same transaction). */
  headStep(cycleId: string, head: ChainHead, last: CycleEvent): Step {
    const key = cycleKeys.cycle(cycleId);
    return {
      op: {
        Update: {
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression: 'SET eventHeadSeq = :seq, eventHeadHash = :hash, eventHeadAt = :at',
          ConditionExpression: 'eventHeadSeq = :previous',
          ExpressionAttributeValues: {
            ':seq': last.seq,
            ':hash': last.hash,
            ':at': last.at,
            ':previous': head.seq,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: async (old) =>
        (old ?? (await this.table.getItem(key)))
          ? new ChainConflict(cycleId, last.seq)
          : new NotFound('cycle', cycleId),
    };
  }

  /**
   * Runs `build` as one transaction, with the event (if any) chained on the current head.
   * Retries when only the chain head moved or a transaction conflict occurred; any other failed
   * condition (version, existence) is thrown at once.
   */
  async write(
    cycleId: string,
    draft: EventDraft | undefined,
    build: (event: CycleEvent | undefined, head: ChainHead | undefined) => Step[],
    maxAttempts = this.maxEventAttempts,
  ): Promise<{ event?: CycleEvent }> {
    const { events } = await this.writeMany(
      cycleId,
      draft ? [draft] : [],
      (chained, head) => build(chained[0], head),
      maxAttempts,
    );
    return events[0] ? { event: events[0] } : {};
  }

  /**
   * Runs `build` as one transaction with every draft chained, in order, on the current head: one
   * head move and one put per event (appendSteps). Retries as `write` does.
   */
  async writeMany(
    cycleId: string,
    drafts: readonly EventDraft[],
    build: (events: CycleEvent[], head: ChainHead | undefined) => Step[],
    maxAttempts = this.maxEventAttempts,
  ): Promise<{ events: CycleEvent[] }> {
    for (let attempt = 1; ; attempt += 1) {
      const chaining = drafts.length > 0;
      const known = chaining ? this.known.get(cycleId) : undefined;
      if (chaining) this.known.delete(cycleId);
      const head = chaining ? (known ?? (await this.headWithTime(cycleId))) : undefined;
      const events = head ? this.buildAll(cycleId, head, drafts) : [];
      try {
        const steps = build(events, head);
        await this.table.transact(steps.map((step) => this.watchingHead(cycleId, step)));
        const last = this.lastEventPut(cycleId, steps);
        if (last) this.remember(cycleId, { seq: last.seq, hash: last.hash, at: last.at });
        return { events };
      } catch (error) {
        const retryable = error instanceof ChainConflict || error instanceof TransientConflict;
        if (!retryable) throw error;
        if (attempt >= maxAttempts) {
          throw events.length ? new ChainConflict(cycleId, events.at(-1)!.seq, attempt) : error;
        }
        await this.backoff(attempt);
      }
    }
  }

  /** The drafts as events chained one after the other from `head`. */
  buildAll(cycleId: string, head: ChainHead & { at?: string }, drafts: readonly EventDraft[]): CycleEvent[] {
    const events: CycleEvent[] = [];
    let previous: ChainHead & { at?: string } = head;
    for (const draft of drafts) {
      const event = this.build(cycleId, previous, draft);
      events.push(event);
      previous = { seq: event.seq, hash: event.hash, at: event.at };
    }
    return events;
  }

  /** Moves the head from `head` to the last of `events` and puts each of them (none: no steps). */
  appendSteps(cycleId: string, events: readonly CycleEvent[], head: ChainHead | undefined): Step[] {
    if (!head || events.length === 0) return [];
    return [this.headStep(cycleId, head, events.at(-1)!), ...events.map((event) => this.putStep(event))];
  }

  /** `step`, noting the head DynamoDB returns when it is an update of the cycle item that fails. */
  private watchingHead(cycleId: string, step: Step): Step {
    const update = step.op.Update;
    const key = cycleKeys.cycle(cycleId);
    if (!update || update.TableName !== this.table.tableName) return step;
    if (update.Key?.pk !== key.pk || update.Key.sk !== key.sk) return step;
    const onConditionFailed = step.onConditionFailed;
    if (!onConditionFailed) return step;
    return {
      ...step,
      onConditionFailed: (old) => {
        this.observe(cycleId, old);
        return onConditionFailed(old);
      },
    };
  }

  /** The newest event of `cycleId` that `steps` put in the events table (the head once they are written). */
  private lastEventPut(cycleId: string, steps: readonly Step[]): CycleEvent | undefined {
    let last: CycleEvent | undefined;
    for (const step of steps) {
      const put = step.op.Put;
      if (put?.TableName !== this.table.eventsTableName) continue;
      const event = put.Item as CycleEvent | undefined;
      if (event?.cycleId === cycleId && (!last || event.seq > last.seq)) last = event;
    }
    return last;
  }
}
