/**
 * The review's store in memory: every port of shared/store/repository.ts, one class per port
 * (this folder), all on one pair of in-memory tables, so a write across aggregates is all or
 * nothing as on DynamoDB. It follows the DynamoDB adapter (shared/adapters/dynamodb-repository.ts)
 * write for write: the same validation, versions, errors, list orders, and the very same events
 * (seq, prevHash, hash), so evidence built on it verifies. The contract tests in test/contracts/
 * hold it and the adapter to the same behaviour.
 *
 * Two repositories built on the same `tables` are two writers on one store (two Lambdas).
 */
import type { ChainHead, CycleEvent, EventDraft } from '#shared/model/event.ts';
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { CycleSummary } from '#shared/model/cycle-summary.ts';
import type { InputRequest, InputSubmission } from '#shared/model/input.ts';
import type { MinutesRecord } from '#shared/model/minutes-record.ts';
import type { ProgrammeVersion } from '#shared/model/programme-ref.ts';
import type { SignInToken } from '#shared/model/sign-in-token.ts';
import type { ParkedTask, ReplyTokenRecord } from '#shared/model/records.ts';
import type { DailyCounter, HeldMail, HeldMailQuery } from '#shared/store/held-mail.ts';
import type { PeriodClaim } from '#shared/store/periods.ts';
import type {
  CycleRecords,
  HistoryQuery,
  ListCyclesQuery,
  ReviewRepository,
  SavedMinutes,
  SaveMinutesOptions,
  WriteOptions,
} from '#shared/store/repository.ts';
import type {
  CycleWithInputsAndClaims,
  InputRequestsWriteOptions,
  SubmissionWriteOptions,
} from '#shared/store/cycles.ts';
import { MemoryActionStore } from './actions.ts';
import { EventChain, type ChainOptions } from './chain.ts';
import { MemoryCycleStore } from './cycles.ts';
import { MemoryEventLog } from './event-log.ts';
import { MemoryInboundMailStore } from './held-mail.ts';
import { MemoryMailRecordStore } from './mail-records.ts';
import { MemoryMinutesStore } from './minutes.ts';
import { MemoryPeriodClaims } from './periods.ts';
import { MemoryProgrammeStore } from './programmes.ts';
import { MemorySignInTokenStore } from './sign-in-tokens.ts';
import { MemoryTables, type MemoryTablesOptions } from './table.ts';
import { MemoryTaskTokenStore } from './task-tokens.ts';

export { MemoryTables } from './table.ts';
export { MemoryActionStore } from './actions.ts';
export { MemoryCycleStore } from './cycles.ts';
export { MemoryEventLog } from './event-log.ts';
export { MemoryInboundMailStore } from './held-mail.ts';
export { MemoryMailRecordStore } from './mail-records.ts';
export { MemoryMinutesStore } from './minutes.ts';
export { MemoryPeriodClaims } from './periods.ts';
export { MemoryProgrammeStore } from './programmes.ts';
export { MemoryTaskTokenStore } from './task-tokens.ts';
export { MemorySignInTokenStore } from './sign-in-tokens.ts';

export interface MemoryRepositoryOptions extends ChainOptions, MemoryTablesOptions {
  /**
   * The tables to work on (their own beforeTransaction applies); default new, empty ones. Share
   * them to have two writers on one store.
   */
  readonly tables?: MemoryTables;
}

export class MemoryReviewRepository implements ReviewRepository {
  readonly tables: MemoryTables;
  readonly programmes: MemoryProgrammeStore;
  readonly cycles: MemoryCycleStore;
  readonly actions: MemoryActionStore;
  readonly minutes: MemoryMinutesStore;
  readonly events: MemoryEventLog;
  readonly mailRecords: MemoryMailRecordStore;
  readonly taskTokens: MemoryTaskTokenStore;
  readonly periods: MemoryPeriodClaims;
  readonly inboundMail: MemoryInboundMailStore;
  readonly signInTokens: MemorySignInTokenStore;

  constructor(options: MemoryRepositoryOptions = {}) {
    const tables = options.tables ?? new MemoryTables(options);
    this.tables = tables;
    const chain = new EventChain(tables, options);
    this.programmes = new MemoryProgrammeStore(tables);
    this.cycles = new MemoryCycleStore(tables, chain);
    this.actions = new MemoryActionStore(tables, chain);
    this.minutes = new MemoryMinutesStore(tables, chain);
    this.events = new MemoryEventLog(tables, chain);
    this.mailRecords = new MemoryMailRecordStore(tables);
    this.taskTokens = new MemoryTaskTokenStore(tables);
    this.periods = new MemoryPeriodClaims(tables);
    this.inboundMail = new MemoryInboundMailStore(tables, chain);
    this.signInTokens = new MemorySignInTokenStore(tables);
  }

  // ProgrammeStore
  saveProgrammeVersion(version: ProgrammeVersion): Promise<ProgrammeVersion> {
    return this.programmes.saveProgrammeVersion(version);
  }
  getCurrentProgramme(programmeId: string): Promise<ProgrammeVersion | undefined> {
    return this.programmes.getCurrentProgramme(programmeId);
  }
  getProgrammeVersion(programmeId: string, version: number): Promise<ProgrammeVersion | undefined> {
    return this.programmes.getProgrammeVersion(programmeId, version);
  }
  listProgrammeVersions(programmeId: string): Promise<ProgrammeVersion[]> {
    return this.programmes.listProgrammeVersions(programmeId);
  }

  // CycleStore
  createCycle(
    cycle: Cycle,
    requests: readonly InputRequest[],
    options?: WriteOptions,
  ): Promise<{ cycle: Cycle; requests: InputRequest[]; event?: CycleEvent }> {
    return this.cycles.createCycle(cycle, requests, options);
  }
  getCycle(cycleId: string): Promise<Cycle | undefined> {
    return this.cycles.getCycle(cycleId);
  }
  updateCycle(cycle: Cycle, options?: WriteOptions): Promise<{ cycle: Cycle; event?: CycleEvent }> {
    return this.cycles.updateCycle(cycle, options);
  }
  listCycles(programmeId: string, query?: ListCyclesQuery): Promise<Cycle[]> {
    return this.cycles.listCycles(programmeId, query);
  }
  getCycleRecords(cycleId: string): Promise<CycleRecords | undefined> {
    return this.cycles.getCycleRecords(cycleId);
  }
  getCycleWithInputs(cycleId: string): Promise<{ cycle: Cycle; requests: InputRequest[] } | undefined> {
    return this.cycles.getCycleWithInputs(cycleId);
  }
  getCycleWithInputsAndClaims(
    cycleId: string,
    claimPrefix: string,
  ): Promise<CycleWithInputsAndClaims | undefined> {
    return this.cycles.getCycleWithInputsAndClaims(cycleId, claimPrefix);
  }
  getInputRequest(cycleId: string, inputKey: string): Promise<InputRequest | undefined> {
    return this.cycles.getInputRequest(cycleId, inputKey);
  }
  listInputRequests(cycleId: string): Promise<InputRequest[]> {
    return this.cycles.listInputRequests(cycleId);
  }
  updateInputRequest(
    request: InputRequest,
    options?: WriteOptions,
  ): Promise<{ request: InputRequest; event?: CycleEvent }> {
    return this.cycles.updateInputRequest(request, options);
  }
  updateInputRequests(
    cycleId: string,
    requests: readonly InputRequest[],
    options?: InputRequestsWriteOptions,
  ): Promise<{ requests: InputRequest[]; events: CycleEvent[] }> {
    return this.cycles.updateInputRequests(cycleId, requests, options);
  }
  recordSubmission(
    submission: InputSubmission,
    request: InputRequest,
    options?: SubmissionWriteOptions,
  ): Promise<{ submission: InputSubmission; request: InputRequest; event?: CycleEvent }> {
    return this.cycles.recordSubmission(submission, request, options);
  }
  getSubmission(
    cycleId: string,
    inputKey: string,
    submissionId: string,
  ): Promise<InputSubmission | undefined> {
    return this.cycles.getSubmission(cycleId, inputKey, submissionId);
  }
  listSubmissions(cycleId: string, inputKey?: string): Promise<InputSubmission[]> {
    return this.cycles.listSubmissions(cycleId, inputKey);
  }
  listSubmissionHistory(
    programmeId: string,
    inputKey: string,
    query?: HistoryQuery,
  ): Promise<InputSubmission[]> {
    return this.cycles.listSubmissionHistory(programmeId, inputKey, query);
  }
  listPendingInputRequests(programmeId: string, dueAtOrBefore?: string): Promise<InputRequest[]> {
    return this.cycles.listPendingInputRequests(programmeId, dueAtOrBefore);
  }
  putCycleSummary(summary: CycleSummary): Promise<void> {
    return this.cycles.putCycleSummary(summary);
  }
  listCycleSummaries(
    programmeId: string,
    query?: { before?: string; limit?: number },
  ): Promise<CycleSummary[]> {
    return this.cycles.listCycleSummaries(programmeId, query);
  }

  // ActionStore
  createActions(
    actions: readonly Action[],
    options?: WriteOptions,
  ): Promise<{ actions: Action[]; event?: CycleEvent }> {
    return this.actions.createActions(actions, options);
  }
  getAction(actionId: string): Promise<Action | undefined> {
    return this.actions.getAction(actionId);
  }
  updateAction(action: Action, options?: WriteOptions): Promise<{ action: Action; event?: CycleEvent }> {
    return this.actions.updateAction(action, options);
  }
  listActionsOfCycle(cycleId: string): Promise<Action[]> {
    return this.actions.listActionsOfCycle(cycleId);
  }
  listActionsNeedingFollowUp(programmeId: string, onOrBefore?: string): Promise<Action[]> {
    return this.actions.listActionsNeedingFollowUp(programmeId, onOrBefore);
  }
  listActionsByOwner(programmeId: string, ownerId: string): Promise<Action[]> {
    return this.actions.listActionsByOwner(programmeId, ownerId);
  }

  // MinutesStore
  saveMinutes(record: MinutesRecord, options?: SaveMinutesOptions): Promise<SavedMinutes> {
    return this.minutes.saveMinutes(record, options);
  }
  getMinutes(cycleId: string): Promise<MinutesRecord | undefined> {
    return this.minutes.getMinutes(cycleId);
  }
  listMinutes(cycleId: string): Promise<MinutesRecord[]> {
    return this.minutes.listMinutes(cycleId);
  }

  // EventLog
  getChainHead(cycleId: string): Promise<ChainHead> {
    return this.events.getChainHead(cycleId);
  }
  appendEvent(cycleId: string, draft: EventDraft, options?: { maxAttempts?: number }): Promise<CycleEvent> {
    return this.events.appendEvent(cycleId, draft, options);
  }
  listEvents(cycleId: string, fromSeq?: number): Promise<CycleEvent[]> {
    return this.events.listEvents(cycleId, fromSeq);
  }

  // MailRecordStore
  markMessageSeen(messageId: string, seen: { at: string; rawS3Key?: string }): Promise<boolean> {
    return this.mailRecords.markMessageSeen(messageId, seen);
  }
  claimNotification(cycleId: string, key: string, at: string): Promise<boolean> {
    return this.mailRecords.claimNotification(cycleId, key, at);
  }
  releaseNotification(cycleId: string, key: string): Promise<void> {
    return this.mailRecords.releaseNotification(cycleId, key);
  }
  putReplyToken(record: ReplyTokenRecord): Promise<void> {
    return this.mailRecords.putReplyToken(record);
  }
  getReplyToken(tokenId: string): Promise<ReplyTokenRecord | undefined> {
    return this.mailRecords.getReplyToken(tokenId);
  }
  linkReplyToken(messageId: string, tokenId: string, expiresAt?: string): Promise<void> {
    return this.mailRecords.linkReplyToken(messageId, tokenId, expiresAt);
  }
  replyTokenOfMessage(messageId: string): Promise<string | undefined> {
    return this.mailRecords.replyTokenOfMessage(messageId);
  }

  // TaskTokenStore
  parkTaskToken(task: {
    cycleId: string;
    purpose: string;
    taskToken: string;
    parkedAt: string;
  }): Promise<void> {
    return this.taskTokens.parkTaskToken(task);
  }
  getParkedTask(cycleId: string, purpose: string): Promise<ParkedTask | undefined> {
    return this.taskTokens.getParkedTask(cycleId, purpose);
  }
  completeParkedTask(
    cycleId: string,
    purpose: string,
    at: string,
    taskToken?: string,
  ): Promise<ParkedTask | undefined> {
    return this.taskTokens.completeParkedTask(cycleId, purpose, at, taskToken);
  }

  // InboundMailStore
  holdMessage(record: HeldMail): Promise<{ held: HeldMail; first: boolean }> {
    return this.inboundMail.holdMessage(record);
  }
  getHeldMessage(id: string): Promise<HeldMail | undefined> {
    return this.inboundMail.getHeldMessage(id);
  }
  listHeldMessages(query: HeldMailQuery): Promise<HeldMail[]> {
    return this.inboundMail.listHeldMessages(query);
  }
  markHeldReleased(id: string, release: { at: string; by: string; outcome: string }): Promise<HeldMail> {
    return this.inboundMail.markHeldReleased(id, release);
  }
  consumeDailyQuota(scope: string, day: string, amount: number, limit: number): Promise<boolean> {
    return this.inboundMail.consumeDailyQuota(scope, day, amount, limit);
  }
  consumeDailyQuotas(
    scope: string,
    day: string,
    counters: readonly DailyCounter[],
  ): Promise<{ exceeded?: string }> {
    return this.inboundMail.consumeDailyQuotas(scope, day, counters);
  }
  messageSeen(messageId: string): Promise<boolean> {
    return this.inboundMail.messageSeen(messageId);
  }
  lookUpInbound(
    messageId: string,
    tokenIds: readonly string[],
  ): Promise<{ seen: boolean; tokens: ReplyTokenRecord[] }> {
    return this.inboundMail.lookUpInbound(messageId, tokenIds);
  }
  recordMessageReceived(
    messageId: string,
    seen: { at: string; rawS3Key?: string },
    log?: { cycleId: string; event: EventDraft },
  ): Promise<{ first: boolean; event?: CycleEvent }> {
    return this.inboundMail.recordMessageReceived(messageId, seen, log);
  }

  // PeriodClaims
  claimPeriod(claim: PeriodClaim): Promise<{ claimed: boolean; claim: PeriodClaim }> {
    return this.periods.claimPeriod(claim);
  }

  // SignInTokenStore
  saveSignInToken(token: SignInToken): Promise<SignInToken> {
    return this.signInTokens.saveSignInToken(token);
  }
  getSignInToken(tokenHash: string): Promise<SignInToken | undefined> {
    return this.signInTokens.getSignInToken(tokenHash);
  }
  redeemSignInToken(tokenHash: string, at: string): Promise<SignInToken | undefined> {
    return this.signInTokens.redeemSignInToken(tokenHash, at);
  }
  endSession(sessionId: string, expiresAt: string, at: string): Promise<void> {
    return this.signInTokens.endSession(sessionId, expiresAt, at);
  }
  sessionEnded(sessionId: string): Promise<boolean> {
    return this.signInTokens.sessionEnded(sessionId);
  }
}

/** A fresh, empty in-memory store (or another writer on `options.tables`). */
export function memoryRepository(options: MemoryRepositoryOptions = {}): MemoryReviewRepository {
  return new MemoryReviewRepository(options);
}
