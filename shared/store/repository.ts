/**
 * The store ports, one per aggregate, and ReviewRepository, their union (what one DynamoDB table
 * holds). A use case asks for the narrow ports it uses (`Pick` or the port itself); the DynamoDB
 * adapters (shared/adapters/dynamodb/) and the in-memory stores (test/support/memory-store.ts)
 * implement them, and the contract tests in test/contracts/ hold both to the same behaviour.
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
import type { ActionStore } from './actions.ts';
import type { CycleStore } from './cycles.ts';
import type { EventLog } from './event-log.ts';
import type { InboundMailStore } from './held-mail.ts';
import type { MailRecordStore } from './mail-records.ts';
import type { MinutesStore } from './minutes.ts';
import type { PeriodClaims } from './periods.ts';
import type { ProgrammeStore } from './programmes.ts';
import type { SignInTokenStore } from './sign-in-tokens.ts';
import type { TaskTokenStore } from './task-tokens.ts';

export * from './errors.ts';
export type { ActionStore } from './actions.ts';
export type {
  CycleRecords,
  CycleStore,
  CycleWithInputsAndClaims,
  HistoryQuery,
  InputRequestsWriteOptions,
  ListCyclesQuery,
  SubmissionWriteOptions,
} from './cycles.ts';
export type { EventLog } from './event-log.ts';
export type { MailRecordStore } from './mail-records.ts';
export type { MinutesStore, SavedMinutes, SaveMinutesOptions } from './minutes.ts';
export type { ProgrammeStore } from './programmes.ts';
export type { SignInTokenStore } from './sign-in-tokens.ts';
export type { TaskTokenStore } from './task-tokens.ts';

/** Every store port: what the review's table holds. */
export interface ReviewRepository
  extends
    ProgrammeStore,
    CycleStore,
    ActionStore,
    MinutesStore,
    EventLog,
    MailRecordStore,
    TaskTokenStore,
    InboundMailStore,
    PeriodClaims,
    SignInTokenStore {}
