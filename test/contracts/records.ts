/**
 * What the store contracts start from: valid records of every kind (each case changes what it is
 * about), and the helpers that read a store's state to show that a refused write changed nothing.
 */
import { expect } from 'vitest';
import { actionIdFor, cycleIdFor } from '#shared/model/ids.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { CycleSummary } from '#shared/model/cycle-summary.ts';
import type { ChainHead } from '#shared/model/event.ts';
import { minutesHash, type MinutesRecord } from '#shared/model/minutes-record.ts';
import type { ValidMinutes } from '#shared/model/minutes.ts';
import type { ReplyTokenRecord } from '#shared/model/records.ts';
import { heldMailId, type HeldMail } from '#shared/store/held-mail.ts';
import { messageKeys } from '#shared/store/keys.ts';
import type { PeriodClaim } from '#shared/store/periods.ts';
import type { CycleRecords, ReviewRepository } from '#shared/store/repository.ts';
import {
  aCycle,
  anEvent,
  anInputRequest,
  answered,
  aSubmission,
  OPENED_AT,
  PROGRAMME_ID,
} from '#test/unit/model/builders.ts';

export {
  aCycle,
  anAction,
  anEvent,
  anInputRequest,
  answered,
  aProgrammeVersion,
  aSubmission,
  OPENED_AT,
  PROGRAMME_ID,
} from '#test/unit/model/builders.ts';

export interface StoreHooks {
  /**
   * Awaited before each transaction the store writes (on DynamoDB: each TransactWriteItems), after
   * the writer read what it writes on: a rival writer run here gets there first.
   */
  readonly beforeTransaction?: () => Promise<void>;
}

/** A fresh, empty store for one case, with `hooks` in place. */
export type MakeRepository = (hooks?: StoreHooks) => Promise<ReviewRepository>;

/** The error a promise is rejected with; fails the test when it is fulfilled. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const settled = await Promise.allSettled([promise]);
  const result = settled[0]!;
  if (result.status === 'fulfilled') throw new Error('expected the write to be rejected, but it succeeded');
  return result.reason as Error;
}

/** Opens `cycle` with requests for `keys` and its `cycle.opened` event. */
export async function openCycle(repo: ReviewRepository, cycle: Cycle = aCycle(), keys = ['b', 'd1', 'f']) {
  return repo.createCycle(
    cycle,
    keys.map((key) => anInputRequest(cycle, key)),
    { event: anEvent('cycle.opened', { keys }) },
  );
}

/**
 * A cycle opened with requests for f, b and d1, d1 answered, and another cycle (of January 2027)
 * with d2 beside it: what a read of one cycle must keep apart from the other.
 */
export async function twoCyclesOneAnswered(repo: ReviewRepository) {
  const cycle = aCycle();
  const other = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
  const { requests } = await openCycle(repo, cycle, ['f', 'b', 'd1']);
  await openCycle(repo, other, ['d2']);
  const d1 = requests.find((r) => r.inputKey === 'd1')!;
  const submission = aSubmission(d1);
  await repo.recordSubmission(submission, answered(d1, submission), { event: anEvent('input.submitted') });
  return { cycle, other, submission };
}

export interface CycleState {
  readonly records: CycleRecords | undefined;
  readonly head: ChainHead | undefined;
}

/** Everything a store holds of a cycle, and its chain head: equal before and after a refused write. */
export async function cycleState(repo: ReviewRepository, cycleId: string): Promise<CycleState> {
  const records = await repo.getCycleRecords(cycleId);
  return { records, head: records ? await repo.getChainHead(cycleId) : undefined };
}

/** A cycle that holds nothing: what a store answers for one never written. */
export async function expectNothingStored(repo: ReviewRepository, cycleId: string): Promise<void> {
  expect(await repo.getCycle(cycleId)).toBeUndefined();
  expect(await repo.getCycleRecords(cycleId)).toBeUndefined();
  expect(await repo.listEvents(cycleId)).toEqual([]);
  expect(await repo.listInputRequests(cycleId)).toEqual([]);
}

/**
 * The content of the minutes of the meeting of the cycle aCycle() opens, as the minutes validator
 * gives it (written out here: a store keeps it whole and never reads the minutes language).
 */
function minutesContent(cycleId: string): ValidMinutes {
  const decisions = ['D-20261001T0800Z-Q-01', 'D-20261001T0800Z-Q-02'] as const;
  return {
    cycleId,
    heldAt: '2026-10-29T09:30:00.000Z',
    meeting: { date: '2026-10-29', time: '09:30', timeZone: 'Europe/London' },
    attendance: [
      { personId: 'ceo', role: 'Chair, Chief Executive Officer', topManagement: true, status: 'present' },
      { personId: 'cto', role: 'Chief Technology Officer', topManagement: true, status: 'absent' },
      {
        personId: 'ciso',
        role: 'Deputy for the CTO',
        topManagement: false,
        status: 'proxy',
        proxyFor: 'cto',
      },
    ],
    inputsConsidered: [
      { key: 'd1', title: 'Nonconformities and corrective actions', note: 'Four open, down from seven.' },
      {
        key: 'g',
        title: 'Opportunities for continual improvement',
        note: 'Phishing-resistant MFA proposed.',
      },
    ],
    decisions: [
      {
        id: decisions[0],
        category: 'processes_and_controls',
        text: 'Roll out phishing-resistant MFA to all administrators.',
        inputKey: 'g',
      },
      { id: decisions[1], category: 'resource_allocation', text: 'Fund a second security engineer.' },
    ],
    decisionRefs: { [decisions[0]]: 'D1', [decisions[1]]: 'D2' },
    actions: [
      {
        title: 'Enforce MFA for administrator accounts',
        ownerId: 'ciso',
        dueDate: '2027-01-31',
        corrective: false,
        decisionId: decisions[0],
        inputKey: 'g',
      },
      {
        title: 'Close the two HR audit findings',
        ownerId: 'auditor',
        dueDate: '2026-12-15',
        corrective: true,
      },
    ],
    assessment: {
      suitability: { verdict: 'yes', rationale: 'Scope still matches the business.' },
      adequacy: { verdict: 'partly', rationale: 'One engineer short; decision D2 addresses it.' },
      effectiveness: { verdict: 'yes', rationale: 'Three of four objectives met.' },
      alignment: { verdict: 'yes', rationale: 'Supports the 2027 growth strategy.' },
    },
  };
}

/**
 * Version `version` of the minutes of aCycle(): version 1 names actions 1 and 2, a correction n
 * replaces n - 1 and names actions 2n - 1 and 2n.
 */
export function aMinutesRecord(version = 1, overrides: Partial<MinutesRecord> = {}): MinutesRecord {
  const cycleId = aCycle().id;
  const content = minutesContent(cycleId);
  const sourceText = `# Minutes of the quarterly management review\ncycle: ${cycleId}\n${
    version === 1 ? '' : `replaces: ${version - 1}\n`
  }meeting:\n  date: 2026-10-29\n  time: '09:30'\n`;
  return {
    cycleId,
    programmeId: PROGRAMME_ID,
    version,
    acceptedAt: `2026-10-30T1${version - 1}:00:00.000Z`,
    submittedBy: 'alice',
    source: { channel: 'cli', fileName: 'minutes.yaml' },
    content: version === 1 ? content : { ...content, replaces: version - 1 },
    sourceText,
    sourceHash: minutesHash(sourceText),
    actionIds: [actionIdFor(cycleId, 2 * version - 1), actionIdFor(cycleId, 2 * version)],
    ...overrides,
  };
}

export function aCycleSummary(cycle: Cycle, overrides: Partial<CycleSummary> = {}): CycleSummary {
  return {
    cycleId: cycle.id,
    programmeId: cycle.programmeId,
    plannedMeetingAt: cycle.plannedMeetingAt,
    title: `Quarterly review of ${cycle.plannedMeetingAt.slice(0, 10)}`,
    packageVersion: 1,
    packageHash: 'a'.repeat(64),
    builtAt: cycle.packageSendAt,
    figures: { d1: [{ name: 'open nonconformities', value: 4, unit: 'count' }] },
    inputStatus: { d1: 'provided', f: 'not-provided' },
    openActions: [],
    overdueActions: 0,
    decisions: 2,
    ...overrides,
  };
}

/** A message held when received at `receivedAt`, with Message-ID `<messageId@mail.example.com>`. */
export function aHeldMail(
  receivedAt: string,
  messageId: string,
  overrides: Partial<HeldMail> = {},
): HeldMail {
  const fullId = `<${messageId}@mail.example.com>`;
  return {
    id: heldMailId(receivedAt, messageKeys.hashOf(fullId)),
    status: 'held',
    receivedAt,
    rawS3Key: `inbound/${messageId}`,
    messageId: fullId,
    from: 'someone@elsewhere.example',
    sender: [],
    envelopeFrom: null,
    recipients: ['reply+abc@isms.example.com'],
    subject: 'Re: your request',
    reason: 'the sender failed DMARC',
    ...overrides,
  };
}

export function aReplyToken(overrides: Partial<ReplyTokenRecord> = {}): ReplyTokenRecord {
  return {
    tokenId: 'rt_0123456789',
    cycleId: cycleIdFor('quarterly', OPENED_AT),
    purpose: 'input.d1',
    recipientId: 'auditor',
    ref: 'd1',
    issuedAt: '2026-10-01T08:00:00.000Z',
    expiresAt: '2026-10-31T08:00:00.000Z',
    ...overrides,
  };
}

export function aPeriodClaim(overrides: Partial<PeriodClaim> = {}): PeriodClaim {
  return {
    periodKey: `${PROGRAMME_ID}#quarterly#2026-10-01T08:00:00.000Z`,
    opensAt: '2026-10-01T08:00:00.000Z',
    cycleId: cycleIdFor('quarterly', OPENED_AT),
    input: { programmeId: PROGRAMME_ID, type: 'quarterly', scheduledAt: '2026-10-01T08:00:00.000Z' },
    claimedAt: '2026-10-01T08:00:01.000Z',
    ...overrides,
  };
}
