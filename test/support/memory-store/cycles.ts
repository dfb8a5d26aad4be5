/**
 * CycleStore in memory: the cycle item (with its chain head), its input requests and submissions
 * in the cycle's partition, the per-cycle summaries in the programme's, and the index entries the
 * lists read (gsi1: cycles by meeting, submissions by period; gsi2: requests still pending).
 */
import { GENESIS_HASH } from '#shared/evidence/hash-chain.ts';
import { Action } from '#shared/model/action.ts';
import { InvalidData, parseWith } from '#shared/model/common.ts';
import { Cycle } from '#shared/model/cycle.ts';
import { CycleSummary } from '#shared/model/cycle-summary.ts';
import { CycleEvent, EventDraft } from '#shared/model/event.ts';
import { InputRequest, InputSubmission } from '#shared/model/input.ts';
import {
  parseInputRequestsWrite,
  checkNewCycle,
  checkSubmission,
  checkUnchanged,
} from '#shared/store/write-checks.ts';
import { MinutesRecord } from '#shared/model/minutes-record.ts';
import { NotificationKey, ParkedTask } from '#shared/model/records.ts';
import type {
  CycleRecords,
  CycleStore,
  CycleWithInputsAndClaims,
  HistoryQuery,
  InputRequestsWriteOptions,
  ListCyclesQuery,
  SubmissionWriteOptions,
} from '#shared/store/cycles.ts';
import {
  cycleKeys,
  inputKeys,
  notificationItem,
  programmeKeys,
  RANGE_END,
  SK,
  sortableTime,
  summaryKeys,
} from '#shared/store/keys.ts';
import { AlreadyExists, ConcurrentUpdate, NotFound, type WriteOptions } from '#shared/store/repository.ts';
import type { EventChain } from './chain.ts';
import {
  cycleItem,
  cycleUpdateStep,
  existsStep,
  inputRequestItem,
  newItemStep,
  versionedPutStep,
} from './items.ts';
import {
  compareStrings,
  numberAttribute,
  toRecord,
  type Item,
  type KeyRange,
  type MemoryTables,
  type Step,
} from './table.ts';

export class MemoryCycleStore implements CycleStore {
  constructor(
    private readonly tables: MemoryTables,
    private readonly chain: EventChain,
  ) {}

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
    checkNewCycle(cycle, requests);
    const event = draft && this.chain.build(cycle.id, { seq: 0, hash: GENESIS_HASH }, draft);
    const head = event ? { seq: event.seq, hash: event.hash } : { seq: 0, hash: GENESIS_HASH };
    const { main } = this.tables;
    const steps: Step[] = [
      newItemStep(
        main,
        cycleItem(cycle, head),
        () =>
          new AlreadyExists(
            'cycle',
            cycle.id,
            'a cycle with this id was opened already; nothing was written',
          ),
      ),
      ...requests.map((request) =>
        newItemStep(
          main,
          inputRequestItem(request),
          () => new AlreadyExists('input request', `${cycle.id}/${request.inputKey}`),
        ),
      ),
    ];
    if (event) steps.push(this.chain.eventPutStep(event));
    await this.tables.write(steps);
    return event ? { cycle, requests, event } : { cycle, requests };
  }

  async getCycle(cycleId: string): Promise<Cycle | undefined> {
    const item = this.tables.main.get(cycleKeys.cycle(cycleId));
    return item && toRecord(Cycle, item, `cycle ${cycleId}`);
  }

  async updateCycle(input: Cycle, options: WriteOptions = {}): Promise<{ cycle: Cycle; event?: CycleEvent }> {
    const read = parseWith(Cycle, input, `cycle ${input?.id}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.id}`);
    const cycle: Cycle = { ...read, version: read.version + 1 };
    const result = await this.chain.withEventRetry(cycle.id, draft, (event, head) => {
      const steps = [cycleUpdateStep(this.tables.main, read, cycle, head, event)];
      if (event) steps.push(this.chain.eventPutStep(event));
      return steps;
    });
    return result.event ? { cycle, event: result.event } : { cycle };
  }

  async listCycles(programmeId: string, query: ListCyclesQuery = {}): Promise<Cycle[]> {
    const range: KeyRange = {
      ...(query.meetingFrom !== undefined ? { from: sortableTime(query.meetingFrom) } : {}),
      ...(query.meetingTo !== undefined ? { to: `${sortableTime(query.meetingTo)}#${RANGE_END}` } : {}),
    };
    return this.tables.main
      .queryIndex('gsi1', cycleKeys.byMeetingPartition(programmeId), {
        range,
        descending: query.newestFirst === true,
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      })
      .map((item) => toRecord(Cycle, item, 'cycle'));
  }

  async getCycleRecords(cycleId: string): Promise<CycleRecords | undefined> {
    const partition = cycleKeys.partition(cycleId);
    // Events come from the events table only: an EVENT# item in the main table is not the log.
    const items = [
      ...this.tables.main.query(partition).filter((item) => !String(item.sk).startsWith(SK.event)),
      ...this.tables.events.query(partition),
    ];
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
    const item = this.tables.main.get(inputKeys.request(cycleId, inputKey));
    return item && toRecord(InputRequest, item, `input request ${cycleId}/${inputKey}`);
  }

  async getCycleWithInputs(cycleId: string): Promise<{ cycle: Cycle; requests: InputRequest[] } | undefined> {
    const cycle = await this.getCycle(cycleId);
    return cycle && { cycle, requests: await this.listInputRequests(cycleId) };
  }

  async getCycleWithInputsAndClaims(
    cycleId: string,
    claimPrefix: string,
  ): Promise<CycleWithInputsAndClaims | undefined> {
    parseWith(NotificationKey, claimPrefix, 'notification key prefix');
    const read = await this.getCycleWithInputs(cycleId);
    if (!read) return undefined;
    const claims = this.tables.main
      .query(cycleKeys.partition(cycleId), { range: { prefix: `${SK.sent}${claimPrefix}` } })
      // A released claim was given back unsent.
      .filter((item) => item.released !== true)
      .map((item) => String(item.sk).slice(SK.sent.length));
    return { ...read, claims };
  }

  async updateInputRequests(
    cycleId: string,
    inputs: readonly InputRequest[],
    options: InputRequestsWriteOptions = {},
  ): Promise<{ requests: InputRequest[]; events: CycleEvent[] }> {
    const { reads, drafts, claims } = parseInputRequestsWrite(cycleId, inputs, options);
    const requests = reads.map((read) => ({ ...read, version: read.version + 1 }));
    if (requests.length === 0 && drafts.length === 0 && claims.length === 0) return { requests, events: [] };
    const { main } = this.tables;
    const claimItems = claims.map(({ key, at }) => notificationItem(cycleId, key, at));
    const { events } = await this.chain.withEventsRetry(cycleId, drafts, (chained, head) => [
      ...reads.map((read, index) =>
        versionedPutStep(
          main,
          'input request',
          `${cycleId}/${read.inputKey}`,
          inputRequestItem(requests[index]!),
          read.version,
        ),
      ),
      ...claimItems.map((item): Step => ({
        table: main,
        key: { pk: item.pk, sk: item.sk },
        condition: (current) => current === undefined || current.released === true,
        write: () => item,
        onConditionFailed: () =>
          new AlreadyExists(
            'notification',
            `${cycleId}/${item.key}`,
            'it is claimed already; nothing was written',
          ),
      })),
      ...this.chain.appendSteps(cycleId, chained, head),
    ]);
    return { requests, events };
  }

  async listInputRequests(cycleId: string): Promise<InputRequest[]> {
    return this.tables.main
      .query(cycleKeys.partition(cycleId), { range: { prefix: SK.input } })
      .map((item) => toRecord(InputRequest, item, 'input request'));
  }

  async updateInputRequest(
    input: InputRequest,
    options: WriteOptions = {},
  ): Promise<{ request: InputRequest; event?: CycleEvent }> {
    const read = parseWith(InputRequest, input, `input request ${input?.cycleId}/${input?.inputKey}`);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${read.cycleId}`);
    const request: InputRequest = { ...read, version: read.version + 1 };
    const result = await this.chain.withEventRetry(read.cycleId, draft, (event, head) => [
      versionedPutStep(
        this.tables.main,
        'input request',
        `${read.cycleId}/${read.inputKey}`,
        inputRequestItem(request),
        read.version,
      ),
      ...this.chain.eventSteps(read.cycleId, event, head),
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
    const { main } = this.tables;
    const result = await this.chain.withEventRetry(read.cycleId, draft, (event, head) => {
      const steps: Step[] = [
        newItemStep(
          main,
          {
            ...inputKeys.submission(submission.cycleId, submission.inputKey, submission.id),
            ...inputKeys.submissionIndexKeys(submission),
            entity: 'submission',
            ...submission,
          },
          () => new AlreadyExists('submission', submission.id),
        ),
        versionedPutStep(main, 'input request', requestId, inputRequestItem(request), read.version),
      ];
      if (keptAside) {
        const current = read.submissionId!;
        steps.push({
          table: main,
          key: inputKeys.submission(submission.cycleId, submission.inputKey, current),
          condition: (item) =>
            item !== undefined && compareStrings(String(item.receivedAt), submission.receivedAt) > 0,
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
          existsStep(
            main,
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
      for (const other of unchanged) {
        const otherId = `${other.cycleId}/${other.inputKey}`;
        steps.push({
          table: main,
          key: inputKeys.request(other.cycleId, other.inputKey),
          condition: (current) => current !== undefined && current.version === other.version,
          onConditionFailed: (current) =>
            current
              ? new ConcurrentUpdate(
                  'input request',
                  otherId,
                  other.version,
                  numberAttribute(current, 'version'),
                )
              : new NotFound('input request', otherId),
        });
      }
      steps.push(...this.chain.eventSteps(read.cycleId, event, head));
      return steps;
    });
    return result.event ? { submission, request, event: result.event } : { submission, request };
  }

  async getSubmission(
    cycleId: string,
    inputKey: string,
    submissionId: string,
  ): Promise<InputSubmission | undefined> {
    const item = this.tables.main.get(inputKeys.submission(cycleId, inputKey, submissionId));
    return item && toRecord(InputSubmission, item, `submission ${submissionId}`);
  }

  async listSubmissions(cycleId: string, inputKey?: string): Promise<InputSubmission[]> {
    const prefix = inputKey === undefined ? SK.submission : inputKeys.submissionsOfInputPrefix(inputKey);
    return this.tables.main
      .query(cycleKeys.partition(cycleId), { range: { prefix } })
      .map((item) => toRecord(InputSubmission, item, 'submission'));
  }

  async listSubmissionHistory(
    programmeId: string,
    inputKey: string,
    query: HistoryQuery = {},
  ): Promise<InputSubmission[]> {
    const range: KeyRange =
      query.periodEndingOnOrBefore !== undefined
        ? { to: `${query.periodEndingOnOrBefore}#${RANGE_END}` }
        : {};
    return this.tables.main
      .queryIndex('gsi1', inputKeys.historyPartition(programmeId, inputKey), {
        range,
        descending: query.newestFirst === true,
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      })
      .map((item) => toRecord(InputSubmission, item, 'submission'));
  }

  async listPendingInputRequests(programmeId: string, dueAtOrBefore?: string): Promise<InputRequest[]> {
    const range: KeyRange =
      dueAtOrBefore !== undefined ? { to: `${sortableTime(dueAtOrBefore)}#${RANGE_END}` } : {};
    return this.tables.main
      .queryIndex('gsi2', inputKeys.pendingPartition(programmeId), { range })
      .map((item) => toRecord(InputRequest, item, 'input request'));
  }

  // ---------------------------------------------------------------- per-cycle summaries

  async putCycleSummary(input: CycleSummary): Promise<void> {
    const summary = parseWith(CycleSummary, input, `summary of cycle ${input.cycleId}`);
    const item: Item = {
      ...summaryKeys.summary(summary.programmeId, summary.plannedMeetingAt, summary.cycleId),
      entity: 'cycle-summary',
      ...summary,
    };
    const stored = this.tables.main.get({ pk: String(item.pk), sk: String(item.sk) });
    // An older package version never replaces a newer one's summary.
    if (stored === undefined || Number(stored.packageVersion) <= summary.packageVersion)
      this.tables.main.put(item);
  }

  async listCycleSummaries(
    programmeId: string,
    query: { before?: string; limit?: number } = {},
  ): Promise<CycleSummary[]> {
    return this.tables.main
      .query(programmeKeys.partition(programmeId), {
        range: {
          from: SK.cycleSummary,
          to:
            query.before === undefined
              ? `${SK.cycleSummary}${RANGE_END}`
              : `${SK.cycleSummary}${sortableTime(query.before)}`,
        },
        descending: true,
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      })
      .map((item) => toRecord(CycleSummary, item, `summary of cycle ${String(item.cycleId)}`));
  }
}
