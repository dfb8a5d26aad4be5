/**
 * Input follow-up after a crash, and against an answer racing the check, on DynamoDB Local, the
 * local S3 and the local SES: a reminder step claimed but never completed, or sent but never
 * recorded (the process died in between), is finished by the next check: the email goes out once,
 * each request records it once, and later checks send nothing more. An answer that lands between
 * the check's read and its write is never counted as reminded.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '#shared/cycle/service.ts';
import { submitInput } from '#shared/cycle/submit-input.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { cycleWorld, OPENED } from '#test/support/cycle-world.ts';
import { answerBlock } from '#test/unit/cycle/support.ts';

const DAY = 86_400_000;

/** `repo` with updateInputRequests preceded, on its first call, by `first` (which may throw). */
function beforeFirstWrite(repo: ReviewRepository, first: () => Promise<void>): ReviewRepository {
  let called = false;
  return new Proxy(repo, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (property !== 'updateInputRequests') return method;
      return async (...args: unknown[]) => {
        if (!called) {
          called = true;
          await first();
        }
        return method(...args);
      };
    },
  });
}

describe('an input reminder interrupted between its claim and its email', () => {
  it('is sent once by the next check and recorded once on each request', async () => {
    const { deps, repo, clock, outboxStore, cycleId } = await cycleWorld('input-follow-up');

    // The crash: the auditor's first reminder was claimed, then the process died.
    clock.set(new Date(OPENED.getTime() + 3 * DAY + 60_000));
    expect(await repo.claimNotification(cycleId, 'input:auditor:reminder-1', clock.now().toISOString())).toBe(
      true,
    );

    // Thursday 4 March, 09:01 UTC: inside business hours in London, 04:01 in New York.
    const first = await checkInputs(deps, cycleId);
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    await checkInputs(deps, cycleId);

    const reminders = async () =>
      (await outboxStore.listSent(cycleId))
        .map((m) => m.key)
        .filter((key) => /^input:[^:]+:reminder-1$/.test(key));
    let sent = await reminders();
    expect(sent.filter((key) => key === 'input:auditor:reminder-1')).toHaveLength(1);
    // The other London owners' reminders of the same step went out as usual, once each; the New York
    // owner's waits for her business hours, 09:00 in New York (14:00 UTC), and the loop looks again by then.
    expect(sent.sort()).toEqual(
      ['alice', 'auditor', 'ciso', 'risk-owner'].map((owner) => `input:${owner}:reminder-1`),
    );
    expect(Date.parse(first.nextCheckAt)).toBeLessThanOrEqual(Date.parse('2027-03-04T14:00:00.000Z'));
    clock.set(new Date('2027-03-04T14:00:00.000Z'));
    await checkInputs(deps, cycleId);
    sent = await reminders();
    expect(sent.sort()).toEqual(
      ['alice', 'auditor', 'ciso', 'customer-lead', 'risk-owner'].map((owner) => `input:${owner}:reminder-1`),
    );
    const auditorRequests = (await repo.listInputRequests(cycleId)).filter((r) => r.ownerId === 'auditor');
    expect(auditorRequests.length).toBeGreaterThan(0);
    for (const request of auditorRequests) expect(request.remindersSent).toBe(1);
    const reminderEvents = (await repo.listEvents(cycleId)).filter(
      (e) => e.type === 'input.reminder_sent' && e.data.ownerId === 'auditor',
    );
    expect(reminderEvents).toHaveLength(auditorRequests.length);
  });
});

describe('an input check that dies after sending, or meets an answer on its way', () => {
  it('records the reminders once on the next check, sends nothing twice, and never counts the answered input', async () => {
    const { deps, repo, clock, outboxStore, cycleId } = await cycleWorld('input-check-writes');
    // Thursday 4 March, 09:01 UTC: the first reminder to the London owners.
    clock.set(new Date(OPENED.getTime() + 3 * DAY + 60_000));
    const dying = beforeFirstWrite(repo, () => Promise.reject(new Error('the process died')));
    await expect(checkInputs({ ...deps, repo: dying }, cycleId)).rejects.toThrow('the process died');
    const sentKeys = async () =>
      (await outboxStore.listSent(cycleId)).map((m) => m.key).filter((key) => key.endsWith(':reminder-1'));
    const sent = await sentKeys();
    expect(sent.sort()).toEqual(
      ['alice', 'auditor', 'ciso', 'risk-owner'].map((owner) => `input:${owner}:reminder-1`),
    );
    expect((await repo.listEvents(cycleId)).filter((e) => e.type === 'input.reminder_sent')).toEqual([]);

    // The retry an hour later; the auditor answers d1 while it is on its way.
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    const d1 = (await repo.getInputRequest(cycleId, 'd1'))!;
    const racing = beforeFirstWrite(repo, async () => {
      const answered = await submitInput(deps, { cycleId, inputKey: 'd1', text: answerBlock(d1) });
      expect(answered.ok).toBe(true);
    });
    await checkInputs({ ...deps, repo: racing }, cycleId);

    expect((await sentKeys()).sort()).toEqual(sent);
    const requests = (await repo.listInputRequests(cycleId)).filter((r) => r.ownerId === 'auditor');
    expect(requests.map((r) => `${r.inputKey} ${r.status} ${r.remindersSent}`)).toEqual([
      'd1 SUBMITTED 0',
      'd3 REQUESTED 1',
    ]);
    const recorded = (await repo.listEvents(cycleId)).filter((e) => e.type === 'input.reminder_sent');
    expect(recorded.filter((e) => e.data.ownerId === 'auditor').map((e) => e.data.inputKey)).toEqual(['d3']);
    const records = (await repo.getCycleRecords(cycleId))!;
    expect(records.notificationsSent.filter((key) => key.endsWith(':reminder-1:done')).sort()).toEqual(
      sent.map((key) => `${key}:done`),
    );

    // Nothing more on the next check.
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    const events = await repo.listEvents(cycleId);
    await checkInputs(deps, cycleId);
    expect(await repo.listEvents(cycleId)).toEqual(events);
    expect((await sentKeys()).sort()).toEqual(sent);
  });
});
