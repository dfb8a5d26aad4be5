/**
 * The follow-up ladder in accelerated time on the local stack: the sweep runs every day (twice on
 * some days, as a retried loop would) from December to mid-February, and every step of the ladder
 * reaches the right people exactly once, is recorded on the action and in the cycle's log, and the
 * top-management escalation says what is late, by how long, who owns it, what was decided and when,
 * and what management must decide.
 */
import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import { changeAction } from '#shared/actions/register.ts';
import { followUpActions } from '#shared/cycle/service.ts';
import type { CycleDeps, PackagePort } from '#shared/cycle/ports.ts';
import { actionWorld, at, mailTo, oneMail, type ActionWorld } from './support.ts';

let w: ActionWorld;
beforeEach(async () => {
  w = await actionWorld();
});

/** One sweep per day at 09:00 UTC from `from` to `to` (inclusive); a second one on every 5th day. */
async function sweepDaily(from: string, to: string): Promise<string[]> {
  const sent: string[] = [];
  for (let day = DateTime.fromISO(from); day <= DateTime.fromISO(to); day = day.plus({ days: 1 })) {
    at(w, day.toISODate()!);
    sent.push(...(await sweepActions(w.deps, 'acme')).sent);
    if (day.day % 5 === 0) sent.push(...(await sweepActions(w.deps, 'acme')).sent);
  }
  return sent;
}

/** The local weekday (1 Monday .. 7 Sunday) of an ISO instant in `zone`. */
const weekdayIn = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).weekday;

describe('the action follow-up ladder', () => {
  it('reminds, tells the owner, escalates to the ISMS manager and then top management, each once', async () => {
    const sent = await sweepDaily('2026-12-01', '2027-02-12');
    // The corrective action (auditor, Berlin; due Tuesday 15 December 2026): every rung. The two
    // escalations fall due on Saturdays (19 and 26 December) and wait for the Monday after.
    const c = w.corrective.id;
    expect(sent.filter((s) => s.startsWith(`${c}:`))).toEqual([
      `${c}:remind-7d`,
      `${c}:remind-1d`,
      `${c}:overdue-notice`,
      `${c}:escalate-manager`,
      `${c}:escalate-top`,
    ]);
    const correctiveEvents = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.data.actionId === c);
    expect(correctiveEvents.map((e) => [e.data.step, e.at.slice(0, 10)])).toEqual([
      ['remind-7d', '2026-12-08'],
      ['remind-1d', '2026-12-14'],
      ['overdue-notice', '2026-12-16'],
      ['escalate-manager', '2026-12-21'],
      ['escalate-top', '2026-12-28'],
    ]);
    // The MFA action (ciso, London) is due on Sunday 31 January 2027: its 7-day reminder falls due on
    // a Sunday and goes on Monday 25 January; its 1-day reminder falls due on Saturday 30 January, and
    // by the Monday the overdue notice has overtaken it, so it is dropped, never sent late.
    const mfa = w.mfa.id;
    expect(sent.filter((s) => s.startsWith(`${mfa}:`))).toEqual([
      `${mfa}:remind-7d`,
      `${mfa}:overdue-notice`,
      `${mfa}:escalate-manager`,
      `${mfa}:escalate-top`,
    ]);
    expect(new Set(sent).size).toBe(sent.length);
    // Nothing of the ladder goes out at the weekend, in the organisation's zone or the recipient's.
    const ladderEvents = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.data.step !== undefined);
    expect(ladderEvents).toHaveLength(9);
    for (const event of ladderEvents) {
      expect(weekdayIn(event.at, 'Europe/London')).toBeLessThanOrEqual(5);
      expect(weekdayIn(event.at, 'Europe/Berlin')).toBeLessThanOrEqual(5);
    }

    // The owner: the reminder and the overdue notice, each with a reply address for DONE etc.
    const owner = (await mailTo(w, 'ciso')).filter((m) => m.text?.includes(mfa));
    expect(owner.map((m) => m.subject)).toEqual([
      'Action due in 6 days (Sunday 31 January 2027): Enforce MFA for administrator accounts',
      `Overdue by 1 day: action ${mfa}, Enforce MFA for administrator accounts`,
      'Escalation: "Enforce MFA for administrator accounts" (owner Sam Secure) is 4 days overdue',
      'Escalation to top management: "Enforce MFA for administrator accounts" (owner Sam Secure) is 11 days overdue',
    ]);
    for (const mail of owner.slice(0, 2)) expect(mail.replyTo[0]).toMatch(/^review\+.+@reply\.example\.com$/);
    // The corrective action's owner had both reminders, the day before the due date the second.
    const auditor = (await mailTo(w, 'auditor')).filter((m) => m.text?.includes(c));
    expect(auditor.map((m) => m.subject).slice(0, 2)).toEqual([
      'Action due in 7 days (Tuesday 15 December 2026): Close the two HR audit findings',
      'Action due tomorrow (Tuesday 15 December 2026): Close the two HR audit findings',
    ]);

    // The ISMS manager after the grace period (the owner copied).
    const manager = await oneMail(
      w,
      'alice',
      'Escalation: "Enforce MFA for administrator accounts" (owner Sam Secure) is 4 days overdue',
      mfa,
    );
    expect(manager.to).toEqual([w.email('alice')]);
    expect(manager.cc).toEqual([w.email('ciso')]);
    expect(manager.text).toContain('Without a change, the action goes to top management next.');

    // Top management: the chair and the owner's executive; the ISMS manager and owner copied.
    const top = await oneMail(w, 'ceo', 'Escalation to top management: "Enforce MFA', mfa);
    expect(top.to.sort()).toEqual([w.email('ceo'), w.email('cto')].sort());
    expect(top.cc.sort()).toEqual([w.email('alice'), w.email('ciso')].sort());
    const text = top.text ?? '';
    expect(text).toContain(`${mfa}: Enforce MFA for administrator accounts`); // what is late
    expect(text).toContain('OVERDUE 11 days'); // by how long
    expect(text).toContain('Sam Secure'); // who owns it
    expect(text).toContain('31 January 2027'); // when it was due
    expect(text).toContain(
      'D1 (Improvements to processes and controls): Roll out phishing-resistant MFA to all administrators.',
    ); // what was decided
    expect(text).toContain('29 October 2026'); // and when
    expect(text).toMatch(/Owner told: .*1 February 2027/); // the rungs before
    expect(text).toMatch(/ISMS manager told: .*4 February 2027/);
    expect(text).not.toContain('Last update'); // the owner never answered
    expect(text).toContain('Confirm a new due date'); // what management is asked to do
    expect(text).toContain('Reassign');
    expect(text).toContain('Accept the risk');
    expect(text).toContain('ACCEPT RISK <why the risk is accepted>'); // and how to answer by reply
    expect(top.replyTo[0]).toMatch(/^review\+.+@reply\.example\.com$/);

    // Recorded on the action and in the cycle's log, with recipients.
    const action = (await w.repo.getAction(mfa))!;
    expect(action.escalationLevel).toBe(3);
    expect(Object.keys(action.stepsSent ?? {}).sort()).toEqual([
      'escalate-manager',
      'escalate-top',
      'overdue-notice',
      'remind-7d',
    ]);
    const events = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.data.actionId === mfa);
    expect(events.map((e) => [e.type, e.data.step])).toEqual([
      ['action.reminder_sent', 'remind-7d'],
      ['action.overdue_notice_sent', 'overdue-notice'],
      ['action.escalated', 'escalate-manager'],
      ['action.escalated', 'escalate-top'],
    ]);
    expect(events.at(-1)!.data).toMatchObject({ recipients: ['ceo', 'cto'], daysOverdue: 11, level: 3 });
  });

  it('after missed sweeps sends the overdue rungs, never a stale reminder, and nothing twice', async () => {
    // The first sweep in weeks runs on Sunday 10 January: every rung of the corrective action (due
    // 15 December) is due, and all wait for their recipients' business hours on the Monday.
    at(w, '2027-01-10');
    const c = w.corrective.id;
    const sunday = await sweepActions(w.deps, 'acme');
    expect(sunday.sent).toEqual([]);
    // The overdue notice goes to the auditor, in Berlin, where the window opens at 08:00 UTC.
    expect(sunday.nextStepAt).toBe('2027-01-11T08:00:00.000Z');
    expect(await mailTo(w, 'auditor')).toEqual([]);

    // Monday 09:00 in Berlin (08:00 in London): the auditor is told; the escalations, to the ISMS
    // manager and the chair in London, wait for 09:00 London time.
    w.clock.set(new Date('2027-01-11T08:00:00.000Z'));
    const berlin = await sweepActions(w.deps, 'acme');
    expect(berlin.sent).toEqual([`${c}:overdue-notice`]);
    expect(berlin.nextStepAt).toBe('2027-01-11T09:00:00.000Z');
    w.clock.set(new Date('2027-01-11T09:00:00.000Z'));
    const london = await sweepActions(w.deps, 'acme');
    expect(london.sent).toEqual([`${c}:escalate-manager`, `${c}:escalate-top`]);
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    const action = (await w.repo.getAction(c))!;
    expect(Object.keys(action.stepsSent ?? {}).sort()).toEqual([
      'escalate-manager',
      'escalate-top',
      'overdue-notice',
    ]);
    const outbox = (await w.outboxStore.listSent(w.cycle.id)).map((m) => m.key);
    expect(outbox.filter((k) => k.startsWith(`action:${c}:`)).sort()).toEqual([
      `action:${c}:2026-12-15:escalate-manager`,
      `action:${c}:2026-12-15:escalate-top`,
      `action:${c}:2026-12-15:overdue-notice`,
    ]);
  });

  it('asks again, once, for an effectiveness check past its due date', async () => {
    at(w, '2026-12-16');
    await changeAction(
      { repo: w.repo, clock: w.clock, notifier: w.notifier },
      {
        actionId: w.corrective.id,
        by: 'auditor',
        source: { channel: 'cli' },
        command: { kind: 'done', evidence: 'HR-101 closed: https://tickets.example.com/HR-101' },
      },
    );
    await changeAction(
      { repo: w.repo, clock: w.clock, notifier: w.notifier },
      { actionId: w.corrective.id, by: 'alice', source: { channel: 'cli' }, command: { kind: 'confirm' } },
    );
    const c = w.corrective.id;
    const sent = await sweepDaily('2027-01-14', '2027-01-20');
    expect(sent.filter((s) => s.startsWith(`${c}:`))).toEqual([`${c}:check-overdue`]);
    // Overdue from Saturday 16 January: asked again on the Monday, inside business hours.
    const asked = (await w.repo.listEvents(w.cycle.id)).filter(
      (e) => e.type === 'action.check_reminder_sent',
    );
    expect(asked.map((e) => e.at)).toEqual(['2027-01-18T09:00:00.000Z']);
    const reminder = await oneMail(
      w,
      'alice',
      'Overdue since Friday 15 January 2027: effectiveness check',
      c,
    );
    expect(reminder.text).toContain('has no answer yet');
    expect(reminder.replyTo[0]).toMatch(/^review\+/);
    const action = (await w.repo.getAction(c))!;
    expect(action.stepsSent).toHaveProperty('check-overdue');
    expect(action.status).toBe('done');
  });

  it("is the cycle's follow-up loop: it stays open while an action needs follow-up", async () => {
    const deps = { ...w.deps, packages: undefined as unknown as PackagePort } satisfies CycleDeps;
    at(w, '2027-01-24');
    const result = await followUpActions(deps, w.cycle.id);
    expect(result).toMatchObject({ allClosed: false, open: 2 });
    expect(Date.parse(result.nextCheckAt)).toBeLessThanOrEqual(Date.parse('2027-01-25T09:00:00.000Z'));
  });
});
