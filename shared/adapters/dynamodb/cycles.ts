/** The cycle aggregate on DynamoDB: the cycle item (which also holds the chain head), its input requests and submissions, and its summary. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { GENESIS_HASH } from '../../evidence/hash-chain.ts';
import { InvalidData, parseWith } from '../../model/common.ts';
import { Action } from '../../model/action.ts';
import { Cycle } from '../../model/cycle.ts';
import { CycleSummary } from '../../model/cycle-summary.ts';
import { CycleEvent, EventDraft, type ChainHead } from '../../model/event.ts';
import { InputRequest, InputSubmission } from '../../model/input.ts';
import { MinutesRecord } from '../../model/minutes-record.ts';
import { NotificationKey, ParkedTask } from '../../model/records.ts';
import {
  cycleKeys,
  inputKeys,
  programmeKeys,
  RANGE_END,
  SK,
  sortableTime,
  summaryKeys,
} from '../../store/keys.ts';
import {
  AlreadyExists,
  ChainConflict,
  ConcurrentUpdate,
  NotFound,
  type WriteOptions,
} from '../../store/errors.ts';
import type {
  CycleRecords,
  CycleStore,
  CycleWithInputsAndClaims,
  HistoryQuery,
  InputRequestsWriteOptions,
  ListCyclesQuery,
  SubmissionWriteOptions,
} from '../../store/cycles.ts';
import {
  parseInputRequestsWrite,
  checkNewCycle,
  checkSubmission,
  checkUnchanged,
} from '../../store/write-checks.ts';
import type { EventChain } from './event-chain.ts';
import { claimStep } from './mail-records.ts';
import { numberAttribute, toRecord, type DynamoTable, type Item, type Step } from './table.ts';

export class DynamoCycleStore implements CycleStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly chain: EventChain,
  ) {}

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
    checkNewCycle(cycle, requests);
    const event = draft && this.chain.build(cycle.id, { seq: 0, hash: GENESIS_HASH }, draft);
    const head = event ? { seq: event.seq, hash: event.hash } : { seq: 0, hash: GENESIS_HASH };
    const steps: Step[] = [
      this.table.createStep(
        {
          ...cycleKeys.cycle(cycle.id),
          ...cycleKeys.indexKeys(cycle),
          entity: 'cycle',
          ...cycle,
          eventHeadSeq: head.seq,
          eventHeadHash: head.hash,
          ...(event ? { eventHeadAt: event.at } : {}),
        },
        () =>
          new AlreadyExists(
            'cycle',
            cycle.id,
            'a cycle with this id was opened already; nothing was written',
          ),
      ),
      ...requests.map((request) =>
        this.table.createStep(
          inputRequestItem(request),
          () => new AlreadyExists('input request', `${cycle.id}/${request.inputKey}`),
        ),
      ),
    ];
    if (event) steps.push(this.chain.putStep(event));
    await this.table.transact(steps);
    return event ? { cycle, requests, event } : { cycle, requests };
  }

  async getCycle(cycleId: string): Promise<Cycle | undefined> {
    const item = await this.table.getItem(cycleKeys.cycle(cycleId));
    // A consistent read of the cycle item shows its chain head: the next append chains on it.
    this.chain.observe(cycleId, item);
    return item && toRecord(Cycle, item, `cycle ${cycleId}`);
  }

  /** One consistent query of the cycle's partition from its cycle item to its last input request. */
  async getCycleWithInputs(cycleId: string): Promise<{ cycle: Cycle; requests: InputRequest[] } | undefined> {
    // In the partition, only input requests sort between CYCLE and INPUT#~ (shared/store/keys.ts).
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :cycle AND :inputs',
        ExpressionAttributeValues: {
          ':pk': cycleKeys.partition(cycleId),
          ':cycle': SK.cycle,
          ':inputs': `${SK.input}${RANGE_END}`,
        },
      },
      undefined,
      true,
    );
    const item = items.find((i) => i.sk === SK.cycle);
    if (!item) return undefined;
    this.chain.observe(cycleId, item);
    return {
      cycle: toRecord(Cycle, item, `cycle ${cycleId}`),
      requests: items
        .filter((i) => String(i.sk).startsWith(SK.input))
        .map((i) => toRecord(InputRequest, i, 'input request')),
    };
  }

  /**
   * One consistent query of the cycle's partition from its cycle item to the last claim under
   * `claimPrefix` (SENT#<prefix>~), keeping the cycle item, the input requests and the claims (a
   * filter on `entity` leaves out what sorts between them: the cycle's mail records, its minutes,
   * other claims).
   */
  async getCycleWithInputsAndClaims(
    cycleId: string,
    claimPrefix: string,
  ): Promise<CycleWithInputsAndClaims | undefined> {
    parseWith(NotificationKey, claimPrefix, 'notification key prefix');
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :cycle AND :claims',
        FilterExpression: '#entity IN (:cycleEntity, :inputEntity, :claimEntity)',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: {
          ':pk': cycleKeys.partition(cycleId),
          ':cycle': SK.cycle,
          ':claims': `${SK.sent}${claimPrefix}${RANGE_END}`,
          ':cycleEntity': 'cycle',
          ':inputEntity': 'input-request',
          ':claimEntity': 'notification',
        },
      },
      undefined,
      true,
    );
    const item = items.find((i) => i.sk === SK.cycle);
    if (!item) return undefined;
    this.chain.observe(cycleId, item);
    const claimed = `${SK.sent}${claimPrefix}`;
    return {
      cycle: toRecord(Cycle, item, `cycle ${cycleId}`),
      requests: items
        .filter((i) => String(i.sk).startsWith(SK.input))
        .map((i) => toRecord(InputRequest, i, 'input request')),
      // A released claim was given back unsent.
      claims: items
        .filter((i) => String(i.sk).startsWith(claimed) && i.released !== true)
        .map((i) => String(i.sk).slice(SK.sent.length)),
    };
  }

  async updateInputRequests(
    cycleId: string,
    inputs: readonly InputRequest[],
    options: InputRequestsWriteOptions = {},
  ): Promise<{ requests: InputRequest[]; events: CycleEvent[] }> {
    const { reads, drafts, claims } = parseInputRequestsWrite(cycleId, inputs, options);
    const requests = reads.map((read) => ({ ...read, version: read.version + 1 }));
    if (requests.length === 0 && drafts.length === 0 && claims.length === 0) return { requests, events: [] };
    const { events } = await this.chain.writeMany(cycleId, drafts, (chained, head) => [
      ...reads.map((read, index) =>
        this.table.versionedPutStep(
          'input request',
          `${cycleId}/${read.inputKey}`,
          inputRequestItem(requests[index]!),
          read.version,
        ),
      ),
      ...claims.map((claim) => claimStep(this.table, cycleId, claim.key, claim.at)),
      ...this.chain.appendSteps(cycleId, chained, head),
    ]);
    return { requests, events };
  }

  async updateCycle(input: Cycle, options: WriteOptions = {}): Promise<{ cycle: Cycle; event?: CycleEvent }> {
    const read = parseWith(Cycle, input, `cycle ${input?.id}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.id}`);
    const cycle: Cycle = { ...read, version: read.version + 1 };
    // The cycle item also holds the chain head, so the record and the head move in ONE update
    // (a transaction may not touch an item twice).
    const result = await this.chain.write(cycle.id, draft, (event, head) => [
      cycleUpdateStep(this.table, read, cycle, head, event),
      ...(event ? [this.chain.putStep(event)] : []),
    ]);
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
    const items = await this.table.queryAll(
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
    const recordItems = await this.table.queryAll(partition, undefined, true);
    const eventItems = await this.table.queryAll(partition, undefined, true, this.table.eventsTableName);
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

  async getInputRequest(cycleId: string, inputKey: string): Promise<InputRequest | undefined> {
    const item = await this.table.getItem(inputKeys.request(cycleId, inputKey));
    return item && toRecord(InputRequest, item, `input request ${cycleId}/${inputKey}`);
  }

  async listInputRequests(cycleId: string): Promise<InputRequest[]> {
    const items = await this.table.queryPrefix(cycleKeys.partition(cycleId), SK.input);
    return items.map((item) => toRecord(InputRequest, item, 'input request'));
  }

  async updateInputRequest(
    input: InputRequest,
    options: WriteOptions = {},
  ): Promise<{ request: InputRequest; event?: CycleEvent }> {
    const read = parseWith(InputRequest, input, `input request ${input?.cycleId}/${input?.inputKey}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.cycleId}`);
    const request: InputRequest = { ...read, version: read.version + 1 };
    const result = await this.chain.write(read.cycleId, draft, (event, head) => [
      this.table.versionedPutStep(
        'input request',
        `${read.cycleId}/${read.inputKey}`,
        inputRequestItem(request),
        read.version,
      ),
      ...this.chain.steps(read.cycleId, event, head),
    ]);
    return result.event ? { request, event: result.event } : { request };
  }

  async recordSubmission(
    submissionInput: InputSubmission,
    requestInput: InputRequest,
    options: SubmissionWriteOptions = {},
  ): Promise<{ submission: InputSubmission; request: InputRequest; event?: CycleEvent }> {
    const submission = parseWith(InputSubmission, submissionInput, `submission ${submissionInput?.id}`);
    const read = parseWith(
      InputRequest,
      requestInput,
      `input request ${requestInput?.cycleId}/${requestInput?.inputKey}`,
    );
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.cycleId}`);
    const requestId = `${read.cycleId}/${read.inputKey}`;
    const { keptAside } = checkSubmission(submission, read);
    const unchanged = (options.unchanged ?? []).map((other, index) =>
      parseWith(InputRequest, other, `unchanged input request ${other?.inputKey ?? index}`),
    );
    checkUnchanged(read, unchanged);
    const request: InputRequest = { ...read, version: read.version + 1 };
    const submissionKey = inputKeys.submission(submission.cycleId, submission.inputKey, submission.id);
    const result = await this.chain.write(read.cycleId, draft, (event, head) => {
      const steps: Step[] = [
        this.table.createStep(
          {
            ...submissionKey,
            ...inputKeys.submissionIndexKeys(submission),
            entity: 'submission',
            ...submission,
          },
          () => new AlreadyExists('submission', submission.id),
        ),
        this.table.versionedPutStep('input request', requestId, inputRequestItem(request), read.version),
      ];
      if (keptAside) {
        const current = read.submissionId!;
        steps.push({
          op: {
            ConditionCheck: {
              TableName: this.table.tableName,
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
        steps.push(
          this.table.existsStep(
            inputKeys.submission(submission.cycleId, submission.inputKey, superseded),
            () =>
              new NotFound(
                'submission',
                superseded,
                `submission ${submission.id} supersedes it, but input ${requestId} has no such submission`,
              ),
          ),
        );
      }
      steps.push(...unchanged.map((other) => this.unchangedStep(other)));
      steps.push(...this.chain.steps(read.cycleId, event, head));
      return steps;
    });
    return result.event ? { submission, request, event: result.event } : { submission, request };
  }

  /** A check in a transaction that an input request is still at the version read (ConcurrentUpdate). */
  private unchangedStep(request: InputRequest): Step {
    const id = `${request.cycleId}/${request.inputKey}`;
    const key = inputKeys.request(request.cycleId, request.inputKey);
    return {
      op: {
        ConditionCheck: {
          TableName: this.table.tableName,
          Key: key,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': request.version },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: async (old) => {
        const current = old ?? (await this.table.getItem(key));
        if (!current) return new NotFound('input request', id);
        return new ConcurrentUpdate(
          'input request',
          id,
          request.version,
          numberAttribute(current, 'version'),
        );
      },
    };
  }

  async getSubmission(
    cycleId: string,
    inputKey: string,
    submissionId: string,
  ): Promise<InputSubmission | undefined> {
    const item = await this.table.getItem(inputKeys.submission(cycleId, inputKey, submissionId));
    return item && toRecord(InputSubmission, item, `submission ${submissionId}`);
  }

  async listSubmissions(cycleId: string, inputKey?: string): Promise<InputSubmission[]> {
    const prefix = inputKey === undefined ? SK.submission : inputKeys.submissionsOfInputPrefix(inputKey);
    const items = await this.table.queryPrefix(cycleKeys.partition(cycleId), prefix);
    return items.map((item) => toRecord(InputSubmission, item, 'submission'));
  }

  async listSubmissionHistory(
    programmeId: string,
    inputKey: string,
    query: HistoryQuery = {},
  ): Promise<InputSubmission[]> {
    const items = await this.table.queryIndex('gsi1', inputKeys.historyPartition(programmeId, inputKey), {
      ...(query.periodEndingOnOrBefore !== undefined
        ? { to: `${query.periodEndingOnOrBefore}#${RANGE_END}` }
        : {}),
      newestFirst: query.newestFirst ?? false,
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
    });
    return items.map((item) => toRecord(InputSubmission, item, 'submission'));
  }

  async listPendingInputRequests(programmeId: string, dueAtOrBefore?: string): Promise<InputRequest[]> {
    const items = await this.table.queryIndex(
      'gsi2',
      inputKeys.pendingPartition(programmeId),
      dueAtOrBefore !== undefined ? { to: `${sortableTime(dueAtOrBefore)}#${RANGE_END}` } : {},
    );
    return items.map((item) => toRecord(InputRequest, item, 'input request'));
  }

  async putCycleSummary(input: CycleSummary): Promise<void> {
    const summary = parseWith(CycleSummary, input, `summary of cycle ${input.cycleId}`);
    // An older package version never replaces a newer one's summary (a failed condition is that case).
    await this.table.conditional(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...summaryKeys.summary(summary.programmeId, summary.plannedMeetingAt, summary.cycleId),
            entity: 'cycle-summary',
            ...summary,
          },
          ConditionExpression: 'attribute_not_exists(sk) OR packageVersion <= :version',
          ExpressionAttributeValues: { ':version': summary.packageVersion },
        }),
      ),
    );
  }

  async listCycleSummaries(
    programmeId: string,
    query: { before?: string; limit?: number } = {},
  ): Promise<CycleSummary[]> {
    const items = await this.table.queryAll(
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
}

export function inputRequestItem(request: InputRequest): Item {
  return {
    ...inputKeys.request(request.cycleId, request.inputKey),
    ...inputKeys.requestIndexKeys(request),
    entity: 'input-request',
    ...request,
  };
}

/**
 * Stores `cycle` (read at `read.version`) and, when events are appended with it, moves the chain
 * head to `last` in the same update (a transaction may touch the cycle item only once). Absent
 * optional fields are removed.
 */
export function cycleUpdateStep(
  table: DynamoTable,
  read: Cycle,
  cycle: Cycle,
  head?: ChainHead,
  last?: CycleEvent,
): Step {
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
    sets.push('eventHeadSeq = :headSeq', 'eventHeadHash = :headHash', 'eventHeadAt = :headAt');
    Object.assign(values, {
      ':headSeq': last.seq,
      ':headHash': last.hash,
      ':headAt': last.at,
      ':previousHeadSeq': head.seq,
    });
    condition += ' AND eventHeadSeq = :previousHeadSeq';
  }
  return {
    op: {
      Update: {
        TableName: table.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: async (old) => {
      const current = old ?? (await table.getItem(key));
      if (!current) return new NotFound('cycle', cycle.id);
      const found = numberAttribute(current, 'version');
      if (found !== read.version) return new ConcurrentUpdate('cycle', cycle.id, read.version, found);
      return new ChainConflict(cycle.id, last?.seq ?? 0);
    },
  };
}
