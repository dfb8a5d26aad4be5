/**
 * The repository port: how the domain stores and reads review records. The DynamoDB adapter
 * (shared/adapters/dynamodb-repository.ts) implements it; keys and access patterns are in keys.ts.
 *
 * Conventions every method follows:
 * - Versioned records (cycle, input request, action) are written with the version they were READ
 *   with; the store checks it, writes version + 1 and returns the stored record. If someone else
 *   wrote in between, the write fails with ConcurrentUpdate and nothing is written: reload, reapply
 *   the change, retry. New records carry version 1.
 * - A write that takes `{ event }` appends that event to the cycle's log in the same transaction:
 *   the record and its event are stored together or not at all. If only the log moved on (another
 *   writer appended), the store re-reads the head and retries by itself.
 * - Multi-item writes are one transaction: all or nothing.
 * - Every record is validated with its zod schema before it is written and after it is read.
 */
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { ChainHead, CycleEvent, EventDraft } from '../model/event.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import type { ProgrammeVersion } from '../model/programme-ref.ts';
import type { ParkedTask, ReplyTokenRecord } from '../model/records.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { CycleSummary } from '../model/cycle-summary.ts';
import type { InboundMailStore } from './held-mail.ts';

export type RecordKind =
  | 'programme version'
  | 'cycle'
  | 'input request'
  | 'submission'
  | 'action'
  | 'event'
  | 'reply token'
  | 'task token'
  | 'notification'
  | 'minutes';

/** Optimistic-lock loss: someone else changed the record since it was read. */
export class ConcurrentUpdate extends Error {
  override name = 'ConcurrentUpdate' as const;
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    readonly expectedVersion: number,
    readonly foundVersion: number | undefined,
  ) {
    super(
      `${kind} ${id} was changed by someone else (expected version ${expectedVersion}, found ${
        foundVersion ?? 'none'
      }); reload and retry`,
    );
  }
}

/** A record that must be new already exists (a repeated create, or an id collision). */
export class AlreadyExists extends Error {
  override name = 'AlreadyExists' as const;
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    detail = 'it was already recorded; nothing was written',
  ) {
    super(`${kind} ${id} already exists: ${detail}`);
  }
}

/** A record that must exist does not. */
export class NotFound extends Error {
  override name = 'NotFound' as const;
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    detail = 'check the id',
  ) {
    super(`${kind} ${id} does not exist: ${detail}`);
  }
}

/** Another writer appended to the cycle's event log first; re-read the head and retry. */
export class ChainConflict extends Error {
  override name = 'ChainConflict' as const;
  constructor(
    readonly cycleId: string,
    readonly attemptedSeq: number,
    readonly attempts = 1,
  ) {
    super(
      `the event log of cycle ${cycleId} moved on while event ${attemptedSeq} was being appended` +
        (attempts > 1 ? ` (gave up after ${attempts} attempts)` : '') +
        '; another writer got there first: re-read the head and retry',
    );
  }
}

/** A stored item no longer matches its schema (written by other code, or edited by hand). */
export class CorruptRecord extends Error {
  override name = 'CorruptRecord' as const;
}

/** A write touches more items than one transaction may hold (100). */
export class TransactionTooLarge extends Error {
  override name = 'TransactionTooLarge' as const;
}

export interface WriteOptions {
  /** An event to append to the cycle's log in the same transaction. */
  readonly event?: EventDraft;
}

export interface CycleRecords {
  readonly cycle: Cycle;
  readonly inputRequests: InputRequest[];
  readonly submissions: InputSubmission[];
  readonly actions: Action[];
  readonly events: CycleEvent[];
  readonly parkedTasks: ParkedTask[];
  /** Keys of notifications claimed as sent. */
  readonly notificationsSent: string[];
  /** Every version of the cycle's minutes, oldest first (the DynamoDB repository always lists them). */
  readonly minutes?: MinutesRecord[];
}

/**
 * What else is stored in the transaction that stores minutes (acceptance: the minutes, the
 * actions they create, the cycle's meeting dates and the events, all or nothing).
 */
export interface SaveMinutesOptions extends WriteOptions {
  /** Events appended after `event`, in this order. */
  readonly events?: readonly EventDraft[];
  /** Actions the minutes create: each new, version 1 (AlreadyExists if any exists). */
  readonly newActions?: readonly Action[];
  /** Actions changed with them, e.g. cancelled because a correction replaces them (version = the version read). */
  readonly changedActions?: readonly Action[];
  /** The cycle as changed by the caller, e.g. heldAt and minutesApprovedAt set (version = the version read). */
  readonly cycle?: Cycle;
}

export interface SavedMinutes {
  readonly minutes: MinutesRecord;
  /** The stored cycle, when one was given. */
  readonly cycle?: Cycle;
  readonly newActions: Action[];
  readonly changedActions: Action[];
  /** The events appended, in order (`event` first). */
  readonly events: CycleEvent[];
}

export interface ListCyclesQuery {
  /** Meetings at or after this UTC time. */
  readonly meetingFrom?: string;
  /** Meetings at or before this UTC time. */
  readonly meetingTo?: string;
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

export interface HistoryQuery {
  /** Only submissions whose period ends on or before this date (yyyy-mm-dd). */
  readonly periodEndingOnOrBefore?: string;
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

/** Held mail, quotas and receipts: shared/store/held-mail.ts. */
export interface ReviewRepository extends InboundMailStore {
  // Programme versions
  /** Stores the next version (1, or current + 1) and makes it current. AlreadyExists / ConcurrentUpdate. */
  saveProgrammeVersion(version: ProgrammeVersion): Promise<ProgrammeVersion>;
  getCurrentProgramme(programmeId: string): Promise<ProgrammeVersion | undefined>;
  getProgrammeVersion(programmeId: string, version: number): Promise<ProgrammeVersion | undefined>;
  listProgrammeVersions(programmeId: string): Promise<ProgrammeVersion[]>;

  // Cycles
  /** Creates the cycle and its input requests in one transaction. AlreadyExists if the id is taken. */
  createCycle(
    cycle: Cycle,
    requests: readonly InputRequest[],
    options?: WriteOptions,
  ): Promise<{ cycle: Cycle; requests: InputRequest[]; event?: CycleEvent }>;
  getCycle(cycleId: string): Promise<Cycle | undefined>;
  /** Stores `cycle` (its version = the version read). ConcurrentUpdate / NotFound. */
  updateCycle(cycle: Cycle, options?: WriteOptions): Promise<{ cycle: Cycle; event?: CycleEvent }>;
  /** A programme's cycles by planned meeting time. */
  listCycles(programmeId: string, query?: ListCyclesQuery): Promise<Cycle[]>;
  /** Everything of a cycle in one query. */
  getCycleRecords(cycleId: string): Promise<CycleRecords | undefined>;

  // Inputs
  getInputRequest(cycleId: string, inputKey: string): Promise<InputRequest | undefined>;
  listInputRequests(cycleId: string): Promise<InputRequest[]>;
  updateInputRequest(
    request: InputRequest,
    options?: WriteOptions,
  ): Promise<{ request: InputRequest; event?: CycleEvent }>;
  /**
   * Stores a new submission and the request it answers (updated by the caller: status and
   * submissionId; version = the version read) in one transaction. A superseded submission stays.
   */
  recordSubmission(
    submission: InputSubmission,
    request: InputRequest,
    options?: WriteOptions,
  ): Promise<{ submission: InputSubmission; request: InputRequest; event?: CycleEvent }>;
  getSubmission(
    cycleId: string,
    inputKey: string,
    submissionId: string,
  ): Promise<InputSubmission | undefined>;
  /** Submissions of a cycle (of one input if given), oldest first per input. */
  listSubmissions(cycleId: string, inputKey?: string): Promise<InputSubmission[]>;
  /** Submissions of one input across the programme's cycles, by period (for trends). */
  listSubmissionHistory(
    programmeId: string,
    inputKey: string,
    query?: HistoryQuery,
  ): Promise<InputSubmission[]>;
  /** Requests still awaiting an answer, by due time (optionally due at or before `dueAtOrBefore`). */
  listPendingInputRequests(programmeId: string, dueAtOrBefore?: string): Promise<InputRequest[]>;

  // Actions
  /** Creates several actions (e.g. from the minutes) in one transaction. AlreadyExists if any exists. */
  createActions(
    actions: readonly Action[],
    options?: WriteOptions,
  ): Promise<{ actions: Action[]; event?: CycleEvent }>;
  getAction(actionId: string): Promise<Action | undefined>;
  /** Stores `action` (its version = the version read). ConcurrentUpdate / NotFound. */
  updateAction(action: Action, options?: WriteOptions): Promise<{ action: Action; event?: CycleEvent }>;
  listActionsOfCycle(cycleId: string): Promise<Action[]>;
  /** Actions that need follow-up, by follow-up date (optionally up to `onOrBefore`, yyyy-mm-dd). */
  listActionsNeedingFollowUp(programmeId: string, onOrBefore?: string): Promise<Action[]>;
  listActionsByOwner(programmeId: string, ownerId: string): Promise<Action[]>;

  // Minutes
  /**
   * Stores a version of a cycle's minutes: version 1, or the latest + 1 (NotFound when the
   * previous version is missing; AlreadyExists when this version is taken, e.g. by a concurrent
   * acceptance), with everything in `options` in the same transaction.
   */
  saveMinutes(record: MinutesRecord, options?: SaveMinutesOptions): Promise<SavedMinutes>;
  /** The latest version of the cycle's minutes, if any. */
  getMinutes(cycleId: string): Promise<MinutesRecord | undefined>;
  /** Every version of the cycle's minutes, oldest first. */
  listMinutes(cycleId: string): Promise<MinutesRecord[]>;

  // Idempotency
  /** Records an inbound Message-ID; false when it was seen before (a duplicate delivery). */
  markMessageSeen(messageId: string, seen: { at: string; rawS3Key?: string }): Promise<boolean>;
  /** Claims a notification as sent; false when it was claimed before. */
  claimNotification(cycleId: string, key: string, at: string): Promise<boolean>;
  /** Gives a claim back (the send failed), so a later run sends it. */
  releaseNotification(cycleId: string, key: string): Promise<void>;

  // Reply tokens
  /** Stores a reply token record. AlreadyExists if the id is taken. */
  putReplyToken(record: ReplyTokenRecord): Promise<void>;
  getReplyToken(tokenId: string): Promise<ReplyTokenRecord | undefined>;
  /** Links the Message-ID of a sent request to the reply token it carried (first link wins). */
  linkReplyToken(messageId: string, tokenId: string): Promise<void>;
  /** The reply token id a sent message carried, by its Message-ID (replies that lost the +token). */
  replyTokenOfMessage(messageId: string): Promise<string | undefined>;

  // Task tokens (never log them)
  /** Parks a task token for a cycle and purpose; a newer wait replaces an older one. */
  parkTaskToken(task: {
    cycleId: string;
    purpose: string;
    taskToken: string;
    parkedAt: string;
  }): Promise<void>;
  getParkedTask(cycleId: string, purpose: string): Promise<ParkedTask | undefined>;
  /**
   * Marks the parked task completed and returns it (with its token, to send to Step Functions);
   * undefined when nothing is parked or it was completed already, so only one caller resumes the
   * workflow. With `taskToken`, completes only that very token (not a newer wait).
   */
  completeParkedTask(
    cycleId: string,
    purpose: string,
    at: string,
    taskToken?: string,
  ): Promise<ParkedTask | undefined>;

  // Per-cycle summaries (what later packages read for trends)
  /** Stores the summary of a cycle's frozen package; a newer package version replaces an older one. */
  putCycleSummary(summary: CycleSummary): Promise<void>;
  /**
   * Summaries of a programme's cycles with a meeting before `before` (UTC), newest first, at most
   * `limit`: one paged query, however many cycles the programme has had.
   */
  listCycleSummaries(
    programmeId: string,
    query?: { before?: string; limit?: number },
  ): Promise<CycleSummary[]>;

  // Event log
  /** The head of the cycle's chain (seq 0 and the genesis hash when empty). NotFound if no cycle. */
  getChainHead(cycleId: string): Promise<ChainHead>;
  /** Appends an event; on ChainConflict re-reads the head and retries up to `maxAttempts` times. */
  appendEvent(cycleId: string, draft: EventDraft, options?: { maxAttempts?: number }): Promise<CycleEvent>;
  /** The cycle's events in seq order, from `fromSeq` (default 1). */
  listEvents(cycleId: string, fromSeq?: number): Promise<CycleEvent[]>;
}
