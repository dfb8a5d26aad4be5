/** The event log: each cycle's hash-chained, append-only record of what happened. */
import type { ChainHead, CycleEvent, EventDraft } from '../model/event.ts';

export interface EventLog {
  /** The head of the cycle's chain (seq 0 and the genesis hash when empty). NotFound if no cycle. */
  getChainHead(cycleId: string): Promise<ChainHead>;
  /** Appends an event; on ChainConflict re-reads the head and retries up to `maxAttempts` times. */
  appendEvent(cycleId: string, draft: EventDraft, options?: { maxAttempts?: number }): Promise<CycleEvent>;
  /** The cycle's events in seq order, from `fromSeq` (default 1). */
  listEvents(cycleId: string, fromSeq?: number): Promise<CycleEvent[]>;
}
