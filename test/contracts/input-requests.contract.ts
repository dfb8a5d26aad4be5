/**
 * What every CycleStore does for the input check: the cycle, its input requests and the claims under
 * a prefix in one read; several requests of a cycle, their events and claims in one write, refused
 * whole when a request changed since it was read or a claim is taken.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidData } from '#shared/model/common.ts';
import type { InputRequest } from '#shared/model/input.ts';
import { AlreadyExists, ConcurrentUpdate, TransactionTooLarge } from '#shared/store/repository.ts';
import {
  aCycle,
  anEvent,
  answered,
  aSubmission,
  cycleState,
  openCycle,
  rejection,
  twoCyclesOneAnswered,
  type MakeRepository,
} from './records.ts';

const AT = '2026-10-15T08:00:00.000Z';
const reminded = (request: InputRequest): InputRequest => ({
  ...request,
  remindersSent: request.remindersSent + 1,
  lastReminderAt: AT,
});

export function inputRequestsContract(name: string, makeRepo: MakeRepository): void {
  describe(`CycleStore contract, input check: ${name}`, () => {
    describe('several input requests in one write', () => {
      it('refuses requests of another cycle, an input twice, a claim twice and a bad claim key, writing nothing', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const other = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
        const { requests } = await openCycle(repo, cycle, ['b', 'd1']);
        const { requests: theirs } = await openCycle(repo, other, ['b']);
        const before = await cycleState(repo, cycle.id);

        const mixed = await rejection(
          repo.updateInputRequests(cycle.id, [theirs[0]!, requests[1]!, requests[1]!], {
            claims: [
              { key: 'input:auditor:reminder-1:done', at: AT },
              { key: 'input:auditor:reminder-1:done', at: AT },
            ],
          }),
        );
        expect(mixed).toBeInstanceOf(InvalidData);
        expect(mixed.message).toBe(
          `input requests of cycle ${cycle.id} is not valid: requests[0].cycleId: input b is of cycle ${other.id}, not ${cycle.id}; ` +
            'requests[2].inputKey: input d1 is listed twice; write each request once; ' +
            'claims[1].key: notification input:auditor:reminder-1:done is claimed twice',
        );
        const badKey = await rejection(
          repo.updateInputRequests(cycle.id, [requests[0]!], { claims: [{ key: 'input auditor', at: AT }] }),
        );
        expect(badKey).toBeInstanceOf(InvalidData);
        expect(badKey.message).toContain('expected a notification key');
        const badRequest = await rejection(
          repo.updateInputRequests(cycle.id, [{ ...requests[0]!, remindersSent: -1 }]),
        );
        expect(badRequest).toBeInstanceOf(InvalidData);
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('refuses a write larger than one transaction holds, before writing', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const keys = Array.from({ length: 49 }, (_, i) => `k${i}`);
        const { requests } = await openCycle(repo, cycle, keys);
        const before = await cycleState(repo, cycle.id);
        const events = requests.map((r) => anEvent('input.reminder_sent', { inputKey: r.inputKey }));
        const claims = [
          { key: 'input:auditor:reminder-1:done', at: AT },
          { key: 'input:auditor:reminder-2:done', at: AT },
        ];

        const error = await rejection(
          repo.updateInputRequests(cycle.id, requests.map(reminded), { events, claims }),
        );
        expect(error).toBeInstanceOf(TransactionTooLarge);
        expect(error.message).toBe(
          'this write needs 101 items but one transaction holds at most 100; split it',
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
        // One claim fewer fits: 49 requests, 49 events, the chain head and a claim.
        await repo.updateInputRequests(cycle.id, requests.map(reminded), { events, claims: claims.slice(1) });
        expect((await repo.listInputRequests(cycle.id)).every((r) => r.remindersSent === 1)).toBe(true);
      });

      it('stores the requests, appends the events in order and takes the claims together', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['b', 'd1', 'f']);
        const [b, d1] = requests;

        const written = await repo.updateInputRequests(cycle.id, [reminded(b!), reminded(d1!)], {
          events: [
            anEvent('input.reminder_sent', { inputKey: 'b' }),
            anEvent('input.reminder_sent', { inputKey: 'd1' }),
          ],
          claims: [{ key: 'input:auditor:reminder-1:done', at: AT }],
        });

        expect(written.requests).toEqual([
          { ...reminded(b!), version: 2 },
          { ...reminded(d1!), version: 2 },
        ]);
        expect(written.events.map((e) => `${e.seq} ${e.type} ${String(e.data.inputKey)}`)).toEqual([
          '2 input.reminder_sent b',
          '3 input.reminder_sent d1',
        ]);
        const records = (await repo.getCycleRecords(cycle.id))!;
        expect(records.inputRequests).toEqual([...written.requests, requests[2]]);
        expect(records.events.slice(1)).toEqual(written.events);
        expect(records.notificationsSent).toEqual(['input:auditor:reminder-1:done']);
        expect(verifyChain(records.events, { head: await repo.getChainHead(cycle.id) }).ok).toBe(true);

        // Claims alone, and nothing at all, are writes too.
        await repo.updateInputRequests(cycle.id, [], {
          claims: [{ key: 'input:ciso:reminder-1:done', at: AT }],
        });
        expect(await repo.updateInputRequests(cycle.id, [])).toEqual({ requests: [], events: [] });
        expect((await repo.getCycleRecords(cycle.id))!.notificationsSent).toEqual([
          'input:auditor:reminder-1:done',
          'input:ciso:reminder-1:done',
        ]);
      });

      it('a request changed since it was read refuses the whole write: ConcurrentUpdate, nothing written', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['b', 'd1']);
        const d1 = requests[1]!;
        const submission = aSubmission(d1);
        await repo.recordSubmission(submission, answered(d1, submission), {
          event: anEvent('input.submitted'),
        });
        const before = await cycleState(repo, cycle.id);

        const stale = await rejection(
          repo.updateInputRequests(cycle.id, requests.map(reminded), {
            events: requests.map((r) => anEvent('input.reminder_sent', { inputKey: r.inputKey })),
            claims: [{ key: 'input:auditor:reminder-1:done', at: AT }],
          }),
        );
        expect(stale).toBeInstanceOf(ConcurrentUpdate);
        expect(stale.message).toBe(
          `input request ${cycle.id}/d1 was changed by someone else (expected version 1, found 2); reload and retry`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);
      });

      it('a claim taken already refuses the whole write: AlreadyExists; a released one is taken again', async () => {
        const repo = await makeRepo();
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['d1']);
        await repo.claimNotification(cycle.id, 'input:auditor:reminder-1:done', AT);
        await repo.claimNotification(cycle.id, 'input:auditor:reminder-2:done', AT);
        await repo.releaseNotification(cycle.id, 'input:auditor:reminder-2:done');
        const before = await cycleState(repo, cycle.id);

        const taken = await rejection(
          repo.updateInputRequests(cycle.id, requests.map(reminded), {
            events: [anEvent('input.reminder_sent')],
            claims: [{ key: 'input:auditor:reminder-1:done', at: AT }],
          }),
        );
        expect(taken).toBeInstanceOf(AlreadyExists);
        expect(taken.message).toBe(
          `notification ${cycle.id}/input:auditor:reminder-1:done already exists: it is claimed already; nothing was written`,
        );
        expect(await cycleState(repo, cycle.id)).toEqual(before);

        await repo.updateInputRequests(cycle.id, requests.map(reminded), {
          claims: [{ key: 'input:auditor:reminder-2:done', at: AT }],
        });
        expect((await repo.getCycleRecords(cycle.id))!.notificationsSent.sort()).toEqual([
          'input:auditor:reminder-1:done',
          'input:auditor:reminder-2:done',
        ]);
      });

      it('an answer recorded between the read and the write wins; the write is refused whole', async () => {
        let rival: (() => Promise<void>) | undefined;
        const repo = await makeRepo({
          beforeTransaction: async () => {
            const run = rival;
            rival = undefined;
            await run?.();
          },
        });
        const cycle = aCycle();
        const { requests } = await openCycle(repo, cycle, ['b', 'd1']);
        const d1 = requests[1]!;
        const submission = aSubmission(d1);
        rival = async () => {
          await repo.recordSubmission(submission, answered(d1, submission), {
            event: anEvent('input.submitted'),
          });
        };

        const lost = await rejection(
          repo.updateInputRequests(cycle.id, requests.map(reminded), {
            events: requests.map((r) => anEvent('input.reminder_sent', { inputKey: r.inputKey })),
          }),
        );
        expect(lost).toBeInstanceOf(ConcurrentUpdate);
        const records = (await repo.getCycleRecords(cycle.id))!;
        expect(records.inputRequests.map((r) => `${r.inputKey} ${r.status} ${r.remindersSent}`)).toEqual([
          'b REQUESTED 0',
          'd1 SUBMITTED 0',
        ]);
        expect(records.events.map((e) => e.type)).toEqual(['cycle.opened', 'input.submitted']);
      });
    });

    describe('the cycle with its input requests and claims in one read', () => {
      it('refuses a bad prefix and answers undefined for a cycle never written', async () => {
        const repo = await makeRepo();
        const error = await rejection(repo.getCycleWithInputsAndClaims(aCycle().id, 'input claims'));
        expect(error).toBeInstanceOf(InvalidData);
        expect(error.message).toContain('expected a notification key');
        expect(await repo.getCycleWithInputsAndClaims(aCycle().id, 'input:')).toBeUndefined();
      });

      it('answers the cycle, its requests and the claims under the prefix not released, nothing of another cycle', async () => {
        const repo = await makeRepo();
        const { cycle, other } = await twoCyclesOneAnswered(repo);
        for (const key of [
          'input:auditor:reminder-1:done',
          'input:ciso:reminder-1',
          'input:risk-owner:reminder-1:done',
          'input-request:alice',
          'action:A-1:remind-7d',
          'minutes-request:1',
        ]) {
          await repo.claimNotification(cycle.id, key, AT);
        }
        await repo.releaseNotification(cycle.id, 'input:risk-owner:reminder-1:done');
        await repo.claimNotification(other.id, 'input:auditor:reminder-2:done', AT);
        await repo.parkTaskToken({ cycleId: cycle.id, purpose: 'inputs', taskToken: 't-1', parkedAt: AT });

        const read = (await repo.getCycleWithInputsAndClaims(cycle.id, 'input:'))!;

        expect(read.cycle).toEqual(await repo.getCycle(cycle.id));
        expect(read.requests).toEqual(await repo.listInputRequests(cycle.id));
        expect(read.requests.map((r) => `${r.inputKey} ${r.status}`)).toEqual([
          'b REQUESTED',
          'd1 SUBMITTED',
          'f REQUESTED',
        ]);
        expect(read.claims).toEqual(['input:auditor:reminder-1:done', 'input:ciso:reminder-1']);
        // The next append after the read still chains on the head it showed.
        expect((await repo.appendEvent(cycle.id, anEvent())).seq).toBe(3);
      });
    });
  });
}
