/**
 * Accepting minutes in memory, on the fixtures of the minutes tests (test/unit/minutes/support.ts):
 * invalid minutes return every problem and write nothing; accepted minutes store the record, their
 * actions and the events in one write; the same text again is a repeat; a correction (`replaces`)
 * makes a new version whose actions replace the old ones; minutes sent by email are confirmed and
 * resume the waiting workflow once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { requestMinutes } from '#shared/cycle/service.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import {
  acceptMinutes,
  CycleNotAwaitingMinutes,
  MinutesAlreadyAccepted,
  type AcceptMinutesInput,
} from '#shared/minutes/accept.ts';
import { awaitPeople } from '#shared/cycle/service.ts';
import { transition } from '#shared/model/cycle.ts';
import { actionIdFor, decisionIdFor } from '#shared/model/ids.ts';
import { minutesHash } from '#shared/model/minutes-record.ts';
import { NotFound } from '#shared/store/repository.ts';
import { memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import {
  CYCLE_ID,
  lineOf,
  NOW,
  theCatalogueKeys,
  theCycle,
  theProgramme,
  VALID_MINUTES,
  withLine,
} from './support.ts';

const programme = theProgramme();

/** The valid minutes, corrected: a third action, and the second one due later. */
const CORRECTED = `replaces: 1\n${VALID_MINUTES}`
  .replace('    due: 2026-12-15', '    due: 2027-02-15')
  .replace(
    'changesToTheIsms:',
    '  - title: Brief staff on the new MFA rules\n    owner: alice\n    due: 2027-02-28\n    decision: D1\nchangesToTheIsms:',
  );

let w: MemoryWorld;
/** Transactions the store was asked to write, and a failure to inject into the next one. */
let writes = 0;
let failNextWrite: Error | undefined;

beforeEach(async () => {
  writes = 0;
  failNextWrite = undefined;
  w = await memoryWorld({
    programme,
    openedAt: NOW,
    open: false,
    repository: {
      beforeTransaction: async () => {
        writes += 1;
        const failure = failNextWrite;
        failNextWrite = undefined;
        if (failure) throw failure;
      },
    },
  });
});

/** The cycle of the fixtures, awaiting its minutes (or in `phase`), on the programme applied. */
async function openTheCycle(phase: 'AWAITING_MINUTES' | 'DISTRIBUTED' = 'AWAITING_MINUTES') {
  const applied = (await w.repo.getCurrentProgramme('acme'))!;
  const cycle = theCycle({ phase, programme: { programmeId: 'acme', version: 1, hash: applied.hash } });
  const { cycle: stored } = await w.repo.createCycle(cycle, [], {
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

const accept = (text: string, overrides: Partial<AcceptMinutesInput> = {}) =>
  acceptMinutes({ repo: w.repo, clock: w.clock }, input(text, overrides));

async function acceptOk(text: string, overrides: Partial<AcceptMinutesInput> = {}) {
  const result = await accept(text, overrides);
  if (!result.ok) throw new Error(`expected the minutes to be accepted:\n${result.problems.join('\n')}`);
  return result;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a refusal, but it succeeded'),
    (error: Error) => error,
  );
}

/** What the store holds for the cycle, to prove that a refusal wrote nothing. */
async function snapshot() {
  const records = (await w.repo.getCycleRecords(CYCLE_ID))!;
  return {
    cycleVersion: records.cycle.version,
    minutes: records.minutes?.length ?? 0,
    actions: records.actions.map((action) => `${action.id}:${action.status}:${action.version}`),
    events: records.events.map((event) => event.type),
  };
}

describe('minutes that are refused write nothing', () => {
  it('for a cycle that does not exist, or does not await minutes', async () => {
    expect(await refusal(accept(VALID_MINUTES))).toBeInstanceOf(NotFound);
    await openTheCycle('DISTRIBUTED');
    const before = await snapshot();
    const error = await refusal(accept(VALID_MINUTES));
    expect(error).toBeInstanceOf(CycleNotAwaitingMinutes);
    expect(error.message).toContain(`review ${CYCLE_ID} is in phase DISTRIBUTED`);
    expect(await snapshot()).toEqual(before);
  });

  it('and every problem of invalid minutes is returned, each on its line', async () => {
    await openTheCycle();
    const before = await snapshot();
    writes = 0;
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
    expect(writes).toBe(0);
  });
});

describe('accepted minutes', () => {
  it('are stored with their actions, the meeting time and the events in one write', async () => {
    const opened = await openTheCycle();
    const before = await snapshot();
    // A write that fails leaves nothing behind: the minutes and their actions go together or not at all.
    failNextWrite = new Error('the table is unavailable');
    expect((await refusal(accept(VALID_MINUTES))).message).toBe('the table is unavailable');
    expect(await snapshot()).toEqual(before);

    writes = 0;
    const result = await acceptOk(VALID_MINUTES);
    expect(writes).toBe(1);
    const at = NOW.toISOString();
    const [a1, a2] = [actionIdFor(CYCLE_ID, 1), actionIdFor(CYCLE_ID, 2)];
    expect(result).toMatchObject({ repeated: false });
    expect(result.minutes).toMatchObject({
      cycleId: CYCLE_ID,
      programmeId: 'acme',
      version: 1,
      acceptedAt: at,
      submittedBy: 'alice',
      sourceHash: minutesHash(VALID_MINUTES),
      actionIds: [a1, a2],
    });
    expect(result.minutes.content.decisions.map((d) => d.id)).toEqual([
      decisionIdFor(CYCLE_ID, 1),
      decisionIdFor(CYCLE_ID, 2),
    ]);
    expect(await w.repo.getMinutes(CYCLE_ID)).toEqual(result.minutes);

    const actions = await w.repo.listActionsOfCycle(CYCLE_ID);
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
    expect((await w.repo.listActionsNeedingFollowUp('acme')).map((a) => a.id)).toEqual([a2, a1]);
    expect((await w.repo.listActionsByOwner('acme', 'auditor')).map((a) => a.id)).toEqual([a2]);
    expect(await w.repo.getCycle(CYCLE_ID)).toMatchObject({
      phase: 'AWAITING_MINUTES',
      heldAt: '2026-10-29T09:30:00.000Z',
      minutesApprovedAt: at,
      version: opened.version + 1,
    });

    const events = await w.repo.listEvents(CYCLE_ID);
    expect(events.map((e) => e.type)).toEqual(['cycle.opened', 'minutes.accepted', 'action.created']);
    expect(events[1]).toMatchObject({
      actor: 'alice',
      sourceMessageId: '<minutes-1@mail.example.com>',
      data: { version: 1, channel: 'email', heldAt: '2026-10-29T09:30:00.000Z', actionIds: [a1, a2] },
    });
    expect(events[2]!.data).toMatchObject({
      minutesVersion: 1,
      actions: [{ id: a1, ownerId: 'ciso' }, { id: a2 }],
    });
    expect(verifyChain(events, { head: await w.repo.getChainHead(CYCLE_ID) })).toMatchObject({
      ok: true,
      count: 3,
    });
  });

  it('are a repeat when the very same text comes again, even after follow-up began', async () => {
    await openTheCycle();
    const first = await acceptOk(VALID_MINUTES);
    const before = await snapshot();
    w.clock.advance(3_600_000);
    writes = 0;
    const again = await acceptOk(VALID_MINUTES.replace(/\n/g, '\r\n'), {
      source: { channel: 'cli', fileName: 'minutes.yaml' },
    });
    expect(again).toEqual({ ...first, repeated: true });
    expect(writes).toBe(0);
    expect(await snapshot()).toEqual(before);

    const cycle = (await w.repo.getCycle(CYCLE_ID))!;
    await w.repo.updateCycle(transition(cycle, 'FOLLOW_UP', w.clock.now()));
    const later = await acceptOk(VALID_MINUTES);
    expect(later).toMatchObject({ repeated: true, minutes: first.minutes });
  });

  it('are not replaced by different minutes that do not say they correct them', async () => {
    await openTheCycle();
    await acceptOk(VALID_MINUTES);
    const before = await snapshot();
    const error = await refusal(accept(withLine('    due: 2026-12-15', '    due: 2026-12-31')));
    expect(error).toBeInstanceOf(MinutesAlreadyAccepted);
    expect(error.message).toContain('add the line "replaces: 1" at the top');
    expect(await snapshot()).toEqual(before);
  });

  it('are superseded by a correction: a new version, whose actions replace the open ones', async () => {
    await openTheCycle();
    const first = await acceptOk(VALID_MINUTES);
    w.clock.advance(3_600_000);
    const second = await acceptOk(CORRECTED, { submittedBy: 'ceo' });
    const at = w.clock.now().toISOString();

    expect(second.minutes).toMatchObject({ version: 2, submittedBy: 'ceo', acceptedAt: at });
    expect(second.minutes.content.replaces).toBe(1);
    expect(second.minutes.actionIds).toEqual([3, 4, 5].map((n) => actionIdFor(CYCLE_ID, n)));
    const actions = await w.repo.listActionsOfCycle(CYCLE_ID);
    const replaced = actions.filter((a) => first.minutes.actionIds.includes(a.id));
    expect(replaced.map((a) => [a.status, a.cancelReason, a.version])).toEqual([
      ['cancelled', 'replaced by version 2 of the minutes', 2],
      ['cancelled', 'replaced by version 2 of the minutes', 2],
    ]);
    expect((await w.repo.listActionsNeedingFollowUp('acme')).map((a) => a.id).sort()).toEqual(
      second.minutes.actionIds,
    );
    expect((await w.repo.listMinutes(CYCLE_ID)).map((m) => m.version)).toEqual([1, 2]);
    expect((await w.repo.getMinutes(CYCLE_ID))?.version).toBe(2);
    const events = await w.repo.listEvents(CYCLE_ID);
    expect(events.map((e) => e.type)).toEqual([
      'cycle.opened',
      'minutes.accepted',
      'action.created',
      'minutes.accepted',
      'action.cancelled',
      'action.created',
    ]);
    expect(verifyChain(events).ok).toBe(true);

    // A correction of a version that is no longer the latest is refused.
    const stale = await refusal(accept(CORRECTED.replace('2027-02-28', '2027-03-31')));
    expect(stale).toBeInstanceOf(MinutesAlreadyAccepted);
    expect(stale.message).toContain('send your correction with "replaces: 2"');
  });
});

describe('minutes sent by email', () => {
  it('are accepted from the ISMS manager, confirmed, and resume the waiting workflow once', async () => {
    await openTheCycle();
    await awaitPeople(w.deps, { cycleId: CYCLE_ID, taskToken: 'minutes-token', purpose: 'minutes' });
    expect(await requestMinutes(w.deps, CYCLE_ID)).toMatchObject({ meetingHeld: true });
    const request = w.oneMail('alice', 'Minutes needed');

    // Broken minutes: the problems go back to the sender, nothing is recorded, the workflow waits.
    const broken = await w.deliver(w.replyTo(request, 'alice', withLine('    owner: ciso\n', '')));
    expect(broken).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(w.mailer.sent.at(-1)!.text).toContain('actions[0].owner');
    expect(await w.repo.getMinutes(CYCLE_ID)).toBeUndefined();
    expect(w.workflow.calls).toEqual([]);

    const reply = w.replyTo(request, 'alice', VALID_MINUTES);
    const result = await w.deliver(reply);
    expect(result).toMatchObject({ outcome: 'accepted', answer: 'sent', resumed: true });
    expect(w.workflow.calls).toEqual([
      { taskToken: 'minutes-token', output: { cycleId: CYCLE_ID, purpose: 'minutes' } },
    ]);
    expect(await w.repo.getMinutes(CYCLE_ID)).toMatchObject({
      version: 1,
      submittedBy: 'alice',
      source: { channel: 'email', messageId: result.messageId, rawS3Key: reply.rawS3Key },
    });
    const confirmation = w.mailer.sent.at(-1)!;
    expect(confirmation.to).toEqual([w.person('alice').email]);
    expect(confirmation.subject).toMatch(/^Recorded: the minutes, version 1/);
    expect(confirmation.text).toContain(actionIdFor(CYCLE_ID, 1));

    // The same email delivered again: a duplicate; the workflow is not resumed twice.
    expect(await w.deliver({ ...reply, rawS3Key: 'inbound/again' })).toMatchObject({ reason: 'duplicate' });
    expect(w.workflow.calls).toHaveLength(1);
  });
});
