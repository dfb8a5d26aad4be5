/**
 * The cycle aggregate: the cycle, its input requests and their submissions, and the per-cycle
 * summary later packages read for trends.
 */
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { CycleSummary } from '../model/cycle-summary.ts';
import type { CycleEvent, EventDraft } from '../model/event.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { ParkedTask } from '../model/records.ts';
import type { WriteOptions } from './errors.ts';

export interface CycleRecords {
  readonly cycle: Cycle;
  readonly inputRequests: InputRequest[];
  readonly submissions: InputSubmission[];
  readonly actions: Action[];
  readonly events: CycleEvent[];
  readonly parkedTasks: ParkedTask[];
  /** Keys of notifications claimed as sent. */
  readonly notificationsSent: string[];
  /** Every version of the cycle's minutes, oldest first. */
  readonly minutes?: MinutesRecord[];
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

export interface SubmissionWriteOptions extends WriteOptions {
  /** Other input requests of the same cycle, as read: the write fails if one changed since. */
  readonly unchanged?: readonly InputRequest[];
}

/** The cycle, its input requests, and the notification keys claimed under one prefix. */
export interface CycleWithInputsAndClaims {
  readonly cycle: Cycle;
  readonly requests: InputRequest[];
  /** Keys claimed (not released) that start with the prefix asked for, in key order. */
  readonly claims: string[];
}

/** What a write of several input requests writes with them, in the same transaction. */
export interface InputRequestsWriteOptions {
  /** Appended to the cycle's log in this order. */
  readonly events?: readonly EventDraft[];
  /** Notification keys claimed at `at`: AlreadyExists if one is claimed (and not released) already. */
  readonly claims?: readonly { readonly key: string; readonly at: string }[];
}

export interface CycleStore {
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
  /** Everything of a cycle (records of every aggregate keyed by it) in one read. */
  getCycleRecords(cycleId: string): Promise<CycleRecords | undefined>;

  /** The cycle and its input requests, in one read (NotFound is undefined). */
  getCycleWithInputs(cycleId: string): Promise<{ cycle: Cycle; requests: InputRequest[] } | undefined>;
  /**
   * The cycle, its input requests and the notifications claimed under `claimPrefix` (e.g. `input:`),
   * in one read (NotFound is undefined): what the input check decides on.
   */
  getCycleWithInputsAndClaims(
    cycleId: string,
    claimPrefix: string,
  ): Promise<CycleWithInputsAndClaims | undefined>;

  // Inputs
  getInputRequest(cycleId: string, inputKey: string): Promise<InputRequest | undefined>;
  listInputRequests(cycleId: string): Promise<InputRequest[]>;
  updateInputRequest(
    request: InputRequest,
    options?: WriteOptions,
  ): Promise<{ request: InputRequest; event?: CycleEvent }>;
  /**
   * Stores several input requests of one cycle (each at the version read), appends the events in
   * order and claims the notifications, in one transaction: ConcurrentUpdate if a request changed
   * since it was read, AlreadyExists if a notification is claimed already, and then nothing is
   * written. TransactionTooLarge when requests, claims and events (and the chain head) exceed 100.
   */
  updateInputRequests(
    cycleId: string,
    requests: readonly InputRequest[],
    options?: InputRequestsWriteOptions,
  ): Promise<{ requests: InputRequest[]; events: CycleEvent[] }>;
  /**
   * Stores a new submission and the request it answers (updated by the caller: status and
   * submissionId; version = the version read) in one transaction. A superseded submission stays.
   * With `unchanged` (other requests of the cycle, as read), the write also checks that none of them
   * changed since: ConcurrentUpdate if one did, and nothing is written. A caller that read the
   * cycle's requests then knows them all as they are once the write succeeds.
   */
  recordSubmission(
    submission: InputSubmission,
    request: InputRequest,
    options?: SubmissionWriteOptions,
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
}
