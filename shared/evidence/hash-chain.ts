/**
 * The hash chain over a cycle's event log.
 *
 * Each event carries `prevHash` (the hash of the event before it; for the first event, the genesis
 * value of 64 zeros) and `hash`:
 *
 *     hash = sha256Hex(prevHash + "\n" + canonicalJson(content))
 *
 * where `content` is the event without `prevHash` and `hash` (cycleId, seq, at, actor, type, data,
 * sourceMessageId when present). Altering any field of any event, removing an event, inserting one
 * or reordering two changes a hash that a later event (or the anchored head) commits to, and
 * `verifyChain` names the first place where the chain no longer holds.
 */
import { canonicalJson, sha256Hex } from '../model/canonical-json.ts';
import type { ChainHead, CycleEvent, EventDraft } from '../model/event.ts';

export const GENESIS_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

export class InvalidHash extends Error {
  override name = 'InvalidHash' as const;
}

/** The hash of an event given the previous event's hash and this event's content. */
export function computeEventHash(prevHash: string, content: unknown): string {
  if (!HEX64.test(prevHash)) {
    throw new InvalidHash(`prevHash "${prevHash}" is not 64 lower-case hex characters`);
  }
  return sha256Hex(`${prevHash}\n${canonicalJson(content)}`);
}

/**
 * The time an event is recorded at when the event before it was recorded at `previousAt`: its own
 * time, unless that is earlier. Every event of a chain is recorded after the one before it, so a
 * time that says otherwise was read before a slow step, or on a machine whose clock runs behind,
 * and the predecessor's time is the truer bound. Times are compared as instants, returned as given.
 */
export function recordedAt(at: string, previousAt: string | undefined): string {
  return previousAt !== undefined && Date.parse(previousAt) > Date.parse(at) ? previousAt : at;
}

/**
 * The event `draft` becomes when appended after `head` (whose last event was recorded at
 * `head.at`, when the store knows it): seq, prevHash and hash added, and its time never earlier
 * than its predecessor's (recordedAt), so that time runs forward along every chain. Every store
 * builds its events here.
 */
export function chainEvent(
  cycleId: string,
  head: ChainHead & { readonly at?: string | undefined },
  draft: EventDraft,
): CycleEvent {
  const content = { ...draft, at: recordedAt(draft.at, head.at), cycleId, seq: head.seq + 1 };
  return { ...content, prevHash: head.hash, hash: computeEventHash(head.hash, content) };
}

/** The fields of a chained event that verifyChain reads. */
export interface ChainedEvent {
  readonly cycleId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly [field: string]: unknown;
}

/** The part of an event that its hash covers: everything except prevHash and hash. */
export function eventContent(event: ChainedEvent): Record<string, unknown> {
  const { prevHash: _prevHash, hash: _hash, ...content } = event;
  return content;
}

export type ChainBreak =
  'wrong-cycle' | 'wrong-seq' | 'wrong-prev-hash' | 'wrong-hash' | 'not-canonicalizable' | 'wrong-head';

export type ChainVerification =
  | { readonly ok: true; readonly count: number; readonly headSeq: number; readonly headHash: string }
  | {
      readonly ok: false;
      /** Position in the list given (0-based) where the chain first breaks. */
      readonly index: number;
      /** The seq the event at that position should have had. */
      readonly expectedSeq: number;
      readonly reason: ChainBreak;
      readonly message: string;
    };

export interface VerifyOptions {
  /** The cycle every event must belong to; defaults to the first event's cycleId. */
  readonly cycleId?: string;
  /** An anchored head to compare with: the seq and hash of the last event. */
  readonly head?: { readonly seq: number; readonly hash: string };
}

/**
 * Checks that `events` (in seq order, starting at seq 1) form one unbroken chain.
 * Returns the head on success, or the first broken place with a message that names it.
 */
export function verifyChain(events: readonly ChainedEvent[], options: VerifyOptions = {}): ChainVerification {
  const cycleId = options.cycleId ?? events[0]?.cycleId;
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const expectedSeq = index + 1;
    const fail = (reason: ChainBreak, message: string): ChainVerification => ({
      ok: false,
      index,
      expectedSeq,
      reason,
      message: `event ${expectedSeq} of cycle ${cycleId ?? '?'}: ${message}`,
    });
    if (event.cycleId !== cycleId) {
      return fail('wrong-cycle', `belongs to cycle ${event.cycleId}, not ${cycleId ?? '?'}`);
    }
    if (event.seq !== expectedSeq) {
      return fail(
        'wrong-seq',
        `found seq ${event.seq} where seq ${expectedSeq} was expected (an event is missing, inserted or out of order)`,
      );
    }
    if (event.prevHash !== prevHash) {
      return fail(
        'wrong-prev-hash',
        `prevHash ${event.prevHash} does not match the hash of the event before it (${prevHash}); an earlier event was removed, replaced or reordered`,
      );
    }
    let recomputed: string;
    try {
      recomputed = computeEventHash(prevHash, eventContent(event));
    } catch (error) {
      return fail('not-canonicalizable', (error as Error).message);
    }
    if (recomputed !== event.hash) {
      return fail(
        'wrong-hash',
        `its content does not match its hash; a field was altered after it was written`,
      );
    }
    prevHash = event.hash;
  }
  const headSeq = events.length;
  if (options.head && (options.head.seq !== headSeq || options.head.hash !== prevHash)) {
    return {
      ok: false,
      index: Math.min(options.head.seq, headSeq),
      expectedSeq: Math.min(options.head.seq, headSeq) + 1,
      reason: 'wrong-head',
      message: `cycle ${cycleId ?? '?'}: the chain ends at seq ${headSeq} with hash ${prevHash}, but the anchored head is seq ${options.head.seq} with hash ${options.head.hash}; events were removed from or added to the end`,
    };
  }
  return { ok: true, count: events.length, headSeq, headHash: prevHash };
}
