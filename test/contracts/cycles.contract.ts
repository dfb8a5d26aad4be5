/**
 * What every CycleStore does: cycles with their input requests and first event in one write,
 * versions, submissions and the request they answer together, the lists in their orders, the
 * per-cycle summaries, and everything of a cycle in one read.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidData } from '#shared/model/common.ts';
import { transition, type Cycle } from '#shared/model/cycle.ts';
import { actionIdFor } from '#shared/model/ids.ts';
import type { InputRequest } from '#shared/model/input.ts';
import { AlreadyExists, ConcurrentUpdate, NotFound, TransactionTooLarge } from '#shared/store/repository.ts';
import {
  aCycle,
  aCycleSummary,
  aMinutesRecord,
  anAction,
  anEvent,
  anInputRequest,
  answered,
  aSubmission,
  cycleState,
  expectNothingStored,
  openCycle,
  rejection,
  twoCyclesOneAnswered,
  type MakeRepository,
} from './records.ts';

export function cycleStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`CycleStore contract: ${name}`, () => {
    describe('bad input and missing records', () => {
      it('rejects an invalid record before writing anything', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const error = await rejection(repo.createCycle({ ...cycle, phase: 'DONE' as never }, []));
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toContain(`cycle ${cycle.id} is not valid: phase: expected a phase`);
        await expectNothingStored(repo, cycle.id);
      });

      it('rejects requests that do not belong to the cycle, listed twice, or not new', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const other = aCycle({}, new Date('2027-01-01T08:00:00Z'));
        const error = await rejection(
          repo.createCycle(cycle, [
            anInputRequest(other, 'b'),
            anInputRequest(cycle, 'c'),
            anInputRequest(cycle, 'c', { version: 2 }),
          ]),
        );
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toBe(
          `new cycle ${cycle.id} is not valid: requests[0].cycleId: input b names cycle ${other.id} of example-ltd, not ${cycle.id} of example-ltd; ` +
            'requests[2].inputKey: input c is listed twice; request each input once; requests[2].version: a new input request has version 1',
        );
        await expectNothingStored(repo, cycle.id);
        await expectNothingStored(repo, other.id);
      });

      it('rejects a new cycle that is not version 1, and an event that does not match its schema', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const notNew = await rejection(repo.createCycle({ ...cycle, version: 2 }, []));
        expect(notNew.message).toBe(
          `new cycle ${cycle.id} is not valid: cycle.version: a new cycle has version 1`,
        );
        const badEvent = await rejection(
          repo.createCycle(cycle, [], { event: { ...anEvent(), type: 'Cycle Opened' } }),
        );
        expect(badEvent).toBeInstanceOf(InvalidData);
        expect(badEvent.message).toContain(`event for cycle ${cycle.id} is not valid: type:`);
        await expectNothingStored(repo, cycle.id);

        await openCycle(repo, cycle);
        const before = await cycleState(repo, cycle.id);
        const update = await rejection(
          repo.updateCycle({ ...cycle, comprehensive: true }, { event: { ...anEvent(), at: 'noon' } }),
        );
        expect(update).toBeInstanceOf(InvalidData);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('answers missing records with undefined on read and NotFound on write', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        expect(await repo.getCycle(cycle.id)).toBeUndefined();
        expect(await repo.getCycleRecords(cycle.id)).toBeUndefined();
        expect(await repo.getCycleWithInputs(cycle.id)).toBeUndefined();
        const update = await rejection(repo.updateCycle(cycle));
        expect(update).toBeInstanceOf(NotFound);
        expect(update.message).toBe(`cycle ${cycle.id} does not exist: check the id`);
        expect(await rejection(repo.appendEvent(cycle.id, anEvent()))).toBeInstanceOf(NotFound);
        expect(await rejection(repo.createActions([anAction(cycle)]))).toBeInstanceOf(NotFound);
        expect(await repo.getInputRequest(cycle.id, 'd1')).toBeUndefined();
        const request = await rejection(repo.updateInputRequest(anInputRequest(cycle, 'd1')));
        expect(request).toBeInstanceOf(NotFound);
        expect(request.message).toBe(`input request ${cycle.id}/d1 does not exist: check the id`);
        await expectNothingStored(repo, cycle.id);
      });

      it('refuses a submission whose request was not updated to point at it', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1']);
        const submission = aSubmission(requests[0]!);
        const before = await cycleState(repo, cycle.id);
        const error = await rejection(repo.recordSubmission(submission, requests[0]!));
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toContain(
          `set status SUBMITTED and submissionId ${submission.id} on the request`,
        );
        expect(await repo.listSubmissions(cycle.id)).toEqual([]);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('refuses a submission recorded against another input, or out of schema', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1', 'f']);
        const [d1, f] = requests;
        const submission = aSubmission(d1!);
        const before = await cycleState(repo, cycle.id);
        const wrong = await rejection(repo.recordSubmission(submission, answered(f!, submission)));
        expect(wrong).toBeInstanceOf(InvalidData);
        expect(wrong.message).toBe(
          `input request ${cycle.id}/f is not valid: inputKey: the submission answers ${cycle.id}/d1, not ${cycle.id}/f`,
        );
        const shapeless = { ...submission, kind: 'gossip' as never };
        expect(await rejection(repo.recordSubmission(shapeless, answered(d1!, submission)))).toBeInstanceOf(
          InvalidData,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });
    });

    describe('creating a cycle', () => {
      it('writes the cycle, its input requests and its first event together', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const created = await openCycle(repo, cycle);
        expect(created.event).toMatchObject({
          cycleId: cycle.id,
          seq: 1,
          prevHash: GENESIS_HASH,
          type: 'cycle.opened',
        });
        const records = await repo.getCycleRecords(cycle.id);
        expect(records?.cycle).toEqual(cycle);
        expect(records?.inputRequests.map((request) => request.inputKey)).toEqual(['b', 'd1', 'f']);
        expect(records?.events).toEqual([created.event]);
        expect(await repo.getChainHead(cycle.id)).toEqual({ seq: 1, hash: created.event!.hash });
      });

      it('without an event, starts the chain empty: seq 0 and the genesis hash', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const created = await repo.createCycle(cycle, [anInputRequest(cycle, 'd1')]);
        expect(created).toEqual({ cycle, requests: [anInputRequest(cycle, 'd1')] });
        expect(await repo.getChainHead(cycle.id)).toEqual({ seq: 0, hash: GENESIS_HASH });
        expect(await repo.listEvents(cycle.id)).toEqual([]);
        expect(await repo.getInputRequest(cycle.id, 'd1')).toEqual(anInputRequest(cycle, 'd1'));
      });

      it('a repeated create (the same scheduled firing) is AlreadyExists and changes nothing', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        await openCycle(repo, cycle);
        const before = await cycleState(repo, cycle.id);
        const error = await rejection(openCycle(repo, { ...cycle, comprehensive: true }, ['b', 'g']));
        expect(error).toBeInstanceOf(AlreadyExists);
        expect(error.message).toBe(
          `cycle ${cycle.id} already exists: a cycle with this id was opened already; nothing was written`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('refuses a transaction larger than DynamoDB allows, before writing', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
        const error = await rejection(openCycle(repo, cycle, keys));
        expect(error).toBeInstanceOf(TransactionTooLarge);
        expect(error.message).toBe(
          'this write needs 102 items but one transaction holds at most 100; split it',
        );
        await expectNothingStored(repo, cycle.id);
        // 99 requests and the cycle fit one transaction.
        await repo.createCycle(
          cycle,
          keys.slice(0, 99).map((key) => anInputRequest(cycle, key)),
        );
        expect(await repo.listInputRequests(cycle.id)).toHaveLength(99);
      });
    });

    describe('two writers on the same cycle', () => {
      it('one wins, the other gets ConcurrentUpdate, and nothing is half-written', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const readByBoth = (await repo.getCycle(cycle.id))!;
        const at = new Date('2026-10-01T08:05:00Z');
        const writers = ['alice', 'bob'].map((who) =>
          repo.updateCycle(transition(readByBoth, 'REQUESTING_INPUTS', at), {
            event: { ...anEvent('cycle.phase_changed', { by: who }, at), actor: who },
          }),
        );
        const results = await Promise.allSettled(writers);
        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const error = (lost[0] as PromiseRejectedResult).reason as Error;
        expect(error).toBeInstanceOf(ConcurrentUpdate);
        expect(error.name).toBe('ConcurrentUpdate');
        expect(error.message).toBe(
          `cycle ${cycle.id} was changed by someone else (expected version 1, found 2); reload and retry`,
        );

        // Everything after: the cycle once at version 2, the winner's event and only it, an intact chain.
        const winner = (won[0] as PromiseFulfilledResult<{ cycle: Cycle; event?: { actor: string } }>).value;
        const records = (await repo.getCycleRecords(cycle.id))!;
        expect(records.cycle).toEqual(winner.cycle);
        expect(records.cycle).toMatchObject({ version: 2, phase: 'REQUESTING_INPUTS' });
        expect(records.inputRequests.map((request) => request.inputKey)).toEqual(['b', 'd1', 'f']);
        expect(records.events.map((event) => event.seq)).toEqual([1, 2]);
        expect(records.events.map((event) => event.actor)).toEqual(['system', winner.event!.actor]);
        expect([records.submissions, records.actions, records.parkedTasks, records.minutes]).toEqual([
          [],
          [],
          [],
          [],
        ]);
        expect(records.notificationsSent).toEqual([]);
        const head = await repo.getChainHead(cycle.id);
        expect(verifyChain(records.events, { head })).toMatchObject({ ok: true, count: 2 });
      });

      it('the loser can reload and retry; an update to an older copy is refused', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const at = new Date('2026-10-01T08:05:00Z');
        await repo.updateCycle(transition(cycle, 'REQUESTING_INPUTS', at));
        const stale = await rejection(repo.updateCycle({ ...cycle, comprehensive: true }));
        expect(stale).toBeInstanceOf(ConcurrentUpdate);
        const reloaded = (await repo.getCycle(cycle.id))!;
        const { cycle: stored } = await repo.updateCycle({
          ...reloaded,
          comprehensive: true,
          executionArn: 'arn:x',
        });
        expect(stored.version).toBe(3);
        // Optional fields left out are removed, the chain head is untouched by a cycle update.
        const { executionArn: _arn, ...withoutArn } = stored;
        const { cycle: final } = await repo.updateCycle(withoutArn);
        expect(await repo.getCycle(cycle.id)).toEqual(final);
        expect(final.executionArn).toBeUndefined();
        expect((await repo.getChainHead(cycle.id)).seq).toBe(1);
      });

      it('an update with an event stores both; a refused one neither', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const at = new Date('2026-10-01T08:05:00Z');
        const changed = transition(cycle, 'REQUESTING_INPUTS', at);
        const { cycle: stored, event } = await repo.updateCycle(changed, {
          event: anEvent('cycle.phase_changed', { to: 'REQUESTING_INPUTS' }, at),
        });
        expect(stored).toEqual({ ...changed, version: 2 });
        expect(event).toMatchObject({ seq: 2, type: 'cycle.phase_changed' });
        expect(await repo.listEvents(cycle.id, 2)).toEqual([event]);
        const before = await cycleState(repo, cycle.id);
        const stale = await rejection(repo.updateCycle(changed, { event: anEvent('cycle.noted') }));
        expect(stale).toBeInstanceOf(ConcurrentUpdate);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });
    });

    describe('listing cycles', () => {
      it('lists a programme’s cycles by meeting date, in either order, within a window', async () => {
        const repo = await makeRepo();
        const openings = [
          '2027-01-01T08:00:00Z',
          '2026-04-01T07:00:00Z',
          '2026-10-01T08:00:00Z',
          '2026-07-01T07:00:00Z',
        ];
        for (const opening of openings) await openCycle(repo, aCycle({}, new Date(opening)));
        const meetings = (cycles: Cycle[]) => cycles.map((cycle) => cycle.plannedMeetingAt.slice(0, 10));
        expect(meetings(await repo.listCycles('example-ltd'))).toEqual([
          '2026-04-29',
          '2026-07-29',
          '2026-10-29',
          '2027-01-29',
        ]);
        expect(meetings(await repo.listCycles('example-ltd', { newestFirst: true, limit: 2 }))).toEqual([
          '2027-01-29',
          '2026-10-29',
        ]);
        expect(
          meetings(
            await repo.listCycles('example-ltd', {
              meetingFrom: '2026-07-01T00:00:00Z',
              meetingTo: '2026-10-29T08:00:00Z',
            }),
          ),
        ).toEqual(['2026-07-29', '2026-10-29']);
        expect(await repo.listCycles('other-org')).toEqual([]);
      });

      it('takes either end of the window alone, each end inclusive, and follows a moved meeting', async () => {
        const repo = await makeRepo();
        const [april, july] = [
          aCycle({}, new Date('2026-04-01T07:00:00Z')),
          aCycle({}, new Date('2026-07-01T07:00:00Z')),
        ];
        await openCycle(repo, april!);
        await openCycle(repo, july!);
        const ids = (cycles: Cycle[]) => cycles.map((cycle) => cycle.id);
        expect(ids(await repo.listCycles('example-ltd', { meetingFrom: july!.plannedMeetingAt }))).toEqual([
          july!.id,
        ]);
        expect(ids(await repo.listCycles('example-ltd', { meetingTo: april!.plannedMeetingAt }))).toEqual([
          april!.id,
        ]);
        expect(ids(await repo.listCycles('example-ltd', { newestFirst: true }))).toEqual([
          july!.id,
          april!.id,
        ]);
        // The April meeting moves after July's: the list follows the stored date.
        await repo.updateCycle({ ...april!, plannedMeetingAt: '2026-08-05T09:00:00.000Z' });
        expect(ids(await repo.listCycles('example-ltd'))).toEqual([july!.id, april!.id]);
        expect(ids(await repo.listCycles('example-ltd', { meetingTo: '2026-05-01T00:00:00Z' }))).toEqual([]);
      });
    });

    describe('input requests and submissions', () => {
      it('two owners replying at once to the same input: one submission is recorded, the other refused', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1']);
        const request = requests[0]!;
        const replies = [
          aSubmission(request, new Date('2026-10-10T14:30:05.123Z'), { submitterId: 'auditor' }),
          aSubmission(request, new Date('2026-10-10T14:30:05.124Z'), {
            submitterId: 'deputy',
            onBehalfOf: 'auditor',
          }),
        ];
        const results = await Promise.allSettled(
          replies.map((submission) =>
            repo.recordSubmission(submission, answered(request, submission), {
              event: anEvent('input.submitted', { submissionId: submission.id }),
            }),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ConcurrentUpdate);
        expect((lost.reason as Error).message).toBe(
          `input request ${cycle.id}/d1 was changed by someone else (expected version 1, found 2); reload and retry`,
        );
        const records = (await repo.getCycleRecords(cycle.id))!;
        expect(records.submissions).toHaveLength(1);
        expect(records.inputRequests[0]).toMatchObject({
          status: 'SUBMITTED',
          version: 2,
          submissionId: records.submissions[0]!.id,
        });
        expect(records.events.map((event) => event.type)).toEqual(['cycle.opened', 'input.submitted']);
        expect(verifyChain(records.events, { head: await repo.getChainHead(cycle.id) }).ok).toBe(true);
      });

      it('checks the other requests as read: a changed one is ConcurrentUpdate and nothing is written', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const other = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
        const { requests } = await openCycle(repo, cycle, ['b', 'd1', 'f']);
        const { requests: elsewhere } = await openCycle(repo, other, ['b']);
        const [b, d1, f] = requests as [InputRequest, InputRequest, InputRequest];
        const submission = aSubmission(d1);
        const before = await cycleState(repo, cycle.id);
        const foreign = await rejection(
          repo.recordSubmission(submission, answered(d1, submission), { unchanged: [b, elsewhere[0]!] }),
        );
        expect(foreign).toBeInstanceOf(InvalidData);
        expect(foreign.message).toContain(`input b is of cycle ${other.id}, not ${cycle.id}`);
        const itself = await rejection(
          repo.recordSubmission(submission, answered(d1, submission), { unchanged: [d1] }),
        );
        expect(itself.message).toContain('input d1 is the one answered or listed twice');
        expect(await cycleState(repo, cycle.id)).toEqual(before);

        const fAnswer = aSubmission(f);
        await repo.recordSubmission(fAnswer, answered(f, fAnswer), { unchanged: [b, d1] });
        const stale = await rejection(
          repo.recordSubmission(submission, answered(d1, submission), {
            unchanged: [b, f],
            event: anEvent('input.submitted'),
          }),
        );
        expect(stale).toBeInstanceOf(ConcurrentUpdate);
        expect(stale.message).toBe(
          `input request ${cycle.id}/f was changed by someone else (expected version 1, found 2); reload and retry`,
        );
        expect(await repo.listSubmissions(cycle.id, 'd1')).toEqual([]);

        const fNow = (await repo.getInputRequest(cycle.id, 'f'))!;
        const { request } = await repo.recordSubmission(submission, answered(d1, submission), {
          unchanged: [b, fNow],
          event: anEvent('input.submitted'),
        });
        expect(request).toMatchObject({ submissionId: submission.id, version: 2 });
      });

      it('a later submission supersedes an earlier one and both are kept; superseding nothing is refused', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1']);
        const first = aSubmission(requests[0]!, new Date('2026-10-10T10:00:00.000Z'));
        const { request: afterFirst } = await repo.recordSubmission(first, answered(requests[0]!, first));
        const ghost = aSubmission(afterFirst, new Date('2026-10-11T10:00:00.000Z'), {
          supersedes: 'S-20261001T000000000Z-000000',
        });
        const before = await cycleState(repo, cycle.id);
        const error = await rejection(repo.recordSubmission(ghost, answered(afterFirst, ghost)));
        expect(error).toBeInstanceOf(NotFound);
        expect(error.message).toContain(`input ${cycle.id}/d1 has no such submission`);
        expect(await repo.listSubmissions(cycle.id)).toEqual([first]);
        expect(await cycleState(repo, cycle.id)).toEqual(before);

        const second = aSubmission(afterFirst, new Date('2026-10-12T10:00:00.000Z'), {
          kind: 'nothing_to_report',
          summary: 'No audits were held this quarter; the programme resumes in January.',
          supersedes: first.id,
        });
        const { request } = await repo.recordSubmission(second, answered(afterFirst, second));
        expect(request).toMatchObject({ status: 'NOTHING_TO_REPORT', submissionId: second.id, version: 3 });
        expect(await repo.listSubmissions(cycle.id, 'd1')).toEqual([first, second]);
        expect(await repo.getInputRequest(cycle.id, 'd1')).toEqual(request);
        expect(await repo.getSubmission(cycle.id, 'd1', second.id)).toEqual(second);
        expect(await repo.getSubmission(cycle.id, 'f', second.id)).toBeUndefined();
      });

      it('keeps aside a submission received before the current one, and only such a one', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1']);
        const newer = aSubmission(requests[0]!, new Date('2026-10-12T10:00:00.000Z'));
        const { request: current } = await repo.recordSubmission(newer, answered(requests[0]!, newer));
        // Delivered late, received earlier: on record, but the request still names the newer one.
        const older = aSubmission(current, new Date('2026-10-11T10:00:00.000Z'), { submitterId: 'deputy' });
        const { request } = await repo.recordSubmission(older, current, {
          event: anEvent('input.kept_aside'),
        });
        expect(request).toEqual({ ...current, version: 3 });
        expect(await repo.getInputRequest(cycle.id, 'd1')).toEqual(request);
        expect(await repo.listSubmissions(cycle.id, 'd1')).toEqual([older, newer]);

        const before = await cycleState(repo, cycle.id);
        const later = aSubmission(request, new Date('2026-10-13T10:00:00.000Z'));
        const error = await rejection(
          repo.recordSubmission(later, request, { event: anEvent('input.kept_aside') }),
        );
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toBe(
          `input request ${cycle.id}/d1 is not valid: submissionId: submission ${later.id} is kept aside only when the current one (${newer.id}) was received after it`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('records a submission once: the same one again is AlreadyExists', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1']);
        const submission = aSubmission(requests[0]!);
        const { request } = await repo.recordSubmission(submission, answered(requests[0]!, submission));
        const before = await cycleState(repo, cycle.id);
        const again = await rejection(
          repo.recordSubmission(submission, request, { event: anEvent('input.submitted') }),
        );
        expect(again).toBeInstanceOf(AlreadyExists);
        expect(again.message).toBe(
          `submission ${submission.id} already exists: it was already recorded; nothing was written`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('updates a request by version, with its event, and refuses a stale copy', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1', 'f']);
        const reminded = { ...requests[0]!, remindersSent: 1, lastReminderAt: '2026-10-15T08:00:00.000Z' };
        const { request, event } = await repo.updateInputRequest(reminded, {
          event: anEvent('input.reminded'),
        });
        expect(request).toEqual({ ...reminded, version: 2 });
        expect(event).toMatchObject({ seq: 2, type: 'input.reminded' });
        expect(await repo.getInputRequest(cycle.id, 'd1')).toEqual(request);
        const before = await cycleState(repo, cycle.id);
        const stale = await rejection(
          repo.updateInputRequest(reminded, { event: anEvent('input.reminded') }),
        );
        expect(stale).toBeInstanceOf(ConcurrentUpdate);
        expect(stale.message).toBe(
          `input request ${cycle.id}/d1 was changed by someone else (expected version 1, found 2); reload and retry`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
        expect((await repo.listInputRequests(cycle.id)).map((r) => `${r.inputKey} v${r.version}`)).toEqual([
          'd1 v2',
          'f v1',
        ]);
      });

      it('pending requests leave the index once answered; history lists an input across cycles by period', async () => {
        const repo = await makeRepo();
        const q3 = aCycle();
        const q4 = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
        const { requests: q3Requests } = await openCycle(repo, q3, ['d1', 'f']);
        const { requests: q4Requests } = await openCycle(repo, q4, ['d1']);
        expect(
          (await repo.listPendingInputRequests('example-ltd')).map((r) => `${r.cycleId}/${r.inputKey}`),
        ).toEqual([`${q3.id}/d1`, `${q3.id}/f`, `${q4.id}/d1`]);
        expect(await repo.listPendingInputRequests('example-ltd', q3.inputsDueAt)).toHaveLength(2);

        const older = aSubmission(q3Requests[0]!, new Date('2026-10-10T10:00:00.000Z'));
        const newer = aSubmission(q4Requests[0]!, new Date('2027-01-10T10:00:00.000Z'), {
          periodCovered: { from: '2026-10-01', to: '2026-12-31' },
        });
        await repo.recordSubmission(newer, answered(q4Requests[0]!, newer));
        await repo.recordSubmission(older, answered(q3Requests[0]!, older));
        expect(
          (await repo.listPendingInputRequests('example-ltd')).map((r) => `${r.cycleId}/${r.inputKey}`),
        ).toEqual([`${q3.id}/f`]);
        expect(await repo.listSubmissionHistory('example-ltd', 'd1')).toEqual([older, newer]);
        expect(
          await repo.listSubmissionHistory('example-ltd', 'd1', { newestFirst: true, limit: 1 }),
        ).toEqual([newer]);
        expect(
          await repo.listSubmissionHistory('example-ltd', 'd1', { periodEndingOnOrBefore: '2026-09-30' }),
        ).toEqual([older]);
        expect(await repo.listSubmissionHistory('example-ltd', 'f')).toEqual([]);
        expect(await repo.listPendingInputRequests('other-org')).toEqual([]);
      });

      it('lists a period’s submissions by receipt time, and a request due earlier first', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1', 'f']);
        await repo.updateInputRequest({ ...requests[1]!, dueAt: '2026-10-05T08:00:00.000Z' });
        expect((await repo.listPendingInputRequests('example-ltd')).map((r) => r.inputKey)).toEqual([
          'f',
          'd1',
        ]);
        expect(
          (await repo.listPendingInputRequests('example-ltd', '2026-10-05T08:00:00Z')).map((r) => r.inputKey),
        ).toEqual(['f']);
        const first = aSubmission(requests[0]!, new Date('2026-10-10T10:00:00.000Z'));
        const { request } = await repo.recordSubmission(first, answered(requests[0]!, first));
        const second = aSubmission(request, new Date('2026-10-11T10:00:00.000Z'), { supersedes: first.id });
        await repo.recordSubmission(second, answered(request, second));
        expect(await repo.listSubmissionHistory('example-ltd', 'd1', { newestFirst: true })).toEqual([
          second,
          first,
        ]);
        expect(
          await repo.listSubmissionHistory('example-ltd', 'd1', { periodEndingOnOrBefore: '2026-09-29' }),
        ).toEqual([]);
      });
    });

    describe('the cycle with its input requests in one read', () => {
      it('answers the cycle as stored and its requests by key, with nothing of its other records or another cycle', async () => {
        const repo = await makeRepo();
        const { cycle, submission } = await twoCyclesOneAnswered(repo);
        await repo.createActions([anAction(cycle, 1)], { event: anEvent('actions.created') });
        await repo.claimNotification(cycle.id, 'input-request:alice', cycle.openedAt);

        const read = await repo.getCycleWithInputs(cycle.id);

        expect(read?.cycle).toEqual(await repo.getCycle(cycle.id));
        expect(read?.requests).toEqual(await repo.listInputRequests(cycle.id));
        expect(read?.requests.map((r) => r.inputKey)).toEqual(['b', 'd1', 'f']);
        expect(read?.requests.find((r) => r.inputKey === 'd1')?.submissionId).toBe(submission.id);
        // The next append after the read still chains on the head it showed.
        const event = await repo.appendEvent(cycle.id, anEvent());
        expect(event.seq).toBe(4);
      });
    });

    describe('everything of a cycle in one read', () => {
      it('groups the cycle’s records of every aggregate, each in its order, and nothing of another cycle', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const other = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
        const { requests } = await openCycle(repo, cycle, ['f', 'b', 'd1']);
        await openCycle(repo, other, ['d1']);
        const submission = aSubmission(requests.find((r) => r.inputKey === 'd1')!);
        await repo.recordSubmission(
          submission,
          answered(
            requests.find((r) => r.inputKey === 'd1')!,
            submission,
          ),
        );
        await repo.createActions([anAction(cycle, 2), anAction(cycle, 1)], {
          event: anEvent('actions.created'),
        });
        await repo.createActions([anAction(other, 1)]);
        await repo.parkTaskToken({
          cycleId: cycle.id,
          purpose: 'minutes',
          taskToken: 't-2',
          parkedAt: cycle.plannedMeetingAt,
        });
        await repo.parkTaskToken({
          cycleId: cycle.id,
          purpose: 'inputs',
          taskToken: 't-1',
          parkedAt: cycle.openedAt,
        });
        const sent = `action:${actionIdFor(cycle.id, 1)}:remind-7d`;
        const released = `action:${actionIdFor(cycle.id, 2)}:remind-7d`;
        await repo.claimNotification(cycle.id, sent, '2026-12-08T07:00:00.000Z');
        await repo.claimNotification(cycle.id, released, '2026-12-08T07:00:00.000Z');
        await repo.releaseNotification(cycle.id, released);
        await repo.saveMinutes(aMinutesRecord(1));
        await repo.appendEvent(other.id, anEvent('cycle.noted'));

        const records = (await repo.getCycleRecords(cycle.id))!;
        expect(records.cycle).toEqual(cycle);
        expect(records.inputRequests.map((r) => r.inputKey)).toEqual(['b', 'd1', 'f']);
        expect(records.submissions).toEqual([submission]);
        expect(records.actions.map((action) => action.id)).toEqual([
          actionIdFor(cycle.id, 1),
          actionIdFor(cycle.id, 2),
        ]);
        expect(records.events.map((event) => `${event.seq} ${event.type}`)).toEqual([
          '1 cycle.opened',
          '2 actions.created',
        ]);
        expect(records.parkedTasks.map((task) => task.purpose)).toEqual(['inputs', 'minutes']);
        expect(records.notificationsSent).toEqual([sent]);
        expect(records.minutes?.map((minutes) => minutes.version)).toEqual([1]);
        expect(records.events).toEqual(await repo.listEvents(cycle.id));
      });

      it('hands out copies: changing what was returned changes nothing stored', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const created = await openCycle(repo, cycle, ['d1']);
        created.cycle.phase = 'CLOSED';
        created.requests[0]!.title = 'Changed by the caller';
        (created.event!.data as { keys: string[] }).keys.push('zz');
        const records = (await repo.getCycleRecords(cycle.id))!;
        records.cycle.programme.version = 99;
        records.inputRequests[0]!.clauses.push({ standard: 'iso27001', clause: 'x' });
        (records.events[0]!.data as { keys: string[] }).keys.push('zz');
        const again = (await repo.getCycleRecords(cycle.id))!;
        expect(again.cycle).toEqual(cycle);
        expect(again.inputRequests).toEqual([anInputRequest(cycle, 'd1')]);
        expect(again.events[0]!.data).toEqual({ keys: ['d1'] });
      });
    });

    describe('per-cycle summaries', () => {
      it('refuses a summary that does not match the schema, and stores nothing', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const error = await rejection(repo.putCycleSummary(aCycleSummary(cycle, { packageVersion: 0 })));
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toContain(`summary of cycle ${cycle.id} is not valid: packageVersion:`);
        expect(await repo.listCycleSummaries('example-ltd')).toEqual([]);
      });

      it('keeps the summary of the newest package version: a newer or equal one replaces it, an older one does not', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        await repo.putCycleSummary(aCycleSummary(cycle, { packageVersion: 2, decisions: 2 }));
        await repo.putCycleSummary(aCycleSummary(cycle, { packageVersion: 1, decisions: 1 }));
        expect(await repo.listCycleSummaries('example-ltd')).toEqual([
          aCycleSummary(cycle, { packageVersion: 2, decisions: 2 }),
        ]);
        await repo.putCycleSummary(aCycleSummary(cycle, { packageVersion: 2, decisions: 3 }));
        await repo.putCycleSummary(aCycleSummary(cycle, { packageVersion: 3, decisions: 4 }));
        expect(await repo.listCycleSummaries('example-ltd')).toEqual([
          aCycleSummary(cycle, { packageVersion: 3, decisions: 4 }),
        ]);
      });

      it('lists the summaries of meetings before a time, newest first, at most `limit`', async () => {
        const repo = await makeRepo();
        const cycles = ['2026-04-01T07:00:00Z', '2026-10-01T08:00:00Z', '2026-07-01T07:00:00Z'].map((at) =>
          aCycle({}, new Date(at)),
        );
        for (const cycle of cycles) await repo.putCycleSummary(aCycleSummary(cycle));
        await repo.putCycleSummary(
          aCycleSummary(
            aCycle({
              programmeId: 'other-org',
              programme: { ...aCycle().programme, programmeId: 'other-org' },
            }),
          ),
        );
        const meetings = (list: { plannedMeetingAt: string }[]) =>
          list.map((s) => s.plannedMeetingAt.slice(0, 10));
        expect(meetings(await repo.listCycleSummaries('example-ltd'))).toEqual([
          '2026-10-29',
          '2026-07-29',
          '2026-04-29',
        ]);
        // Strictly before: the cycle whose meeting is at `before` is the one being built.
        const october = cycles[1]!.plannedMeetingAt;
        expect(meetings(await repo.listCycleSummaries('example-ltd', { before: october }))).toEqual([
          '2026-07-29',
          '2026-04-29',
        ]);
        expect(meetings(await repo.listCycleSummaries('example-ltd', { before: october, limit: 1 }))).toEqual(
          ['2026-07-29'],
        );
        expect(await repo.listCycleSummaries('example-ltd', { before: '2026-01-01T00:00:00Z' })).toEqual([]);
        expect(await repo.listCycleSummaries('nobody')).toEqual([]);
      });
    });
  });
}
