/**
 * The cycles' hash chains in memory, built as the DynamoDB adapter builds them: an event is the
 * draft with cycleId and seq added, then prevHash and hash (shared/evidence/hash-chain.ts); it is
 * put in the events table with "must be new", and the head on the cycle item moves from the head
 * read, in the same transaction. When only the head moved (another writer appended first) the
 * write is tried again on the new head, up to the attempts allowed.
 */
import { chainEvent, GENESIS_HASH } from '#shared/evidence/hash-chain.ts';
import type { ChainHead, CycleEvent, EventDraft } from '#shared/model/event.ts';
import { cycleKeys, eventKeys } from '#shared/store/keys.ts';
import { ChainConflict, NotFound } from '#shared/store/repository.ts';
import type { MemoryTables, Step } from './table.ts';

const DEFAULT_EVENT_ATTEMPTS = 10;

/** A few milliseconds of jitter growing with the attempt, as the DynamoDB adapter waits. */
function defaultBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 5 * attempt);
  return new Promise((wake) => setTimeout(wake, ms));
}

export interface ChainOptions {
  /** How often a write with an event is tried when other writers keep moving the chain head. */
  readonly maxEventAttempts?: number;
  /** Pause before retry n; default a few milliseconds of jitter, as on DynamoDB. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

export class EventChain {
  private readonly maxEventAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(
    private readonly tables: MemoryTables,
    options: ChainOptions = {},
  ) {
    this.maxEventAttempts = options.maxEventAttempts ?? DEFAULT_EVENT_ATTEMPTS;
    this.backoff = options.backoff ?? defaultBackoff;
  }

  /** The head of the cycle's chain (seq 0 and the genesis hash when empty). NotFound if no cycle. */
  async head(cycleId: string): Promise<ChainHead> {
    const item = this.tables.main.get(cycleKeys.cycle(cycleId));
    if (!item) throw new NotFound('cycle', cycleId, 'events are appended to an existing cycle');
    return { seq: Number(item.eventHeadSeq ?? 0), hash: String(item.eventHeadHash ?? GENESIS_HASH) };
  }

  /** The next event after `head`: exactly what the DynamoDB adapter appends for the same draft. */
  build(cycleId: string, head: ChainHead & { at?: string }, draft: EventDraft): CycleEvent {
    return chainEvent(cycleId, head, draft);
  }

  /** The head with its last event's time, which the next event may not precede, as the adapter reads it. */
  private async headWithTime(cycleId: string): Promise<ChainHead & { at?: string }> {
    const head = await this.head(cycleId);
    const at = head.seq > 0 ? this.tables.events.get(eventKeys.event(cycleId, head.seq))?.at : undefined;
    return typeof at === 'string' ? { ...head, at } : head;
  }

  /** Puts the event in the events table; a taken seq means another writer appended first. */
  eventPutStep(event: CycleEvent): Step {
    const key = eventKeys.event(event.cycleId, event.seq);
    return {
      table: this.tables.events,
      key,
      condition: (current) => current === undefined,
      write: () => ({ ...key, entity: 'event', ...event }),
      onConditionFailed: () => new ChainConflict(event.cycleId, event.seq),
    };
  }

  /** Moves the head on the cycle item from `head` to `last`, on condition the head is still `head`. */
  chainHeadStep(cycleId: string, head: ChainHead, last: CycleEvent): Step {
    return {
      table: this.tables.main,
      key: cycleKeys.cycle(cycleId),
      condition: (current) => current !== undefined && current.eventHeadSeq === head.seq,
      write: (current) => ({ ...current, eventHeadSeq: last.seq, eventHeadHash: last.hash }),
      onConditionFailed: (current) =>
        current ? new ChainConflict(cycleId, last.seq) : new NotFound('cycle', cycleId),
    };
  }

  /** The head move and the event put, when there is an event. */
  eventSteps(cycleId: string, event: CycleEvent | undefined, head: ChainHead | undefined): Step[] {
    if (!event || !head) return [];
    return [this.chainHeadStep(cycleId, head, event), this.eventPutStep(event)];
  }

  /**
   * Runs `build` as one transaction, with the event (if any) chained on the head read just before.
   * Retries when only the head moved; any other failed condition is thrown at once.
   */
  async withEventRetry(
    cycleId: string,
    draft: EventDraft | undefined,
    build: (event: CycleEvent | undefined, head: ChainHead | undefined) => Step[],
    maxAttempts = this.maxEventAttempts,
  ): Promise<{ event?: CycleEvent }> {
    const { events } = await this.withEventsRetry(
      cycleId,
      draft ? [draft] : [],
      (chained, head) => build(chained[0], head),
      maxAttempts,
    );
    return events[0] ? { event: events[0] } : {};
  }

  /** As withEventRetry, with every draft chained in order on the head: one head move, one put each. */
  async withEventsRetry(
    cycleId: string,
    drafts: readonly EventDraft[],
    build: (events: CycleEvent[], head: ChainHead | undefined) => Step[],
    maxAttempts = this.maxEventAttempts,
  ): Promise<{ events: CycleEvent[] }> {
    for (let attempt = 1; ; attempt += 1) {
      const head = drafts.length ? await this.headWithTime(cycleId) : undefined;
      const events: CycleEvent[] = [];
      let previous = head;
      for (const draft of head ? drafts : []) {
        const event = this.build(cycleId, previous!, draft);
        events.push(event);
        previous = { seq: event.seq, hash: event.hash, at: event.at };
      }
      try {
        await this.tables.write(build(events, head));
        return { events };
      } catch (error) {
        if (!(error instanceof ChainConflict)) throw error;
        if (attempt >= maxAttempts) {
          throw events.length ? new ChainConflict(cycleId, events.at(-1)!.seq, attempt) : error;
        }
        await this.backoff(attempt);
      }
    }
  }

  /** The head move to the last of `events` and a put for each (none: no steps). */
  appendSteps(cycleId: string, events: readonly CycleEvent[], head: ChainHead | undefined): Step[] {
    if (!head || events.length === 0) return [];
    return [this.chainHeadStep(cycleId, head, events.at(-1)!), ...events.map((e) => this.eventPutStep(e))];
  }
}
