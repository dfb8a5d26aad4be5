/** EventLog in memory: the head on the cycle item of the main table, the events in the events table. */
import { parseWith } from '#shared/model/common.ts';
import { CycleEvent, EventDraft, type ChainHead } from '#shared/model/event.ts';
import type { EventLog } from '#shared/store/event-log.ts';
import { cycleKeys, eventKeys, RANGE_END, SK } from '#shared/store/keys.ts';
import type { EventChain } from './chain.ts';
import { toRecord, type MemoryTables } from './table.ts';

export class MemoryEventLog implements EventLog {
  constructor(
    private readonly tables: MemoryTables,
    private readonly chain: EventChain,
  ) {}

  getChainHead(cycleId: string): Promise<ChainHead> {
    return this.chain.head(cycleId);
  }

  async appendEvent(
    cycleId: string,
    input: EventDraft,
    options: { maxAttempts?: number } = {},
  ): Promise<CycleEvent> {
    const draft = parseWith(EventDraft, input, `event for cycle ${cycleId}`);
    const result = await this.chain.withEventRetry(
      cycleId,
      draft,
      (event, head) => this.chain.eventSteps(cycleId, event, head),
      options.maxAttempts,
    );
    return result.event!;
  }

  async listEvents(cycleId: string, fromSeq = 1): Promise<CycleEvent[]> {
    return this.tables.events
      .query(cycleKeys.partition(cycleId), {
        range: { from: eventKeys.fromSeq(Math.max(1, fromSeq)), to: `${SK.event}${RANGE_END}` },
      })
      .map((item) => toRecord(CycleEvent, item, 'event'));
  }
}
