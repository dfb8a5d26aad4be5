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

describe('the action follow-up ladder', () => {
  it('reminds, tells the owner, escalates to the ISMS manager and then top management, each once', async () => {
    const sent = await sweepDaily('2026-12-01', '2027-02-12');
    const mfa = w.mfa.id;
    expect(sent.filter((s) => s.startsWith(`${mfa}:`))).toEqual([
      `${mfa}:remind-7d`,
      `${mfa}:remind-1d`,
      `${mfa}:overdue-notice`,
      `${mfa}:escalate-manager`,
      `${mfa}:escalate-top`,
    ]);
    expect(new Set(sent).size).toBe(sent.length);

    // The owner: two reminders and the overdue notice, each with a reply address for DONE etc.
    const owner = (await mailTo(w, 'ciso')).filter((m) => m.text?.includes(mfa));
    expect(owner.map((m) => m.subject)).toEqual([
      'Action due in 7 days (Sunday 31 January 2027): Enforce MFA for administrator accounts',
      'Action due tomorrow (Sunday 31 January 2027): Enforce MFA for administrator accounts',
      `Overdue by 1 day: action ${mfa}, Enforce MFA for administrator accounts`,
      'Escalation: 1 overdue action (4 days late)',
      'Escalation to top management: 1 overdue action (11 days late)',
    ]);
    for (const mail of owner.slice(0, 3)) expect(mail.replyTo[0]).toMatch(/^review\+.+@reply\.example\.com$/);

    // The ISMS manager after the grace period (the owner copied).
    const manager = await oneMail(w, 'alice', 'Escalation: 1 overdue action (4 days late)', mfa);
    expect(manager.to).toEqual([w.email('alice')]);
    expect(manager.cc).toEqual([w.email('ciso')]);
    expect(manager.text).toContain('Without a change, the action goes to top management next.');

    // Top management: the chair and the owner's executive; the ISMS manager and owner copied.
    const top = await oneMail(w, 'ceo', 'Escalation to top management: 1 overdue action (11 days late)', mfa);
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
      'remind-1d',
      'remind-7d',
    ]);
    const events = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.data.actionId === mfa);
    expect(events.map((e) => [e.type, e.data.step])).toEqual([
      ['action.reminder_sent', 'remind-7d'],
      ['action.reminder_sent', 'remind-1d'],
      ['action.overdue_notice_sent', 'overdue-notice'],
      ['action.escalated', 'escalate-manager'],
      ['action.escalated', 'escalate-top'],
    ]);
    expect(events.at(-1)!.data).toMatchObject({ recipients: ['ceo', 'cto'], daysOverdue: 11, level: 3 });
  });

  it('after missed sweeps sends the overdue rungs, never a stale reminder, and nothing twice', async () => {
    at(w, '2027-01-10');
    const first = await sweepActions(w.deps, 'acme');
    // The corrective action (due 15 December) is 26 days late at the first sweep: every rung is due.
    const c = w.corrective.id;
    expect(first.sent).toEqual([`${c}:overdue-notice`, `${c}:escalate-manager`, `${c}:escalate-top`]);
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
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
        command: { kind: 'done', evidence: 'HR-101 closed' },
      },
    );
    const c = w.corrective.id;
    const sent = await sweepDaily('2027-01-14', '2027-01-20');
    expect(sent.filter((s) => s.startsWith(`${c}:`))).toEqual([`${c}:check-overdue`]);
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
