/**
 * Inbound mail kept outside the cycles' hash chains: the port for held messages (mail the ingest
 * pipeline would not record because its sender could not be authenticated, was ambiguous, or was
 * not the person the request went to), the daily quotas of a reply address, and the receipt mark
 * that makes each message count once.
 *
 * Held mail is listed for the ISMS manager (`isms-review mail held`, the daily digest) and released
 * by them (`isms-review mail release <id>`): nothing about it is ever told to its sender. It lives
 * in its own partitions (keys.ts: `HELD#<yyyy-mm>`), so a flood of it never contends for a cycle's
 * chain head; every item carries a TTL (HELD_MAIL_TTL_DAYS).
 */
import * as z from 'zod';
import { InvalidData, UtcTimestamp } from '../model/common.ts';
import type { CycleEvent, EventDraft } from '../model/event.ts';
import type { ReplyTokenRecord } from '../model/records.ts';

/** How long a held message stays listed (and releasable) after it was received. */
export const HELD_MAIL_TTL_DAYS = 90;

/** `H-<yyyymmddThhmmss>Z-<16 hex>`: sorts by receipt time; the hex part comes from the Message-ID. */
export const HeldMailId = z
  .string()
  .regex(/^H-\d{8}T\d{6}Z-[0-9a-f]{16}$/, { error: 'is not a held message id (H-20261006T080000Z-...)' });

export const HeldMailStatus = z.enum(['held', 'released']);

export const HeldMail = z.strictObject({
  id: HeldMailId,
  status: HeldMailStatus,
  receivedAt: UtcTimestamp,
  /** Where the raw message is (the raw mail bucket). */
  rawS3Key: z.string().min(1),
  /** The message's dedupe key (its Message-ID, or the raw hash). */
  messageId: z.string().min(1).max(1000),
  from: z.string().max(320),
  /** The Sender header's mailboxes, if any. */
  sender: z.array(z.string().max(320)).max(10),
  envelopeFrom: z.string().max(320).nullable(),
  /** The SMTP recipients (the reply address may be only there). */
  recipients: z.array(z.string().max(320)).max(50),
  /**
   * The receiving server's verdicts as they came (spam and virus still apply on release); kept as
   * given, read with the SesVerdicts schema of shared/mail/inbound.ts.
   */
  verdicts: z.record(z.string(), z.unknown()).optional(),
  /** The subject, shortened: for the ISMS manager only, never sent back. */
  subject: z.string().max(200),
  /** Why it is held, for the ISMS manager. */
  reason: z.string().max(2000),
  /** The cycle (and token) it was addressed to, when the reply address was one we issued. */
  cycleId: z.string().optional(),
  tokenId: z.string().optional(),
  releasedAt: UtcTimestamp.optional(),
  releasedBy: z.string().optional(),
  /** What the pipeline did with it on release (accepted, rejected, ...). */
  releaseOutcome: z.string().max(2000).optional(),
});
export type HeldMail = z.output<typeof HeldMail>;

/** A held message id that is not stored (never held, or its TTL passed). */
export class HeldMailNotFound extends Error {
  override name = 'HeldMailNotFound' as const;
}

/** A held message was released already (by someone else, or a second time). */
export class HeldMailAlreadyReleased extends Error {
  override name = 'HeldMailAlreadyReleased' as const;
}

export interface HeldMailQuery {
  /** Received at or after (UTC ISO). */
  readonly since: string;
  /** Received before (UTC ISO); default now. */
  readonly until: string;
  /** Default: held only. */
  readonly status?: z.output<typeof HeldMailStatus> | 'all';
  readonly limit?: number;
}

/** One counter of a daily quota: its name (letters and digits), what to add and the most it may reach. */
export interface DailyCounter {
  readonly name: string;
  readonly amount: number;
  readonly limit: number;
}

/** The counters of a daily quota, checked (InvalidData): usable scope, day and names, whole amounts and limits. */
export function checkDailyCounters(scope: string, day: string, counters: readonly DailyCounter[]): void {
  if (!/^[A-Za-z0-9:._-]{1,200}$/.test(scope) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    throw new InvalidData('quota', [
      { path: '(root)', message: `scope ${scope} or day ${day} is not usable in a key` },
    ]);
  }
  const names = new Set(counters.map((c) => c.name));
  if (counters.length === 0 || names.size !== counters.length) {
    throw new InvalidData('quota', [
      { path: 'counters', message: 'give one or more counters, each named once' },
    ]);
  }
  for (const [index, { name, amount, limit }] of counters.entries()) {
    if (!/^[A-Za-z0-9]{1,40}$/.test(name)) {
      throw new InvalidData('quota', [
        { path: `counters.${index}.name`, message: 'letters and digits only' },
      ]);
    }
    if (!Number.isInteger(amount) || amount < 0 || !Number.isInteger(limit) || limit < 0) {
      throw new InvalidData('quota', [
        { path: `counters.${index}`, message: 'amount and limit are whole numbers' },
      ]);
    }
  }
}

/** At most this many reply token ids are looked up with a Message-ID (one BatchGetItem holds 100 keys). */
export const MAX_LOOKED_UP_TOKENS = 99;

export interface InboundMailStore {
  /**
   * Keeps a held message, once per Message-ID: a second delivery of the same message returns the
   * record kept the first time (`first` false) and writes nothing.
   */
  holdMessage(record: HeldMail): Promise<{ held: HeldMail; first: boolean }>;
  getHeldMessage(id: string): Promise<HeldMail | undefined>;
  /** Held messages received in [since, until), oldest first: one query per month covered. */
  listHeldMessages(query: HeldMailQuery): Promise<HeldMail[]>;
  /** Marks a held message released (conditional: still held). HeldMailNotFound / HeldMailAlreadyReleased. */
  markHeldReleased(id: string, release: { at: string; by: string; outcome: string }): Promise<HeldMail>;

  /**
   * Adds `amount` to the counter `scope` of UTC `day` unless that would pass `limit`; true when
   * added. One conditional update: concurrent deliveries can never pass the limit together.
   */
  consumeDailyQuota(scope: string, day: string, amount: number, limit: number): Promise<boolean>;

  /**
   * Several counters of `scope` on UTC `day` at once (e.g. messages and bytes of one reply
   * address): adds every amount unless one would pass its limit, in one conditional update. Either
   * all are added (`exceeded` undefined) or none, and `exceeded` names the first counter, in the
   * order given, that had no room.
   */
  consumeDailyQuotas(
    scope: string,
    day: string,
    counters: readonly DailyCounter[],
  ): Promise<{ exceeded?: string }>;

  /** Whether a Message-ID was marked seen (a message fully handled before). */
  messageSeen(messageId: string): Promise<boolean>;
  /**
   * What the ingest reads first about a message, in one read: whether its Message-ID was marked
   * seen, and the reply tokens its reply addresses name (those stored; at most 99 ids).
   */
  lookUpInbound(
    messageId: string,
    tokenIds: readonly string[],
  ): Promise<{ seen: boolean; tokens: ReplyTokenRecord[] }>;
  /**
   * Marks a Message-ID seen and, when `cycleId` and `event` are given, appends the event to the
   * cycle's log in the same transaction: both or neither. `first` is false (and nothing is written)
   * when the Message-ID was seen before.
   */
  recordMessageReceived(
    messageId: string,
    seen: { at: string; rawS3Key?: string },
    log?: { cycleId: string; event: EventDraft },
  ): Promise<{ first: boolean; event?: CycleEvent }>;
}

/** The id of a held message: its receipt time and 16 hex of the hash of its Message-ID. */
export function heldMailId(receivedAt: string, messageIdHash: string): string {
  const stamp = new Date(receivedAt).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `H-${stamp}Z-${messageIdHash.slice(0, 16)}`;
}
