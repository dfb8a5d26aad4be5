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

    await checkInputs(deps, cycleId);
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    await checkInputs(deps, cycleId);

    const sent = (await outboxStore.listSent(cycleId)).map((m) => m.key);
    expect(sent.filter((key) => key === 'input:auditor:reminder-1')).toHaveLength(1);
    // The other owners' reminders of the same step went out as usual, once each.
    expect(sent.filter((key) => /^input:[^:]+:reminder-1$/.test(key)).length).toBe(5);
    const auditorRequests = (await repo.listInputRequests(cycleId)).filter((r) => r.ownerId === 'auditor');
    expect(auditorRequests.length).toBeGreaterThan(0);
    for (const request of auditorRequests) expect(request.remindersSent).toBe(1);
    const reminderEvents = (await repo.listEvents(cycleId)).filter(
      (e) => e.type === 'input.reminder_sent' && e.data.ownerId === 'auditor',
    );
    expect(reminderEvents).toHaveLength(auditorRequests.length);
  });
});
