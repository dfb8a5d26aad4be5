/**
 * Accepting minutes against DynamoDB Local: refusals write nothing; acceptance stores the minutes,
 * the actions, the cycle's meeting dates and the events together; the same text again is a
 * repeat; a correction makes a new version; two acceptances at once leave one winner.
 */
import { describe, it, expect, beforeEach } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { FixedClock } from '#shared/clock.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidData } from '#shared/model/common.ts';
import { transition, type Cycle } from '#shared/model/cycle.ts';
import { actionIdFor, decisionIdFor } from '#shared/model/ids.ts';
import {
  acceptMinutes,
  CycleNotAwaitingMinutes,
  MinutesAlreadyAccepted,
  type AcceptMinutesInput,
} from '#shared/minutes/accept.ts';
import { minutesHash, type MinutesRecord } from '#shared/model/minutes-record.ts';
import { AlreadyExists, NotFound } from '#shared/store/repository.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { anInputRequest } from '#test/unit/model/builders.ts';
import type { InputRequest } from '#shared/model/input.ts';
import {
  CYCLE_ID,
  lineOf,
  NOW,
  theCatalogueKeys,
  theCycle,
  theProgramme,
  VALID_MINUTES,
  withLine,
} from '#test/unit/minutes/support.ts';

const programme = theProgramme();
let repo: DynamoDbRepository;
let clock: FixedClock;

beforeEach(async () => {
  const table = await freshTable('minutes');
  repo = new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
  clock = new FixedClock(NOW);
});

async function openCycle(
  overrides: Partial<Cycle> = {},
  requests: (cycle: Cycle) => InputRequest[] = () => [],
): Promise<Cycle> {
  const cycle = theCycle(overrides);
  const { cycle: stored } = await repo.createCycle(cycle, requests(cycle), {
    event: { type: 'cycle.opened', at: cycle.openedAt, actor: 'system', data: {} },
  });
  return stored;
}

function input(text: string, overrides: Partial<AcceptMinutesInput> = {}): AcceptMinutesInput {
  return {
    cycleId: CYCLE_ID,
    text,
    submittedBy: 'alice',
    source: { channel: 'email', messageId: '<minutes-1@mail.example.com>', rawS3Key: 'inbound/minutes-1' },
    programme,
    catalogueKeys: theCatalogueKeys(programme),
    ...overrides,
  };
}

async function accept(text: string, overrides: Partial<AcceptMinutesInput> = {}) {
  return acceptMinutes({ repo, clock }, input(text, overrides));
}

async function acceptOk(text: string, overrides: Partial<AcceptMinutesInput> = {}) {
  const result = await accept(text, overrides);
  if (!result.ok) throw new Error(`expected the minutes to be accepted:\n${result.problems.join('\n')}`);
  return result;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const [settled] = await Promise.allSettled([promise]);
  if (settled!.status === 'fulfilled') throw new Error('expected a refusal, but it succeeded');
  return settled!.reason as Error;
}

/** What the table holds for the cycle, to prove that a refusal wrote nothing. */
async function snapshot() {
  const records = (await repo.getCycleRecords(CYCLE_ID))!;
  return {
    cycleVersion: records.cycle.version,
    minutes: records.minutes?.length,
    actions: records.actions.map((action) => `${action.id}:${action.status}`),
    events: records.events.map((event) => event.type),
  };
}

/** The valid minutes, changed: a third action, and the second one due later. */
const CORRECTED = `replaces: 1\n${VALID_MINUTES}`
  .replace('    due: 2026-12-15', '    due: 2027-02-15')
  .replace(
    'changesToTheIsms:',
    '  - title: Brief staff on the new MFA rules\n    owner: alice\n    due: 2027-02-28\n    decision: D1\nchangesToTheIsms:',
  );

describe('refusals write nothing', () => {
  it('refuses a cycle that does not exist or does not await minutes', async () => {
    expect(await rejection(accept(VALID_MINUTES))).toBeInstanceOf(NotFound);
    await openCycle({ phase: 'DISTRIBUTED' });
    const before = await snapshot();
    const error = await rejection(accept(VALID_MINUTES));
    expect(error).toBeInstanceOf(CycleNotAwaitingMinutes);
    expect(error.name).toBe('CycleNotAwaitingMinutes');
    expect(error.message).toBe(
      `review ${CYCLE_ID} is in phase DISTRIBUTED: minutes are recorded only while it awaits them (phase ` +
        'AWAITING_MINUTES). The meeting has not been reached yet: send the minutes after the meeting, once the ' +
        'minutes request has arrived.',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('returns every problem of invalid minutes', async () => {
    await openCycle();
    const before = await snapshot();
    const text = withLine('    owner: ciso\n', '').replace(
      '    category: resource_allocation',
      '    category: budget',
    );
    const result = await accept(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((problem) => problem.replace(/:.*/, ''))).toEqual([
      `${lineOf(text, 'budget')} decisions[1].category`,
      `${lineOf(text, 'Enforce MFA')} actions[0].owner`,
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses "nothing to report" for an input the cycle records as not provided', async () => {
    // Input e never came: its request was closed as NOT_PROVIDED; c was answered; a is automatic.
    await openCycle({}, (cycle) => [
      anInputRequest(cycle, 'a', { automatic: true }),
      anInputRequest(cycle, 'c', {
        ownerId: 'ciso',
        status: 'SUBMITTED',
        submissionId: 'S-20261010T143005123Z-K7QD3M',
      }),
      anInputRequest(cycle, 'e', {
        ownerId: 'alice',
        status: 'NOT_PROVIDED',
        notProvidedAt: '2026-10-19T08:00:00.000Z',
      }),
    ]);
    const before = await snapshot();
    const result = await accept(VALID_MINUTES);
    expect(result).toEqual({
      ok: false,
      problems: [
        `${lineOf(VALID_MINUTES, '  e:')} inputsConsidered.e: input e "Feedback from interested parties" was not ` +
          'provided (its owner did not answer the request by the deadline), yet the note says "considered, ' +
          'nothing to report"; write what the meeting did about the missing input, e.g. "e: not provided; Alice ' +
          'Example to report at the next review"',
      ],
    });
    expect(await snapshot()).toEqual(before);

    const noted = withLine(
      '  e: considered, nothing to report',
      '  e: not provided; Alice Example to report at the next review',
    );
    const accepted = await acceptOk(noted);
    expect(accepted.minutes.content.inputsConsidered.find((i) => i.key === 'e')?.note).toBe(
      'not provided; Alice Example to report at the next review',
    );
  });

  it('refuses minutes sent before the planned meeting could have ended', async () => {
    await openCycle();
    clock.set(new Date('2026-10-29T09:00:00Z'));
    const text = withLine("  time: '09:30'", "  time: '08:00'");
    const result = await accept(text);
    expect(result).toEqual({
      ok: false,
      problems: [
        'line 2 (top level): these minutes were sent at 2026-10-29 09:00 UK time, before the meeting ' +
          'planned for 2026-10-29 08:00 could have ended (it is planned to last 90 minutes); send them from ' +
          '2026-10-29 09:30 UK time on',
      ],
    });
    expect((await snapshot()).minutes).toBe(0);
  });

  it('refuses a correction when nothing was recorded yet', async () => {
    await openCycle();
    const result = await accept(`replaces: 1\n${VALID_MINUTES}`);
    expect(result).toEqual({
      ok: false,
      problems: [
        `replaces: 1: no minutes have been recorded for review ${CYCLE_ID} yet, so there is nothing to replace; remove the line`,
      ],
    });
    expect((await snapshot()).minutes).toBe(0);
  });
});

describe('accepted minutes', () => {
  it('are stored with their actions, the meeting dates and the events, in one transaction', async () => {
    const opened = await openCycle();
    const result = await acceptOk(VALID_MINUTES);
    const at = NOW.toISOString();
    const [a1, a2] = [actionIdFor(CYCLE_ID, 1), actionIdFor(CYCLE_ID, 2)];

    expect(result.repeated).toBe(false);
    expect(result.minutes).toMatchObject({
      cycleId: CYCLE_ID,
      programmeId: 'acme',
      version: 1,
      acceptedAt: at,
      submittedBy: 'alice',
      source: { channel: 'email', messageId: '<minutes-1@mail.example.com>', rawS3Key: 'inbound/minutes-1' },
      sourceText: VALID_MINUTES,
      sourceHash: minutesHash(VALID_MINUTES),
      actionIds: [a1, a2],
    });
    expect(result.minutes.content.decisions.map((decision) => decision.id)).toEqual([
      decisionIdFor(CYCLE_ID, 1),
      decisionIdFor(CYCLE_ID, 2),
    ]);
    expect(await repo.getMinutes(CYCLE_ID)).toEqual(result.minutes);
    expect(await repo.listMinutes(CYCLE_ID)).toEqual([result.minutes]);

    const actions = await repo.listActionsOfCycle(CYCLE_ID);
    expect(actions).toEqual(result.actions);
    expect(actions[0]).toEqual({
      id: a1,
      cycleId: CYCLE_ID,
      programmeId: 'acme',
      title: 'Enforce MFA for administrator accounts',
      description: 'Hardware keys for the 12 administrators.',
      ownerId: 'ciso',
      dueDate: '2027-01-31',
      status: 'open',
      escalationLevel: 0,
      corrective: false,
      decisionId: decisionIdFor(CYCLE_ID, 1),
      inputKey: 'g',
      history: [{ at, by: 'alice', change: 'created from the minutes' }],
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
    expect(actions[1]).toMatchObject({ id: a2, ownerId: 'auditor', corrective: true, status: 'open' });
    // The new actions are in the follow-up sweep and on their owners' lists.
    expect((await repo.listActionsNeedingFollowUp('acme')).map((action) => action.id)).toEqual([a2, a1]);
    expect((await repo.listActionsByOwner('acme', 'auditor')).map((action) => action.id)).toEqual([a2]);

    const cycle = (await repo.getCycle(CYCLE_ID))!;
    expect(cycle).toMatchObject({
      phase: 'AWAITING_MINUTES',
      heldAt: '2026-10-29T09:30:00.000Z',
      minutesApprovedAt: at,
      version: opened.version + 1,
    });

    const records = (await repo.getCycleRecords(CYCLE_ID))!;
    expect(records.minutes).toEqual([result.minutes]);
    expect(records.events.map((event) => event.type)).toEqual([
      'cycle.opened',
      'minutes.accepted',
      'action.created',
    ]);
    const [, accepted, created] = records.events;
    expect(accepted).toMatchObject({
      actor: 'alice',
      at,
      sourceMessageId: '<minutes-1@mail.example.com>',
      data: { version: 1, channel: 'email', heldAt: '2026-10-29T09:30:00.000Z', actionIds: [a1, a2] },
    });
    expect(created?.data).toMatchObject({
      minutesVersion: 1,
      actions: [{ id: a1, ownerId: 'ciso' }, { id: a2 }],
    });
    expect(verifyChain(records.events, { head: await repo.getChainHead(CYCLE_ID) })).toMatchObject({
      ok: true,
      count: 3,
    });
  });

  it('are a repeat when the very same text comes again, even after follow-up began', async () => {
    await openCycle();
    const first = await acceptOk(VALID_MINUTES);
    const before = await snapshot();
    clock.advance(3600_000);

    const again = await acceptOk(VALID_MINUTES.replace(/\n/g, '\r\n'), {
      source: { channel: 'cli', fileName: 'minutes.yaml' },
    });
    expect(again).toEqual({ ...first, repeated: true });
    expect(await snapshot()).toEqual(before);

    const cycle = (await repo.getCycle(CYCLE_ID))!;
    await repo.updateCycle(transition(cycle, 'FOLLOW_UP', clock.now()));
    const later = await acceptOk(VALID_MINUTES);
    expect(later.repeated).toBe(true);
    expect(later.minutes).toEqual(first.minutes);
    expect(later.actions.map((action) => action.id)).toEqual(first.minutes.actionIds);
  });

  it('are not replaced by different minutes without "replaces"', async () => {
    await openCycle();
    await acceptOk(VALID_MINUTES);
    const before = await snapshot();
    const error = await rejection(accept(withLine('    due: 2026-12-15', '    due: 2026-12-31')));
    expect(error).toBeInstanceOf(MinutesAlreadyAccepted);
    expect(error.message).toBe(
      `minutes of review ${CYCLE_ID} are already recorded (version 1, sent by Alice Example (alice) and accepted ` +
        'on 30 October 2026 at 10:00 UK time); these differ from them and were not recorded. To correct ' +
        'the recorded minutes while the review still awaits them, add the line "replaces: 1" at the top and send ' +
        'them again.',
    );
    // Said before any problem of the text: fixing those would not help.
    const invalid = withLine('    owner: ciso\n', '');
    expect(await rejection(accept(invalid))).toBeInstanceOf(MinutesAlreadyAccepted);
    expect(await snapshot()).toEqual(before);
  });

  it('can be corrected while the review awaits them: a new version, its actions replacing the old ones', async () => {
    await openCycle();
    const first = await acceptOk(VALID_MINUTES);
    clock.advance(3600_000);
    const second = await acceptOk(CORRECTED, { submittedBy: 'ceo' });
    const at = clock.now().toISOString();

    expect(second.minutes).toMatchObject({ version: 2, submittedBy: 'ceo', acceptedAt: at });
    expect(second.minutes.content.replaces).toBe(1);
    // Numbers continue: decisions and actions of version 1 keep theirs.
    expect(second.minutes.content.decisions.map((decision) => decision.id)).toEqual([
      decisionIdFor(CYCLE_ID, 3),
      decisionIdFor(CYCLE_ID, 4),
    ]);
    expect(second.minutes.actionIds).toEqual([3, 4, 5].map((n) => actionIdFor(CYCLE_ID, n)));
    expect(second.actions[2]).toMatchObject({
      title: 'Brief staff on the new MFA rules',
      decisionId: decisionIdFor(CYCLE_ID, 3),
      history: [{ at, by: 'ceo', change: 'created from the minutes, version 2' }],
    });

    const actions = await repo.listActionsOfCycle(CYCLE_ID);
    const replaced = actions.filter((action) => first.minutes.actionIds.includes(action.id));
    expect(replaced.map((action) => [action.status, action.cancelReason, action.version])).toEqual([
      ['cancelled', 'replaced by version 2 of the minutes', 2],
      ['cancelled', 'replaced by version 2 of the minutes', 2],
    ]);
    expect(replaced[0]?.history.at(-1)).toEqual({
      at,
      by: 'ceo',
      change: 'status open → cancelled: replaced by version 2 of the minutes',
    });
    expect((await repo.listActionsNeedingFollowUp('acme')).map((action) => action.id).sort()).toEqual(
      second.minutes.actionIds,
    );

    expect((await repo.listMinutes(CYCLE_ID)).map((minutes) => minutes.version)).toEqual([1, 2]);
    expect((await repo.getMinutes(CYCLE_ID))?.version).toBe(2);
    expect((await repo.getCycle(CYCLE_ID))?.minutesApprovedAt).toBe(at);
    const records = (await repo.getCycleRecords(CYCLE_ID))!;
    expect(records.events.map((event) => event.type)).toEqual([
      'cycle.opened',
      'minutes.accepted',
      'action.created',
      'minutes.accepted',
      'action.cancelled',
      'action.created',
    ]);
    expect(verifyChain(records.events, { head: await repo.getChainHead(CYCLE_ID) }).ok).toBe(true);

    // A correction of a version that is no longer the latest is refused.
    const stale = await rejection(accept(CORRECTED.replace('2027-02-28', '2027-03-31')));
    expect(stale).toBeInstanceOf(MinutesAlreadyAccepted);
    expect(stale.message).toContain(
      'these minutes say they replace version 1, but the latest minutes of review',
    );
    expect(stale.message).toContain('send your correction with "replaces: 2"');
  });

  it('can no longer be replaced once follow-up began', async () => {
    await openCycle();
    await acceptOk(VALID_MINUTES);
    const cycle = (await repo.getCycle(CYCLE_ID))!;
    await repo.updateCycle(transition(cycle, 'FOLLOW_UP', clock.now()));
    const error = await rejection(accept(CORRECTED));
    expect(error).toBeInstanceOf(CycleNotAwaitingMinutes);
    expect(error.message).toContain(`review ${CYCLE_ID} is in phase FOLLOW_UP`);
    expect(error.message).toContain(
      'The minutes recorded (version 1, sent by Alice Example (alice) and accepted on 30 October 2026 at 10:00 ' +
        'UK time) stand and can no longer be replaced',
    );
  });
});

/**
 * The repository, with the first two saveMinutes calls held until both have arrived: both
 * acceptances have read the cycle and validated before either writes, so the race is decided by
 * the transaction, every time.
 */
function racing(target: DynamoDbRepository): { repo: DynamoDbRepository; saves: () => number } {
  const held: (() => void)[] = [];
  let saves = 0;
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      if (property === 'saveMinutes') {
        return async (...args: Parameters<DynamoDbRepository['saveMinutes']>) => {
          saves += 1;
          if (saves <= 2) {
            await new Promise<void>((go) => {
              held.push(go);
              if (held.length === 2) held.forEach((release) => release());
            });
          }
          return object.saveMinutes(...args);
        };
      }
      const value: unknown = Reflect.get(object, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
    },
  });
  return { repo: proxy, saves: () => saves };
}

describe('two acceptances at the same moment', () => {
  it('of different minutes: one wins, the other is refused and writes nothing', async () => {
    await openCycle();
    const race = racing(repo);
    const other = withLine('    due: 2026-12-15', '    due: 2026-12-31');
    const outcomes = await Promise.allSettled([
      acceptMinutes({ repo: race.repo, clock }, input(VALID_MINUTES)),
      acceptMinutes({ repo: race.repo, clock }, input(other)),
    ]);
    expect(race.saves()).toBe(2);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(MinutesAlreadyAccepted);

    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acceptMinutes>>>).value;
    if (!winner.ok) throw new Error('the winner was refused');
    const records = (await repo.getCycleRecords(CYCLE_ID))!;
    expect(records.minutes).toEqual([winner.minutes]);
    expect(records.actions).toEqual(winner.actions);
    expect(records.events.map((event) => event.type)).toEqual([
      'cycle.opened',
      'minutes.accepted',
      'action.created',
    ]);
    expect(verifyChain(records.events).ok).toBe(true);
  });

  it('of the same minutes: both get the one result', async () => {
    await openCycle();
    const race = racing(repo);
    const once = async () => {
      const result = await acceptMinutes({ repo: race.repo, clock }, input(VALID_MINUTES));
      if (!result.ok) throw new Error(result.problems.join('\n'));
      return result;
    };
    const [a, b] = await Promise.all([once(), once()]);
    expect(race.saves()).toBe(2);
    expect([a.repeated, b.repeated].sort()).toEqual([false, true]);
    expect(a.minutes).toEqual(b.minutes);
    expect(a.actions.map((action) => action.id)).toEqual(b.actions.map((action) => action.id));
    expect((await repo.listMinutes(CYCLE_ID)).length).toBe(1);
  });
});

describe('saveMinutes', () => {
  async function recordOf(version: number): Promise<MinutesRecord> {
    const text = version === 1 ? VALID_MINUTES : `replaces: ${version - 1}\n${VALID_MINUTES}`;
    const result = await acceptOk(VALID_MINUTES);
    const content = { ...result.minutes.content, ...(version > 1 ? { replaces: version - 1 } : {}) };
    return { ...result.minutes, version, content, sourceText: text, sourceHash: minutesHash(text) };
  }

  it('keeps versions without gaps and never overwrites one', async () => {
    await openCycle();
    const first = await recordOf(1);
    expect(await rejection(repo.saveMinutes(first))).toBeInstanceOf(AlreadyExists);
    const gap = await rejection(repo.saveMinutes(await recordOf(3)));
    expect(gap).toBeInstanceOf(NotFound);
    expect(gap.message).toContain('version 3 can only replace a recorded version 2');
    const second = await repo.saveMinutes(await recordOf(2));
    expect(second.events).toEqual([]);
    expect((await repo.listMinutes(CYCLE_ID)).map((minutes) => minutes.version)).toEqual([1, 2]);
  });

  it('refuses new actions other than those the minutes name, and minutes of a missing cycle', async () => {
    await openCycle();
    const record = await recordOf(2);
    const action = (await repo.listActionsOfCycle(CYCLE_ID))[0]!;
    const error = await rejection(
      repo.saveMinutes(record, { newActions: [{ ...action, id: actionIdFor(CYCLE_ID, 9) }] }),
    );
    expect(error).toBeInstanceOf(InvalidData);
    expect(error.message).toContain('the new actions must be exactly those, in that order');
    const elsewhere = 'C-20270101T0800Z-Q';
    const orphan = {
      ...record,
      version: 1,
      cycleId: elsewhere,
      actionIds: [],
      content: { ...record.content, cycleId: elsewhere, actions: [] },
    };
    delete orphan.content.replaces;
    expect(await rejection(repo.saveMinutes(orphan))).toBeInstanceOf(NotFound);
  });
});
