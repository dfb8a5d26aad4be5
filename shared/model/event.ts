/**
 * A cycle's append-only, hash-chained event log: who did what, when, and from which message.
 * Events are numbered 1, 2, 3, ... per cycle; shared/evidence/hash-chain.ts defines prevHash/hash.
 */
import * as z from 'zod';
import { NonEmptyText, Sha256Hex, UtcTimestamp } from './common.ts';
import { CycleId } from './ids.ts';
import { Actor } from './action.ts';
import { canonicalJson } from './canonical-json.ts';

/** Dotted lower-case words, subject first: `cycle.opened`, `input.submitted`, `action.escalated`. */
export const EventType = z
  .string({ error: 'expected an event type' })
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, {
    error: 'expected an event type of dotted lower-case words, e.g. cycle.opened',
  });

/** Event data: a JSON object that has a canonical form (no NaN, no Date objects, ...). */
export const EventData = z.record(z.string(), z.unknown()).superRefine((data, ctx) => {
  try {
    canonicalJson(data);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** What a writer supplies; the repository adds cycleId, seq, prevHash and hash. */
export const EventDraft = z.strictObject({
  type: EventType,
  at: UtcTimestamp,
  actor: Actor,
  data: EventData,
  /** The Message-ID of the inbound email that caused it, if any. */
  sourceMessageId: z.optional(NonEmptyText),
});
export type EventDraft = z.infer<typeof EventDraft>;

export const CycleEvent = z.strictObject({
  ...EventDraft.shape,
  cycleId: CycleId,
  seq: z.number().int().min(1, { error: 'event numbers start at 1' }),
  prevHash: Sha256Hex,
  hash: Sha256Hex,
});
export type CycleEvent = z.infer<typeof CycleEvent>;

/** The head of a cycle's chain: the last event's seq and hash (seq 0 and the genesis hash when empty). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}
