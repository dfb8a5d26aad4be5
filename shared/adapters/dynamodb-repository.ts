/**
 * The repository on DynamoDB: the main table and the append-only events table
 * (shared/store/table-design.ts), keys and access patterns as written in shared/store/keys.ts. No
 * Scan; every list is a Query whose pages are all read. Events go to the events table (PutItem with
 * attribute_not_exists, in the same TransactWriteItems that moves the chain head on the cycle item
 * in the main table); nothing here updates or deletes an event, or deletes any item.
 *
 * Every conditional write goes through TransactWriteItems, so one code path maps DynamoDB's
 * cancellation reasons (per item, in request order) to the named errors of the port:
 * a failed `attribute_not_exists` → AlreadyExists, a failed version check → ConcurrentUpdate
 * (or NotFound if the item is gone), a moved chain head → ChainConflict, which the writers here
 * retry by themselves after re-reading the head. A TransactionConflict (another transaction held
 * the item at that moment) is retried the same way.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { createDynamoClients, documentClient } from './dynamodb.ts';
import { InvalidData, issuesOf, parseWith } from '../model/common.ts';
import { Action } from '../model/action.ts';
import { Cycle } from '../model/cycle.ts';
import { CycleEvent, EventDraft, type ChainHead } from '../model/event.ts';
import { cycleIdOfAction } from '../model/ids.ts';
import { InputRequest, InputSubmission, statusAfter } from '../model/input.ts';
import { ProgrammeVersion } from '../model/programme-ref.ts';
import { NotificationKey, ParkedTask, Purpose, ReplyTokenRecord } from '../model/records.ts';
import { computeEventHash, GENESIS_HASH } from '../evidence/hash-chain.ts';
import { MinutesRecord } from '../model/minutes-record.ts';
import { CycleSummary } from '../model/cycle-summary.ts';
import { eventsTableNameFor, TTL_ATTRIBUTE } from '../store/table-design.ts';
import { PeriodClaim } from '../store/periods.ts';
import {
  HELD_MAIL_TTL_DAYS,
  HeldMail,
  HeldMailAlreadyReleased,
  HeldMailId,
  HeldMailNotFound,
  heldMailId,
  type HeldMailQuery,
} from '../store/held-mail.ts';
import {
  actionKeys,
  cycleKeys,
  eventKeys,
  inputKeys,
  messageKeys,
  minutesKeys,
  notificationKeys,
  periodKeys,
  programmeKeys,
  heldMailKeys,
  quotaKeys,
  summaryKeys,
  RANGE_END,
  replyTokenKeys,
  SK,
  sortableTime,
  taskKeys,
  type Key,
} from '../store/keys.ts';
import {
  AlreadyExists,
  ChainConflict,
  ConcurrentUpdate,
  CorruptRecord,
  NotFound,
  TransactionTooLarge,
  type CycleRecords,
  type HistoryQuery,
  type ListCyclesQuery,
  type RecordKind,
  type ReviewRepository,
  type SavedMinutes,
  type SaveMinutesOptions,
  type WriteOptions,
} from '../store/repository.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/** Attributes that belong to storage, not to the record: removed before a record is parsed. */
const STORAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'entity',
  'eventHeadSeq',
  'eventHeadHash',
  TTL_ATTRIBUTE,
];

const DAY_SECONDS = 86_400;
/**
 * How long a seen Message-ID is remembered: far longer than any retry (SES retries for hours, an
 * SMTP sender for days); a replay after that still changes nothing (every write is keyed by it).
 */
export const SEEN_MESSAGE_TTL_DAYS = 400;
/** How long a reply token (and its Message-ID link) outlives its expiry, so a late reply is told it expired. */
export const REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY = 90;

/** Epoch seconds of an ISO time plus whole days: a TTL attribute value. */
function ttlAfter(at: string, days: number): number {
  return Math.floor(Date.parse(at) / 1000) + days * DAY_SECONDS;
}

const MAX_TRANSACTION_ITEMS = 100;
const DEFAULT_EVENT_ATTEMPTS = 10;

/** What to say when the condition of one transaction item fails. `old` is the item as it was, if DynamoDB returned it. */
type OnConditionFailed = (old: Item | undefined) => Promise<Error> | Error;

interface Step {
  readonly op: TransactItem;
  readonly onConditionFailed?: OnConditionFailed;
}

/** Another transaction held one of the items; retrying is safe because nothing was written. */
class TransientConflict extends Error {
  override name = 'TransientConflict' as const;
}

export interface DynamoDbRepositoryOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * The append-only events table (shared/store/table-design.ts eventsTableDesign); default: the
   * main table's name with `-events` (eventsTableNameFor).
   */
  readonly eventsTableName?: string;
  /** How often a write with an event is tried when other writers keep moving the chain head. */
  readonly maxEventAttempts?: number;
  /** Pause before retry n (ms); default a few milliseconds of jitter growing with n. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

function defaultBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 5 * attempt);
  return new Promise((wake) => setTimeout(wake, ms));
}

/** A number attribute from an item that may be unmarshalled ({version: 3}) or raw ({version: {N: '3'}}). */
function numberAttribute(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name];
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'N' in value) return Number((value as { N: string }).N);
  return undefined;
}

function stripStorage(item: Item): Item {
  const record: Item = { ...item };
  for (const name of STORAGE_ATTRIBUTES) delete record[name];
  return record;
}

function toRecord<S extends z.ZodType>(schema: S, item: Item, what: string): z.output<S> {
  const result = schema.safeParse(stripStorage(item));
  if (!result.success) {
    const issues = issuesOf(result.error)
      .map((issue) => `${issue.path}: ${issue.message}`)
      .join('; ');
    throw new CorruptRecord(
      `stored ${what} (${String(item.pk)} / ${String(item.sk)}) does not match its schema: ${issues}`,
    );
  }
  return result.data;
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export class DynamoDbRepository implements ReviewRepository {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly eventsTableName: string;
  private readonly maxEventAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(options: DynamoDbRepositoryOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.eventsTableName = options.eventsTableName?.trim() || eventsTableNameFor(options.tableName);
    this.maxEventAttempts = options.maxEventAttempts ?? DEFAULT_EVENT_ATTEMPTS;
    this.backoff = options.backoff ?? defaultBackoff;
  }

  // ---------------------------------------------------------------- programme versions

  async saveProgrammeVersion(input: ProgrammeVersion): Promise<ProgrammeVersion> {
    const version = parseWith(
      ProgrammeVersion,
      input,
      `programme ${input?.programmeId} version ${input?.version}`,
    );
    const id = `${version.programmeId} v${version.version}`;
    const currentKey = programmeKeys.current(version.programmeId);
    await this.transact([
      {
        op: {
          Put: {
            TableName: this.tableName,
            Item: {
              ...programmeKeys.version(version.programmeId, version.version),
              entity: 'programme-version',
              ...version,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () =>
          new AlreadyExists(
            'programme version',
            id,
            'that version number is taken; save as the next version',
          ),
      },
      {
        op: {
          Put: {
            TableName: this.tableName,
            Item: { ...currentKey, entity: 'programme-current', ...version },
            ...(version.version === 1
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :previous',
                  ExpressionAttributeValues: { ':previous': version.version - 1 },
                }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: async (old) => {
          const found = numberAttribute(old ?? (await this.getItem(currentKey)), 'version');
          return new ConcurrentUpdate('programme version', version.programmeId, version.version - 1, found);
        },
      },
    ]);
    return version;
  }

  async getCurrentProgramme(programmeId: string): Promise<ProgrammeVersion | undefined> {
    const item = await this.getItem(programmeKeys.current(programmeId));
    return item && toRecord(ProgrammeVersion, item, `current programme ${programmeId}`);
  }

  async getProgrammeVersion(programmeId: string, version: number): Promise<ProgrammeVersion | undefined> {
    const item = await this.getItem(programmeKeys.version(programmeId, version));
    return item && toRecord(ProgrammeVersion, item, `programme ${programmeId} version ${version}`);
  }

  async listProgrammeVersions(programmeId: string): Promise<ProgrammeVersion[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': programmeKeys.partition(programmeId),
        ':prefix': SK.programmeVersion,
      },
    });
    return items.map((item) => toRecord(ProgrammeVersion, item, `programme ${programmeId} version`));
  }

  // ---------------------------------------------------------------- cycles

  async createCycle(
    cycleInput: Cycle,
    requestInputs: readonly InputRequest[],
    options: WriteOptions = {},
  ): Promise<{ cycle: Cycle; requests: InputRequest[]; event?: CycleEvent }> {
    const cycle = parseWith(Cycle, cycleInput, `cycle ${cycleInput?.id}`);
    const requests = requestInputs.map((request, index) =>
      parseWith(InputRequest, request, `input request ${request?.inputKey ?? index} of cycle ${cycle.id}`),
    );
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${cycle.id}`);
    const problems: { path: string; message: string }[] = [];
    if (cycle.version !== 1) problems.push({ path: 'cycle.version', message: 'a new cycle has version 1' });
    const keysSeen = new Set<string>();
    requests.forEach((request, index) => {
      if (request.cycleId !== cycle.id || request.programmeId !== cycle.programmeId) {
        problems.push({
          path: `requests[${index}].cycleId`,
          message: `input ${request.inputKey} names cycle ${request.cycleId} of ${request.programmeId}, not ${cycle.id} of ${cycle.programmeId}`,
        });
      }
      if (keysSeen.has(request.inputKey)) {
        problems.push({
          path: `requests[${index}].inputKey`,
          message: `input ${request.inputKey} is listed twice; request each input once`,
        });
      }
      keysSeen.add(request.inputKey);
      if (request.version !== 1)
        problems.push({ path: `requests[${index}].version`, message: 'a new input request has version 1' });
    });
    if (problems.length > 0) throw new InvalidData(`new cycle ${cycle.id}`, problems);
    const event = draft && this.buildEvent(cycle.id, { seq: 0, hash: GENESIS_HASH }, draft);
    const head = event ? { seq: event.seq, hash: event.hash } : { seq: 0, hash: GENESIS_HASH };
    const steps: Step[] = [
      {
        op: {
          Put: {
            TableName: this.tableName,
            Item: {
              ...cycleKeys.cycle(cycle.id),
              ...cycleKeys.indexKeys(cycle),
              entity: 'cycle',
              ...cycle,
              eventHeadSeq: head.seq,
              eventHeadHash: head.hash,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () =>
          new AlreadyExists(
            'cycle',
            cycle.id,
            'a cycle with this id was opened already; nothing was written',
          ),
      },
      ...requests.map((request): Step => ({
        op: {
          Put: {
            TableName: this.tableName,
            Item: this.inputRequestItem(request),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyExists('input request', `${cycle.id}/${request.inputKey}`),
      })),
    ];
    if (event) steps.push(this.eventPutStep(event));
    await this.transact(steps);
    return event ? { cycle, requests, event } : { cycle, requests };
  }

  async getCycle(cycleId: string): Promise<Cycle | undefined> {
    const item = await this.getItem(cycleKeys.cycle(cycleId));
    return item && toRecord(Cycle, item, `cycle ${cycleId}`);
  }

  async updateCycle(input: Cycle, options: WriteOptions = {}): Promise<{ cycle: Cycle; event?: CycleEvent }> {
    const read = parseWith(Cycle, input, `cycle ${input?.id}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.id}`);
    const cycle: Cycle = { ...read, version: read.version + 1 };
    const key = cycleKeys.cycle(cycle.id);
    // The cycle item also holds the chain head, so the record and the head move in ONE update
    // (a transaction may not touch an item twice). Absent optional fields are removed.
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const attributes: Item = { ...cycle, ...cycleKeys.indexKeys(cycle) };
    const fieldNames = [...Object.keys(Cycle.shape), 'gsi1pk', 'gsi1sk'];
    fieldNames.forEach((field, index) => {
      names[`#f${index}`] = field;
      if (attributes[field] === undefined) removes.push(`#f${index}`);
      else {
        sets.push(`#f${index} = :f${index}`);
        values[`:f${index}`] = attributes[field];
      }
    });
    values[':expected'] = read.version;
    names['#version'] = 'version';

    const result = await this.withEventRetry(cycle.id, draft, (event, head) => {
      const eventValues: Record<string, unknown> = {};
      let eventSets = '';
      let eventCondition = '';
      if (event && head) {
        eventSets = ', eventHeadSeq = :headSeq, eventHeadHash = :headHash';
        eventCondition = ' AND eventHeadSeq = :previousHeadSeq';
        Object.assign(eventValues, {
          ':headSeq': event.seq,
          ':headHash': event.hash,
          ':previousHeadSeq': head.seq,
        });
      }
      const condition = `attribute_exists(pk) AND #version = :expected${eventCondition}`;
      const steps: Step[] = [
        {
          op: {
            Update: {
              TableName: this.tableName,
              Key: key,
              UpdateExpression: `SET ${sets.join(', ')}${eventSets}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
              ConditionExpression: condition,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...values, ...eventValues },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          onConditionFailed: async (old) => {
            const current = old ?? (await this.getItem(key));
            if (!current) return new NotFound('cycle', cycle.id);
            const found = numberAttribute(current, 'version');
            if (found !== read.version) return new ConcurrentUpdate('cycle', cycle.id, read.version, found);
            return new ChainConflict(cycle.id, event?.seq ?? 0);
          },
        },
      ];
      if (event) steps.push(this.eventPutStep(event));
      return steps;
    });
    return result.event ? { cycle, event: result.event } : { cycle };
  }

  async listCycles(programmeId: string, query: ListCyclesQuery = {}): Promise<Cycle[]> {
    const values: Item = { ':pk': cycleKeys.byMeetingPartition(programmeId) };
    let range = '';
    if (query.meetingFrom !== undefined && query.meetingTo !== undefined) {
      range = ' AND gsi1sk BETWEEN :from AND :to';
      values[':from'] = sortableTime(query.meetingFrom);
      values[':to'] = `${sortableTime(query.meetingTo)}#${RANGE_END}`;
    } else if (query.meetingFrom !== undefined) {
      range = ' AND gsi1sk >= :from';
      values[':from'] = sortableTime(query.meetingFrom);
    } else if (query.meetingTo !== undefined) {
      range = ' AND gsi1sk <= :to';
      values[':to'] = `${sortableTime(query.meetingTo)}#${RANGE_END}`;
    }
    const items = await this.queryAll(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: `gsi1pk = :pk${range}`,
        ExpressionAttributeValues: values,
        ScanIndexForward: !query.newestFirst,
      },
      query.limit,
    );
    return items.map((item) => toRecord(Cycle, item, 'cycle'));
  }

  async getCycleRecords(cycleId: string): Promise<CycleRecords | undefined> {
    const partition = {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycleId) },
    };
    // The records, then the events (their own table): an event read after its head is never missed.
    const recordItems = await this.queryAll(partition, undefined, true);
    const eventItems = await this.queryAll(partition, undefined, true, this.eventsTableName);
    // Events come from the events table only: an EVENT# item in the main table is not the log.
    const items = [...recordItems.filter((item) => !String(item.sk).startsWith(SK.event)), ...eventItems];
    let cycle: Cycle | undefined;
    const records = {
      inputRequests: [] as InputRequest[],
      submissions: [] as InputSubmission[],
      actions: [] as Action[],
      events: [] as CycleEvent[],
      parkedTasks: [] as ParkedTask[],
      notificationsSent: [] as string[],
      minutes: [] as MinutesRecord[],
    };
    for (const item of items) {
      const sk = String(item.sk);
      if (sk === SK.cycle) cycle = toRecord(Cycle, item, `cycle ${cycleId}`);
      else if (sk.startsWith(SK.input))
        records.inputRequests.push(toRecord(InputRequest, item, 'input request'));
      else if (sk.startsWith(SK.submission))
        records.submissions.push(toRecord(InputSubmission, item, 'submission'));
      else if (sk.startsWith(SK.action)) records.actions.push(toRecord(Action, item, 'action'));
      else if (sk.startsWith(SK.event)) records.events.push(toRecord(CycleEvent, item, 'event'));
      else if (sk.startsWith(SK.task)) records.parkedTasks.push(toRecord(ParkedTask, item, 'task token'));
      else if (sk.startsWith(SK.sent)) {
        // A released claim was given back unsent.
        if (item.released !== true) records.notificationsSent.push(sk.slice(SK.sent.length));
      } else if (sk.startsWith(SK.minutes)) records.minutes.push(toRecord(MinutesRecord, item, 'minutes'));
    }
    return cycle && { cycle, ...records };
  }

  // ---------------------------------------------------------------- inputs

  async getInputRequest(cycleId: string, inputKey: string): Promise<InputRequest | undefined> {
    const item = await this.getItem(inputKeys.request(cycleId, inputKey));
    return item && toRecord(InputRequest, item, `input request ${cycleId}/${inputKey}`);
  }

  async listInputRequests(cycleId: string): Promise<InputRequest[]> {
    const items = await this.queryPrefix(cycleKeys.partition(cycleId), SK.input);
    return items.map((item) => toRecord(InputRequest, item, 'input request'));
  }

  async updateInputRequest(
    input: InputRequest,
    options: WriteOptions = {},
  ): Promise<{ request: InputRequest; event?: CycleEvent }> {
    const read = parseWith(InputRequest, input, `input request ${input?.cycleId}/${input?.inputKey}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.cycleId}`);
    const request: InputRequest = { ...read, version: read.version + 1 };
    const result = await this.withEventRetry(read.cycleId, draft, (event, head) => [
      this.versionedPutStep(
        'input request',
        `${read.cycleId}/${read.inputKey}`,
        this.inputRequestItem(request),
        read.version,
      ),
      ...this.eventSteps(read.cycleId, event, head),
    ]);
    return result.event ? { request, event: result.event } : { request };
  }

  async recordSubmission(
    submissionInput: InputSubmission,
    requestInput: InputRequest,
    options: WriteOptions = {},
  ): Promise<{ submission: InputSubmission; request: InputRequest; event?: CycleEvent }> {
    const submission = parseWith(InputSubmission, submissionInput, `submission ${submissionInput?.id}`);
    const read = parseWith(
      InputRequest,
      requestInput,
      `input request ${requestInput?.cycleId}/${requestInput?.inputKey}`,
    );
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.cycleId}`);
    const requestId = `${read.cycleId}/${read.inputKey}`;
    if (read.cycleId !== submission.cycleId || read.inputKey !== submission.inputKey) {
      throw new InvalidData(`input request ${requestId}`, [
        {
          path: 'inputKey',
          message: `the submission answers ${submission.cycleId}/${submission.inputKey}, not ${requestId}`,
        },
      ]);
    }
    // A submission received before the one the request already names is kept on record without
    // becoming current (the newer answer wins by receipt time): the request stays as it is.
    const keptAside =
      read.submissionId !== undefined && read.submissionId !== submission.id && !submission.supersedes;
    if (!keptAside && (read.submissionId !== submission.id || read.status !== statusAfter(submission))) {
      throw new InvalidData(`input request ${requestId}`, [
        {
          path: 'status',
          message: `set status ${statusAfter(submission)} and submissionId ${submission.id} on the request before recording the submission`,
        },
      ]);
    }
    const request: InputRequest = { ...read, version: read.version + 1 };
    const submissionKey = inputKeys.submission(submission.cycleId, submission.inputKey, submission.id);
    const result = await this.withEventRetry(read.cycleId, draft, (event, head) => {
      const steps: Step[] = [
        {
          op: {
            Put: {
              TableName: this.tableName,
              Item: {
                ...submissionKey,
                ...inputKeys.submissionIndexKeys(submission),
                entity: 'submission',
                ...submission,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new AlreadyExists('submission', submission.id),
        },
        this.versionedPutStep('input request', requestId, this.inputRequestItem(request), read.version),
      ];
      if (keptAside) {
        const current = read.submissionId!;
        steps.push({
          op: {
            ConditionCheck: {
              TableName: this.tableName,
              Key: inputKeys.submission(submission.cycleId, submission.inputKey, current),
              ConditionExpression: 'attribute_exists(pk) AND receivedAt > :received',
              ExpressionAttributeValues: { ':received': submission.receivedAt },
            },
          },
          onConditionFailed: () =>
            new InvalidData(`input request ${requestId}`, [
              {
                path: 'submissionId',
                message: `submission ${submission.id} is kept aside only when the current one (${current}) was received after it`,
              },
            ]),
        });
      }
      if (submission.supersedes) {
        const superseded = submission.supersedes;
        steps.push({
          op: {
            ConditionCheck: {
              TableName: this.tableName,
              Key: inputKeys.submission(submission.cycleId, submission.inputKey, superseded),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          onConditionFailed: () =>
            new NotFound(
              'submission',
              superseded,
              `submission ${submission.id} supersedes it, but input ${requestId} has no such submission`,
            ),
        });
      }
      steps.push(...this.eventSteps(read.cycleId, event, head));
      return steps;
    });
    return result.event ? { submission, request, event: result.event } : { submission, request };
  }

  async getSubmission(
    cycleId: string,
    inputKey: string,
    submissionId: string,
  ): Promise<InputSubmission | undefined> {
    const item = await this.getItem(inputKeys.submission(cycleId, inputKey, submissionId));
    return item && toRecord(InputSubmission, item, `submission ${submissionId}`);
  }

  async listSubmissions(cycleId: string, inputKey?: string): Promise<InputSubmission[]> {
    const prefix = inputKey === undefined ? SK.submission : inputKeys.submissionsOfInputPrefix(inputKey);
    const items = await this.queryPrefix(cycleKeys.partition(cycleId), prefix);
    return items.map((item) => toRecord(InputSubmission, item, 'submission'));
  }

  async listSubmissionHistory(
    programmeId: string,
    inputKey: string,
    query: HistoryQuery = {},
  ): Promise<InputSubmission[]> {
    const values: Item = { ':pk': inputKeys.historyPartition(programmeId, inputKey) };
    let range = '';
    if (query.periodEndingOnOrBefore !== undefined) {
      range = ' AND gsi1sk <= :to';
      values[':to'] = `${query.periodEndingOnOrBefore}#${RANGE_END}`;
    }
    const items = await this.queryAll(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: `gsi1pk = :pk${range}`,
        ExpressionAttributeValues: values,
        ScanIndexForward: !query.newestFirst,
      },
      query.limit,
    );
    return items.map((item) => toRecord(InputSubmission, item, 'submission'));
  }

  async listPendingInputRequests(programmeId: string, dueAtOrBefore?: string): Promise<InputRequest[]> {
    const values: Item = { ':pk': inputKeys.pendingPartition(programmeId) };
    let range = '';
    if (dueAtOrBefore !== undefined) {
      range = ' AND gsi2sk <= :to';
      values[':to'] = `${sortableTime(dueAtOrBefore)}#${RANGE_END}`;
    }
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: `gsi2pk = :pk${range}`,
      ExpressionAttributeValues: values,
    });
    return items.map((item) => toRecord(InputRequest, item, 'input request'));
  }

  // ---------------------------------------------------------------- actions

  async createActions(
    inputs: readonly Action[],
    options: WriteOptions = {},
  ): Promise<{ actions: Action[]; event?: CycleEvent }> {
    const actions = inputs.map((action, index) => parseWith(Action, action, `action ${action?.id ?? index}`));
    const cycleId = actions[0]?.cycleId;
    if (cycleId === undefined)
      throw new InvalidData('new actions', [{ path: '(root)', message: 'give at least one action' }]);
    const problems: { path: string; message: string }[] = [];
    const ids = new Set<string>();
    actions.forEach((action, index) => {
      if (action.cycleId !== cycleId) {
        problems.push({
          path: `[${index}].cycleId`,
          message: `actions created together belong to one cycle (${cycleId})`,
        });
      }
      if (ids.has(action.id))
        problems.push({ path: `[${index}].id`, message: `${action.id} is listed twice` });
      ids.add(action.id);
      if (action.version !== 1)
        problems.push({ path: `[${index}].version`, message: 'a new action has version 1' });
    });
    if (problems.length > 0) throw new InvalidData('new actions', problems);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${cycleId}`);
    const cycleKey = cycleKeys.cycle(cycleId);
    const result = await this.withEventRetry(cycleId, draft, (event, head) => [
      ...actions.map((action): Step => ({
        op: {
          Put: {
            TableName: this.tableName,
            Item: this.actionItem(action),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyExists('action', action.id),
      })),
      ...(event
        ? this.eventSteps(cycleId, event, head)
        : [
            {
              op: {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: cycleKey,
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              onConditionFailed: () =>
                new NotFound('cycle', cycleId, 'actions can only be created for an existing cycle'),
            },
          ]),
    ]);
    return result.event ? { actions, event: result.event } : { actions };
  }

  async getAction(actionId: string): Promise<Action | undefined> {
    const item = await this.getItem(actionKeys.action(cycleIdOfAction(actionId), actionId));
    return item && toRecord(Action, item, `action ${actionId}`);
  }

  async updateAction(
    input: Action,
    options: WriteOptions = {},
  ): Promise<{ action: Action; event?: CycleEvent }> {
    const read = parseWith(Action, input, `action ${input?.id}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.cycleId}`);
    const action: Action = { ...read, version: read.version + 1 };
    const result = await this.withEventRetry(read.cycleId, draft, (event, head) => [
      this.versionedPutStep('action', read.id, this.actionItem(action), read.version),
      ...this.eventSteps(read.cycleId, event, head),
    ]);
    return result.event ? { action, event: result.event } : { action };
  }

  async listActionsOfCycle(cycleId: string): Promise<Action[]> {
    const items = await this.queryPrefix(cycleKeys.partition(cycleId), SK.action);
    return items.map((item) => toRecord(Action, item, 'action'));
  }

  async listActionsNeedingFollowUp(programmeId: string, onOrBefore?: string): Promise<Action[]> {
    const values: Item = { ':pk': actionKeys.openPartition(programmeId) };
    let range = '';
    if (onOrBefore !== undefined) {
      range = ' AND gsi2sk <= :to';
      values[':to'] = `${onOrBefore}#${RANGE_END}`;
    }
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: `gsi2pk = :pk${range}`,
      ExpressionAttributeValues: values,
    });
    return items.map((item) => toRecord(Action, item, 'action'));
  }

  async listActionsByOwner(programmeId: string, ownerId: string): Promise<Action[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': actionKeys.ownerPartition(programmeId, ownerId) },
    });
    return items.map((item) => toRecord(Action, item, 'action'));
  }

  // ---------------------------------------------------------------- minutes

  async saveMinutes(input: MinutesRecord, options: SaveMinutesOptions = {}): Promise<SavedMinutes> {
    const minutes = parseWith(MinutesRecord, input, `minutes ${input?.cycleId} version ${input?.version}`);
    const { cycleId, version } = minutes;
    const id = `${cycleId} version ${version}`;
    const newActions = (options.newActions ?? []).map((action, index) =>
      parseWith(Action, action, `action ${action?.id ?? index}`),
    );
    const changedRead = (options.changedActions ?? []).map((action, index) =>
      parseWith(Action, action, `action ${action?.id ?? index}`),
    );
    const cycleRead = options.cycle && parseWith(Cycle, options.cycle, `cycle ${options.cycle?.id}`);
    const drafts = [...(options.event ? [options.event] : []), ...(options.events ?? [])].map((draft) =>
      parseWith(EventDraft, draft, `event for cycle ${cycleId}`),
    );
    const problems: { path: string; message: string }[] = [];
    if (cycleRead && cycleRead.id !== cycleId) {
      problems.push({
        path: 'cycle.id',
        message: `the minutes are of cycle ${cycleId}, not ${cycleRead.id}`,
      });
    }
    const ids = new Set<string>();
    [...newActions, ...changedRead].forEach((action) => {
      if (action.cycleId !== cycleId) {
        problems.push({
          path: `actions.${action.id}`,
          message: `belongs to cycle ${action.cycleId}, not ${cycleId}`,
        });
      }
      if (ids.has(action.id)) problems.push({ path: `actions.${action.id}`, message: 'is listed twice' });
      ids.add(action.id);
    });
    newActions.forEach((action) => {
      if (action.version !== 1) {
        problems.push({ path: `newActions.${action.id}`, message: 'a new action has version 1' });
      }
    });
    if (newActions.length > 0 && newActions.map((action) => action.id).join() !== minutes.actionIds.join()) {
      problems.push({
        path: 'newActions',
        message: `the minutes name actions ${minutes.actionIds.join(', ') || 'none'}; the new actions must be exactly those, in that order`,
      });
    }
    if (problems.length > 0) throw new InvalidData(`minutes ${id}`, problems);

    const cycle = cycleRead && { ...cycleRead, version: cycleRead.version + 1 };
    const changedActions = changedRead.map((action) => ({ ...action, version: action.version + 1 }));
    let events: CycleEvent[] = [];
    await this.withEventRetry(cycleId, drafts[0], (first, head) => {
      events = [];
      if (first) {
        events.push(first);
        for (const draft of drafts.slice(1))
          events.push(this.buildEvent(cycleId, events[events.length - 1]!, draft));
      }
      const last = events[events.length - 1];
      const steps: Step[] = [
        {
          op: {
            Put: {
              TableName: this.tableName,
              Item: { ...minutesKeys.minutes(cycleId, version), entity: 'minutes', ...minutes },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () =>
            new AlreadyExists(
              'minutes',
              id,
              `version ${version} of the minutes was recorded already (perhaps at the same moment); nothing was written: reload the latest minutes`,
            ),
        },
      ];
      if (version > 1) {
        steps.push({
          op: {
            ConditionCheck: {
              TableName: this.tableName,
              Key: minutesKeys.minutes(cycleId, version - 1),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          onConditionFailed: () =>
            new NotFound(
              'minutes',
              `${cycleId} version ${version - 1}`,
              `versions follow each other: version ${version} can only replace a recorded version ${version - 1}`,
            ),
        });
      }
      for (const action of newActions) {
        steps.push({
          op: {
            Put: {
              TableName: this.tableName,
              Item: this.actionItem(action),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new AlreadyExists('action', action.id),
        });
      }
      changedActions.forEach((action, index) => {
        steps.push(
          this.versionedPutStep('action', action.id, this.actionItem(action), changedRead[index]!.version),
        );
      });
      if (cycleRead && cycle) steps.push(this.cycleUpdateStep(cycleRead, cycle, head, last));
      else if (last && head) steps.push(this.chainHeadStep(cycleId, head, last));
      else {
        steps.push({
          op: {
            ConditionCheck: {
              TableName: this.tableName,
              Key: cycleKeys.cycle(cycleId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          onConditionFailed: () =>
            new NotFound('cycle', cycleId, 'minutes are recorded for an existing cycle'),
        });
      }
      for (const event of events) steps.push(this.eventPutStep(event));
      return steps;
    });
    return { minutes, ...(cycle ? { cycle } : {}), newActions, changedActions, events };
  }

  async getMinutes(cycleId: string): Promise<MinutesRecord | undefined> {
    const items = await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycleId), ':prefix': SK.minutes },
        ScanIndexForward: false,
      },
      1,
      true,
    );
    return items[0] && toRecord(MinutesRecord, items[0], `minutes of cycle ${cycleId}`);
  }

  async listMinutes(cycleId: string): Promise<MinutesRecord[]> {
    const items = await this.queryPrefix(cycleKeys.partition(cycleId), SK.minutes);
    return items.map((item) => toRecord(MinutesRecord, item, `minutes of cycle ${cycleId}`));
  }

  // ---------------------------------------------------------------- idempotency

  async markMessageSeen(messageId: string, seen: { at: string; rawS3Key?: string }): Promise<boolean> {
    if (messageKeys.normalise(messageId) === '') {
      throw new InvalidData('Message-ID', [
        { path: '(root)', message: 'is empty; a message without a Message-ID cannot be deduplicated' },
      ]);
    }
    const messageIdHash = messageKeys.hashOf(messageId);
    return this.putIfAbsent({
      ...messageKeys.message(messageIdHash),
      entity: 'message',
      messageIdHash,
      firstSeenAt: sortableTime(seen.at),
      ...(seen.rawS3Key ? { rawS3Key: seen.rawS3Key } : {}),
      [TTL_ATTRIBUTE]: ttlAfter(seen.at, SEEN_MESSAGE_TTL_DAYS),
    });
  }

  /** Claims the notification unless it is claimed already; a released claim may be claimed again. */
  async claimNotification(cycleId: string, key: string, at: string): Promise<boolean> {
    parseWith(NotificationKey, key, 'notification key');
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...notificationKeys.sent(cycleId, key),
            entity: 'notification',
            cycleId,
            key,
            claimedAt: sortableTime(at),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR released = :released',
          ExpressionAttributeValues: { ':released': true },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Gives a claim back (the send failed) by marking it released, so that the next run may claim it
   * again. An update, not a delete: no role needs DeleteItem. Releasing what is not claimed does nothing.
   */
  async releaseNotification(cycleId: string, key: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: notificationKeys.sent(cycleId, key),
          UpdateExpression: 'SET released = :released',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':released': true },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  // ---------------------------------------------------------------- held mail, quotas, receipts
  // (shared/store/held-mail.ts: outside every cycle's chain, except the receipt's own event)

  async holdMessage(input: HeldMail): Promise<{ held: HeldMail; first: boolean }> {
    const record = parseWith(HeldMail, input, 'held message');
    const messageIdHash = messageKeys.hashOf(record.messageId);
    const ttl = ttlAfter(record.receivedAt, HELD_MAIL_TTL_DAYS);
    const link = heldMailKeys.byMessage(messageIdHash);
    try {
      await this.transact([
        {
          op: {
            Put: {
              TableName: this.tableName,
              Item: { ...link, entity: 'held-link', heldId: record.id, [TTL_ATTRIBUTE]: ttl },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new AlreadyExists('notification', record.id, 'held before'),
        },
        {
          op: {
            Put: {
              TableName: this.tableName,
              Item: { ...heldMailKeys.held(record.id), entity: 'held', ...record, [TTL_ATTRIBUTE]: ttl },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new AlreadyExists('notification', record.id, 'held before'),
        },
      ]);
      return { held: record, first: true };
    } catch (error) {
      if (!(error instanceof AlreadyExists)) throw error;
      const existing = await this.getItem(link);
      const heldId = typeof existing?.heldId === 'string' ? existing.heldId : record.id;
      const held = await this.getHeldMessage(heldId);
      if (!held) throw error;
      return { held, first: false };
    }
  }

  async getHeldMessage(id: string): Promise<HeldMail | undefined> {
    if (!HeldMailId.safeParse(id).success) return undefined;
    const item = await this.getItem(heldMailKeys.held(id));
    return item && toRecord(HeldMail, item, 'held message');
  }

  async listHeldMessages(query: HeldMailQuery): Promise<HeldMail[]> {
    const since = new Date(query.since);
    const until = new Date(query.until);
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) {
      throw new InvalidData('held mail query', [
        { path: '(root)', message: 'since and until must be times' },
      ]);
    }
    // Ids have second precision: query the whole seconds, then keep [since, until) by receipt time.
    const fromId = heldMailId(since.toISOString(), '0'.repeat(16));
    const toId = heldMailId(until.toISOString(), 'f'.repeat(16));
    const out: HeldMail[] = [];
    const month = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
    while (month.getTime() <= until.getTime()) {
      const items = await this.queryAll(
        {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': heldMailKeys.partition(month.toISOString().slice(0, 7)),
            ':from': fromId,
            ':to': toId,
          },
        },
        undefined,
        true,
      );
      for (const item of items) {
        const held = toRecord(HeldMail, item, 'held message');
        const at = Date.parse(held.receivedAt);
        if (at < since.getTime() || at >= until.getTime()) continue;
        if ((query.status ?? 'held') !== 'all' && held.status !== (query.status ?? 'held')) continue;
        out.push(held);
        if (query.limit !== undefined && out.length >= query.limit) return out;
      }
      month.setUTCMonth(month.getUTCMonth() + 1);
    }
    return out;
  }

  async markHeldReleased(
    id: string,
    release: { at: string; by: string; outcome: string },
  ): Promise<HeldMail> {
    const current = await this.getHeldMessage(id);
    if (!current)
      throw new HeldMailNotFound(
        `no held message ${id} (it may have expired after ${HELD_MAIL_TTL_DAYS} days)`,
      );
    const released = parseWith(
      HeldMail,
      {
        ...current,
        status: 'released',
        releasedAt: release.at,
        releasedBy: release.by,
        releaseOutcome: release.outcome.slice(0, 2000),
      },
      `held message ${id}`,
    );
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: heldMailKeys.held(id),
          UpdateExpression:
            'SET #status = :released, releasedAt = :at, releasedBy = :by, releaseOutcome = :outcome',
          ConditionExpression: '#status = :held',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':released': 'released',
            ':held': 'held',
            ':at': released.releasedAt,
            ':by': released.releasedBy,
            ':outcome': released.releaseOutcome,
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new HeldMailAlreadyReleased(`held message ${id} was released already`);
      }
      throw error;
    }
    return released;
  }

  async consumeDailyQuota(scope: string, day: string, amount: number, limit: number): Promise<boolean> {
    if (!/^[A-Za-z0-9:._-]{1,200}$/.test(scope) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      throw new InvalidData('quota', [
        { path: '(root)', message: `scope ${scope} or day ${day} is not usable in a key` },
      ]);
    }
    if (!Number.isInteger(amount) || amount < 0 || !Number.isInteger(limit) || limit < 0) {
      throw new InvalidData('quota', [{ path: '(root)', message: 'amount and limit are whole numbers' }]);
    }
    if (amount > limit) return false;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: quotaKeys.day(scope, day),
          UpdateExpression: 'SET entity = :entity, #ttl = :ttl ADD used :amount',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':entity': 'quota',
            ':amount': amount,
            ':room': limit - amount,
            ':ttl': ttlAfter(`${day}T00:00:00.000Z`, 3),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async messageSeen(messageId: string): Promise<boolean> {
    if (messageKeys.normalise(messageId) === '') return false;
    return (await this.getItem(messageKeys.message(messageKeys.hashOf(messageId)))) !== undefined;
  }

  async recordMessageReceived(
    messageId: string,
    seen: { at: string; rawS3Key?: string },
    log?: { cycleId: string; event: EventDraft },
  ): Promise<{ first: boolean; event?: CycleEvent }> {
    if (!log) return { first: await this.markMessageSeen(messageId, seen) };
    if (messageKeys.normalise(messageId) === '') {
      throw new InvalidData('Message-ID', [
        { path: '(root)', message: 'is empty; a message without a Message-ID cannot be deduplicated' },
      ]);
    }
    const draft = parseWith(EventDraft, log.event, `event for cycle ${log.cycleId}`);
    const messageIdHash = messageKeys.hashOf(messageId);
    const seenStep: Step = {
      op: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...messageKeys.message(messageIdHash),
            entity: 'message',
            messageIdHash,
            firstSeenAt: sortableTime(seen.at),
            ...(seen.rawS3Key ? { rawS3Key: seen.rawS3Key } : {}),
            [TTL_ATTRIBUTE]: ttlAfter(seen.at, SEEN_MESSAGE_TTL_DAYS),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new AlreadyExists('notification', messageId, 'seen before'),
    };
    try {
      const result = await this.withEventRetry(log.cycleId, draft, (event, head) => [
        seenStep,
        ...this.eventSteps(log.cycleId, event, head),
      ]);
      return { first: true, ...(result.event ? { event: result.event } : {}) };
    } catch (error) {
      if (error instanceof AlreadyExists) return { first: false };
      throw error;
    }
  }

  // ---------------------------------------------------------------- one cycle per period

  /** Stores the claim unless the period is held (conditional Put); returns the claim that holds it. */
  async claimPeriod(input: PeriodClaim): Promise<{ claimed: boolean; claim: PeriodClaim }> {
    const claim = parseWith(PeriodClaim, input, 'period claim');
    const key = periodKeys.claim(claim.periodKey);
    const { input: executionInput, ...rest } = claim;
    const stored = await this.putIfAbsent({
      ...key,
      entity: 'period',
      ...rest,
      // As one string: the execution input is sent to Step Functions exactly as it was claimed.
      inputJson: JSON.stringify(executionInput),
    });
    if (stored) return { claimed: true, claim };
    const item = await this.getItem(key);
    // Claims are never deleted; a read that misses one is a race with a table restore: try again.
    if (!item) return this.claimPeriod(claim);
    const { pk: _pk, sk: _sk, entity: _entity, inputJson, ...fields } = item;
    const held = parseWith(
      PeriodClaim,
      { ...fields, input: JSON.parse(String(inputJson)) as unknown },
      `period claim ${claim.periodKey}`,
    );
    return { claimed: false, claim: held };
  }

  // ---------------------------------------------------------------- reply tokens

  async putReplyToken(input: ReplyTokenRecord): Promise<void> {
    const record = parseWith(ReplyTokenRecord, input, 'reply token');
    const stored = await this.putIfAbsent({
      ...replyTokenKeys.token(record.tokenId),
      entity: 'reply-token',
      ...record,
      [TTL_ATTRIBUTE]: ttlAfter(record.expiresAt, REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY),
    });
    if (!stored) throw new AlreadyExists('reply token', record.tokenId, 'issue a new token id');
  }

  async getReplyToken(tokenId: string): Promise<ReplyTokenRecord | undefined> {
    const item = await this.getItem(replyTokenKeys.token(tokenId));
    return item && toRecord(ReplyTokenRecord, item, 'reply token');
  }

  async linkReplyToken(messageId: string, tokenId: string): Promise<void> {
    if (messageKeys.normalise(messageId) === '') {
      throw new InvalidData('Message-ID', [
        { path: '(root)', message: 'is empty; nothing to link the token to' },
      ]);
    }
    parseWith(ReplyTokenRecord.shape.tokenId, tokenId, 'reply token id');
    const messageIdHash = messageKeys.hashOf(messageId);
    // The link lives as long as the token it points to (a link to a missing token leads nowhere).
    const token = await this.getItem(replyTokenKeys.token(tokenId));
    const ttl = typeof token?.[TTL_ATTRIBUTE] === 'number' ? token[TTL_ATTRIBUTE] : undefined;
    await this.putIfAbsent({
      ...replyTokenKeys.byMessage(messageIdHash),
      entity: 'reply-token-link',
      messageIdHash,
      tokenId,
      ...(ttl === undefined ? {} : { [TTL_ATTRIBUTE]: ttl }),
    });
  }

  async replyTokenOfMessage(messageId: string): Promise<string | undefined> {
    if (messageKeys.normalise(messageId) === '') return undefined;
    const item = await this.getItem(replyTokenKeys.byMessage(messageKeys.hashOf(messageId)));
    return typeof item?.tokenId === 'string' ? item.tokenId : undefined;
  }

  // ---------------------------------------------------------------- task tokens

  async parkTaskToken(input: {
    cycleId: string;
    purpose: string;
    taskToken: string;
    parkedAt: string;
  }): Promise<void> {
    const task = parseWith(
      ParkedTask,
      { ...input, status: 'parked' },
      `task token for ${input.cycleId} ${input.purpose}`,
    );
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...taskKeys.task(task.cycleId, task.purpose), entity: 'task', ...task },
      }),
    );
  }

  async getParkedTask(cycleId: string, purpose: string): Promise<ParkedTask | undefined> {
    const item = await this.getItem(taskKeys.task(cycleId, purpose));
    return item && toRecord(ParkedTask, item, 'task token');
  }

  async completeParkedTask(
    cycleId: string,
    purpose: string,
    at: string,
    taskToken?: string,
  ): Promise<ParkedTask | undefined> {
    parseWith(Purpose, purpose, 'purpose');
    const values: Item = { ':parked': 'parked', ':completed': 'completed', ':at': sortableTime(at) };
    let condition = '#status = :parked';
    if (taskToken !== undefined) {
      condition += ' AND taskToken = :token';
      values[':token'] = taskToken;
    }
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKeys.task(cycleId, purpose),
          UpdateExpression: 'SET #status = :completed, completedAt = :at',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes && toRecord(ParkedTask, output.Attributes, 'task token');
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  // ---------------------------------------------------------------- cycle summaries

  async putCycleSummary(input: CycleSummary): Promise<void> {
    const summary = parseWith(CycleSummary, input, `summary of cycle ${input.cycleId}`);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...summaryKeys.summary(summary.programmeId, summary.plannedMeetingAt, summary.cycleId),
            entity: 'cycle-summary',
            ...summary,
          },
          // An older package version never replaces a newer one's summary.
          ConditionExpression: 'attribute_not_exists(sk) OR packageVersion <= :version',
          ExpressionAttributeValues: { ':version': summary.packageVersion },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async listCycleSummaries(
    programmeId: string,
    query: { before?: string; limit?: number } = {},
  ): Promise<CycleSummary[]> {
    const items = await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': programmeKeys.partition(programmeId),
          ':from': SK.cycleSummary,
          ':to':
            query.before === undefined
              ? `${SK.cycleSummary}${RANGE_END}`
              : `${SK.cycleSummary}${sortableTime(query.before)}`,
        },
        ScanIndexForward: false,
      },
      query.limit,
    );
    return items.map((item) => toRecord(CycleSummary, item, `summary of cycle ${String(item.cycleId)}`));
  }

  // ---------------------------------------------------------------- event log

  async getChainHead(cycleId: string): Promise<ChainHead> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: cycleKeys.cycle(cycleId),
        ConsistentRead: true,
        ProjectionExpression: 'eventHeadSeq, eventHeadHash',
      }),
    );
    if (!output.Item) throw new NotFound('cycle', cycleId, 'events are appended to an existing cycle');
    return {
      seq: Number(output.Item.eventHeadSeq ?? 0),
      hash: String(output.Item.eventHeadHash ?? GENESIS_HASH),
    };
  }

  async appendEvent(
    cycleId: string,
    input: EventDraft,
    options: { maxAttempts?: number } = {},
  ): Promise<CycleEvent> {
    const draft = parseWith(EventDraft, input, `event for cycle ${cycleId}`);
    const result = await this.withEventRetry(
      cycleId,
      draft,
      (event, head) => this.eventSteps(cycleId, event, head),
      options.maxAttempts,
    );
    return result.event!;
  }

  async listEvents(cycleId: string, fromSeq = 1): Promise<CycleEvent[]> {
    const items = await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': cycleKeys.partition(cycleId),
          ':from': eventKeys.fromSeq(Math.max(1, fromSeq)),
          ':to': `${SK.event}${RANGE_END}`,
        },
      },
      undefined,
      true,
      this.eventsTableName,
    );
    return items.map((item) => toRecord(CycleEvent, item, 'event'));
  }

  // ---------------------------------------------------------------- internals

  private inputRequestItem(request: InputRequest): Item {
    return {
      ...inputKeys.request(request.cycleId, request.inputKey),
      ...inputKeys.requestIndexKeys(request),
      entity: 'input-request',
      ...request,
    };
  }

  private actionItem(action: Action): Item {
    return {
      ...actionKeys.action(action.cycleId, action.id),
      ...actionKeys.indexKeys(action),
      entity: 'action',
      ...action,
    };
  }

  private buildEvent(cycleId: string, head: ChainHead, draft: EventDraft): CycleEvent {
    const content = { ...draft, cycleId, seq: head.seq + 1 };
    return { ...content, prevHash: head.hash, hash: computeEventHash(head.hash, content) };
  }

  private eventPutStep(event: CycleEvent): Step {
    return {
      op: {
        Put: {
          // The append-only events table (roles hold PutItem there, never Update or Delete).
          TableName: this.eventsTableName,
          Item: { ...eventKeys.event(event.cycleId, event.seq), entity: 'event', ...event },
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      },
      onConditionFailed: () => new ChainConflict(event.cycleId, event.seq),
    };
  }

  /** Put the event and move the head on the cycle item, conditional on the head read. */
  private eventSteps(cycleId: string, event: CycleEvent | undefined, head: ChainHead | undefined): Step[] {
    if (!event || !head) return [];
    return [this.chainHeadStep(cycleId, head, event), this.eventPutStep(event)];
  }

  /** Moves the chain head from `head` to `last` (events appended in the same transaction). */
  private chainHeadStep(cycleId: string, head: ChainHead, last: CycleEvent): Step {
    const key = cycleKeys.cycle(cycleId);
    return {
      op: {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET eventHeadSeq = :seq, eventHeadHash = :hash',
          ConditionExpression: 'eventHeadSeq = :previous',
          ExpressionAttributeValues: { ':seq': last.seq, ':hash': last.hash, ':previous': head.seq },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: async (old) =>
        (old ?? (await this.getItem(key)))
          ? new ChainConflict(cycleId, last.seq)
          : new NotFound('cycle', cycleId),
    };
  }

  /**
   * Stores `cycle` (read at `read.version`) and, when events are appended with it, moves the chain
   * head to `last` in the same update (a transaction may touch the cycle item only once).
   */
  private cycleUpdateStep(read: Cycle, cycle: Cycle, head?: ChainHead, last?: CycleEvent): Step {
    const key = cycleKeys.cycle(cycle.id);
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':expected': read.version };
    const sets: string[] = [];
    const removes: string[] = [];
    const attributes: Item = { ...cycle, ...cycleKeys.indexKeys(cycle) };
    [...Object.keys(Cycle.shape), 'gsi1pk', 'gsi1sk'].forEach((field, index) => {
      names[`#f${index}`] = field;
      if (attributes[field] === undefined) removes.push(`#f${index}`);
      else {
        sets.push(`#f${index} = :f${index}`);
        values[`:f${index}`] = attributes[field];
      }
    });
    let condition = 'attribute_exists(pk) AND #version = :expected';
    if (head && last) {
      sets.push('eventHeadSeq = :headSeq', 'eventHeadHash = :headHash');
      Object.assign(values, { ':headSeq': last.seq, ':headHash': last.hash, ':previousHeadSeq': head.seq });
      condition += ' AND eventHeadSeq = :previousHeadSeq';
    }
    return {
      op: {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: async (old) => {
        const current = old ?? (await this.getItem(key));
        if (!current) return new NotFound('cycle', cycle.id);
        const found = numberAttribute(current, 'version');
        if (found !== read.version) return new ConcurrentUpdate('cycle', cycle.id, read.version, found);
        return new ChainConflict(cycle.id, last?.seq ?? 0);
      },
    };
  }

  private versionedPutStep(kind: RecordKind, id: string, item: Item, expectedVersion: number): Step {
    const key: Key = { pk: String(item.pk), sk: String(item.sk) };
    return {
      op: {
        Put: {
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: async (old) => {
        const current = old ?? (await this.getItem(key));
        if (!current) return new NotFound(kind, id);
        return new ConcurrentUpdate(kind, id, expectedVersion, numberAttribute(current, 'version'));
      },
    };
  }

  /**
   * Runs `build` as one transaction, with the event (if any) chained on the current head.
   * Retries when only the chain head moved or a transaction conflict occurred; any other failed
   * condition (version, existence) is thrown at once.
   */
  private async withEventRetry(
    cycleId: string,
    draft: EventDraft | undefined,
    build: (event: CycleEvent | undefined, head: ChainHead | undefined) => Step[],
    maxAttempts = this.maxEventAttempts,
  ): Promise<{ event?: CycleEvent }> {
    for (let attempt = 1; ; attempt += 1) {
      const head = draft ? await this.getChainHead(cycleId) : undefined;
      const event = draft && head ? this.buildEvent(cycleId, head, draft) : undefined;
      try {
        await this.transact(build(event, head));
        return event ? { event } : {};
      } catch (error) {
        const retryable = error instanceof ChainConflict || error instanceof TransientConflict;
        if (!retryable) throw error;
        if (attempt >= maxAttempts) {
          throw event ? new ChainConflict(cycleId, event.seq, attempt) : error;
        }
        await this.backoff(attempt);
      }
    }
  }

  private async transact(steps: readonly Step[]): Promise<void> {
    if (steps.length > MAX_TRANSACTION_ITEMS) {
      throw new TransactionTooLarge(
        `this write needs ${steps.length} items but one transaction holds at most ${MAX_TRANSACTION_ITEMS}; split it`,
      );
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: steps.map((step) => step.op) }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      const reasons =
        (error as { CancellationReasons?: { Code?: string; Item?: Item }[] }).CancellationReasons ?? [];
      let chainConflict: Error | undefined;
      let transient = false;
      for (const [index, reason] of reasons.entries()) {
        if (reason.Code === 'ConditionalCheckFailed') {
          const step = steps[index];
          const mapped = step?.onConditionFailed
            ? await step.onConditionFailed(reason.Item)
            : (error as Error);
          if (mapped instanceof ChainConflict) chainConflict ??= mapped;
          else throw mapped;
        } else if (reason.Code === 'TransactionConflict') {
          transient = true;
        } else if (reason.Code && reason.Code !== 'None') {
          throw error;
        }
      }
      if (chainConflict) throw chainConflict;
      if (transient) throw new TransientConflict('another transaction held one of the items; retry');
      throw error;
    }
  }

  private async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async getItem(key: Key): Promise<Item | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return output.Item;
  }

  private queryPrefix(pk: string, prefix: string): Promise<Item[]> {
    return this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      },
      undefined,
      true,
    );
  }

  /** Every page of a query (LastEvaluatedKey loop), stopping early once `limit` items are read. */
  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit?: number,
    consistent = false,
    tableName = this.tableName,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          ...input,
          TableName: tableName,
          ...(consistent && !input.IndexName ? { ConsistentRead: true } : {}),
          ...(limit !== undefined ? { Limit: limit - items.length } : {}),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey && (limit === undefined || items.length < limit));
    return items;
  }
}

/** A repository from the runtime environment (TABLE_NAME; the endpoint from the SDK's own variables). */
export function repositoryFromEnv(env: Record<string, string | undefined> = process.env): DynamoDbRepository {
  const { client, tableName } = createDynamoClients(env);
  const eventsTableName = env.EVENTS_TABLE_NAME?.trim();
  return new DynamoDbRepository({ client, tableName, ...(eventsTableName ? { eventsTableName } : {}) });
}
