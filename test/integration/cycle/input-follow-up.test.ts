/**
 * Input follow-up after a crash, against DynamoDB Local, the local S3 and the local SES: a reminder
 * step whose claim was written but whose email never went out (the process died in between) is
 * finished by the next check: the email goes out once, each request records it once, and later
 * checks send nothing more.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '#shared/cycle/service.ts';
import { cycleWorld, OPENED } from '#test/support/cycle-world.ts';

const DAY = 86_400_000;

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
