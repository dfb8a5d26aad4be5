/**
 * Minutes that do not arrive: the workflow's tick runs checkMinutes (twice a day here, as a retried
 * tick would), and the ISMS manager is reminded every two days, then the chair is copied, then the
 * reminders go on weekly, each sent once and recorded in the cycle's log, until the minutes arrive.
 */
import { describe, expect, it } from 'vitest';
import {
  checkInputs,
  checkMinutes,
  compilePackage,
  distributePackage,
  minutesReminderDue,
  requestMinutes,
} from '#shared/cycle/service.ts';
import { approvePackage, cycleWorld, MEETING } from '#test/support/cycle-world.ts';

const DAY = 86_400_000;

describe('minutes reminders', () => {
  it('are due every two days, then weekly once the chair is copied', () => {
    const due = Array.from({ length: 35 }, (_, day) => minutesReminderDue(day));
    const firstDays = [1, 2, 3, 4, 5, 6, 7].map((n) => due.indexOf(n));
    expect(firstDays).toEqual([2, 4, 6, 13, 20, 27, 34]);
    expect(minutesReminderDue(-1)).toBe(0);
    expect(minutesReminderDue(1.99)).toBe(0);
  });

  it('remind the ISMS manager, then copy the chair, then go on weekly, each once', async () => {
    const w = await cycleWorld('minutes-reminders');
    const cycle = (await w.repo.getCycle(w.cycleId))!;
    w.clock.set(new Date(Date.parse(cycle.inputsDueAt) + 60_000));
    expect((await checkInputs(w.deps, w.cycleId)).proceed).toBe(true); // nobody answered
    await compilePackage(w.deps, w.cycleId);
    w.clock.set(new Date((await w.repo.getCycle(w.cycleId))!.packageSendAt));
    await approvePackage(w);
    await distributePackage(w.deps, w.cycleId);
    w.clock.set(new Date(Date.parse(MEETING) + 3 * 3_600_000));
    await requestMinutes(w.deps, w.cycleId);

    for (let day = 0; day <= 30; day += 1) {
      for (const hour of [10, 18]) {
        w.clock.set(new Date(Date.parse(MEETING) + day * DAY + (hour - 9) * 3_600_000));
        expect(await checkMinutes(w.deps, w.cycleId)).toMatchObject({ accepted: false });
      }
    }
    const sent = (await w.outboxStore.listSent(w.cycleId)).filter((m) => m.purpose === 'minutes');
    expect(sent.map((m) => m.key)).toEqual([
      'minutes-request',
      'minutes:reminder-1',
      'minutes:reminder-2',
      'minutes:reminder-3',
      'minutes:reminder-4',
      'minutes:reminder-5',
      'minutes:reminder-6',
    ]);
    const manager = w.programme.people.find((p) => p.id === w.programme.roles.ismsManager)!.email;
    const chair = w.programme.people.find((p) => p.id === w.programme.roles.topManagement.chair)!.email;
    expect(sent.slice(0, 3).every((m) => !m.recipients.includes(chair.toLowerCase()))).toBe(true);
    for (const m of sent.slice(3))
      expect(m.recipients).toEqual([chair, manager].map((a) => a.toLowerCase()).sort());
    const events = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type.startsWith('minutes.'));
    expect(events.map((e) => [e.type, e.data.reminder, e.at.slice(0, 10)])).toEqual([
      ['minutes.reminder_sent', 1, '2027-03-31'],
      ['minutes.reminder_sent', 2, '2027-04-02'],
      // Due on Sundays: each goes out on the Monday, inside the ISMS manager's business hours.
      ['minutes.escalated', 3, '2027-04-05'],
      ['minutes.escalated', 4, '2027-04-12'],
      ['minutes.escalated', 5, '2027-04-19'],
      ['minutes.escalated', 6, '2027-04-26'],
    ]);
  }, 60_000);
});
