/**
 * The action register in memory, on the actions the fixtures' minutes decide (test/unit/minutes/
 * support.ts: D1's MFA action for the CISO, due 31 January 2027; a corrective action for the
 * auditor, due 15 December 2026): owners answer the reminders with DONE, PROGRESS or EXTEND, the
 * ISMS manager checks a corrective action's DONE, the chair decides an extension, and the follow-up
 * ladder reminds, tells the owner, then escalates as the clock passes the due dates, each step once.
 */
import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import { ActionNotFound, changeAction, InvalidActionChange } from '#shared/actions/register.ts';
import { followUpActions } from '#shared/cycle/service.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import type { Action } from '#shared/model/action.ts';
import { cycleWithMinutes } from './support.ts';
import { memoryWorld, type MemoryWorld, type RecordedMail } from '#test/support/memory-world.ts';
import { NOW, theProgramme } from '#test/unit/minutes/support.ts';

let w: MemoryWorld;
let cycleId: string;
let mfa: Action;
let corrective: Action;

beforeEach(async () => {
  w = await memoryWorld({ programme: theProgramme(), openedAt: NOW, open: false });
  let actions: Action[];
  ({ cycleId, actions } = await cycleWithMinutes(w, 'acme'));
  mfa = actions.find((a) => a.ownerId === 'ciso')!;
  corrective = actions.find((a) => a.corrective)!;
});

/** Sets the clock to 09:00 UTC of `date`. */
const at = (date: string) => w.clock.set(new Date(`${date}T09:00:00.000Z`));

/** One sweep per day at 09:00 UTC from `from` to `to`, a second one every fifth day (a retried loop). */
async function sweepDaily(from: string, to: string): Promise<string[]> {
  const sent: string[] = [];
  for (let day = DateTime.fromISO(from); day <= DateTime.fromISO(to); day = day.plus({ days: 1 })) {
    at(day.toISODate()!);
    sent.push(...(await sweepActions(w.deps, 'acme')).sent);
    if (day.day % 5 === 0) sent.push(...(await sweepActions(w.deps, 'acme')).sent);
  }
  return sent;
}

const reply = (mail: RecordedMail, personId: string, body: string, messageId?: string) =>
  w.deliver(w.replyTo(mail, personId, body, messageId ? { messageId } : {}));

const actionEvents = async (actionId: string) =>
  (await w.repo.listEvents(cycleId)).filter((e) => e.data.actionId === actionId);

describe('changes the register refuses', () => {
  it('an unknown action, a change without what it needs, a stranger, a reply without a command', async () => {
    await expect(
      changeAction(w.deps, {
        actionId: 'A-20990101T0000Z-Q-001',
        by: 'alice',
        source: { channel: 'cli' },
        command: { kind: 'progress', note: 'x' },
      }),
    ).rejects.toBeInstanceOf(ActionNotFound);
    await expect(
      changeAction(w.deps, {
        actionId: mfa.id,
        by: 'ciso',
        source: { channel: 'cli' },
        command: { kind: 'verify', note: 'ok' },
      }),
    ).rejects.toBeInstanceOf(InvalidActionChange);

    // The 7-day reminder falls on Sunday 24 January and goes out on Monday morning.
    at('2027-01-24');
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    at('2027-01-25');
    await sweepActions(w.deps, 'acme');
    const reminder = w.oneMail('ciso', 'Action due in 6 days', mfa.id);
    const before = await w.repo.getAction(mfa.id);
    const events = await w.repo.listEvents(cycleId);
    for (const [body, reason] of [
      ['DONE', 'DONE needs evidence'],
      ['EXTEND 2027-01-20 sooner', 'is not later than the current due date, 2027-01-31'],
      ['APPROVE', 'APPROVE is not a command for this message'],
      ['Thanks, will do!', 'no command was found at the start of the reply'],
    ] as const) {
      const result = await reply(reminder, 'ciso', body);
      expect(result.outcome, body).toBe('rejected');
      expect(result.reason, body).toContain(reason);
      expect(w.mailer.sent.at(-1)!.subject, body).toMatch(/^Not recorded/);
    }
    // Someone else writing to the owner's address is held for the ISMS manager, and told nothing.
    const sent = w.mailer.sent.length;
    expect(await reply(reminder, 'auditor', 'DONE not mine')).toMatchObject({
      outcome: 'held',
      answer: 'none',
    });
    expect(w.mailer.sent).toHaveLength(sent);
    expect(await w.repo.getAction(mfa.id)).toEqual(before);
    const now = await w.repo.listEvents(cycleId);
    expect(now.slice(0, events.length)).toEqual(events);
    expect(now.slice(events.length).map((e) => e.type)).toEqual(Array(4).fill('mail.received'));
  });
});

describe("owners' replies", () => {
  it('PROGRESS moves the action on, recorded with who, what and the message it came in', async () => {
    // The 7-day reminder falls on Sunday 24 January and goes out on Monday morning.
    at('2027-01-24');
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    at('2027-01-25');
    await sweepActions(w.deps, 'acme');
    const reminder = w.oneMail('ciso', 'Action due in 6 days', mfa.id);
    const result = await reply(
      reminder,
      'ciso',
      'PROGRESS 8 of 12 keys issued',
      '<progress-1@mail.example.net>',
    );
    expect(result).toMatchObject({ outcome: 'accepted', answer: 'sent' });

    const action = (await w.repo.getAction(mfa.id))!;
    expect(action).toMatchObject({ status: 'in_progress', version: mfa.version + 2 });
    expect(action.history.at(-1)).toMatchObject({
      by: 'ciso',
      change: 'progress: 8 of 12 keys issued (by email)',
      source: { channel: 'email', messageId: '<progress-1@mail.example.net>' },
    });
    const events = await actionEvents(mfa.id);
    expect(events.map((e) => e.type)).toEqual(['action.reminder_sent', 'action.updated']);
    expect(events.at(-1)).toMatchObject({
      actor: 'ciso',
      sourceMessageId: '<progress-1@mail.example.net>',
      data: { from: 'open', to: 'in_progress', source: 'email' },
    });
    expect(w.mailer.sent.at(-1)!.subject).toMatch(/^Recorded: progress on action/);
  });

  it('DONE of a corrective action asks the ISMS manager to check it; FAIL reopens it, PASS verifies it', async () => {
    at('2026-12-16');
    await sweepActions(w.deps, 'acme');
    const notice = w.oneMail('auditor', 'Overdue by 1 day', corrective.id);
    const body = 'DONE Both HR findings closed, see https://tickets.example.com/HR-101';
    expect(await reply(notice, 'auditor', body, '<done-1@mail.example.net>')).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'done', status: 'done' },
    });
    expect(await reply(notice, 'auditor', body, '<done-1@mail.example.net>')).toMatchObject({
      outcome: 'ignored',
      reason: 'duplicate',
    });
    // The ISMS manager confirms the closure on its evidence; the check starts then.
    const confirm = w.oneMail('alice', `Please confirm the closure of corrective action ${corrective.id}`);
    expect(await reply(confirm, 'alice', 'CONFIRM')).toMatchObject({ outcome: 'accepted' });
    expect((await w.repo.getAction(corrective.id))!.effectivenessCheck).toEqual({
      assigneeId: 'alice',
      dueDate: '2027-01-15',
    });
    const ask = w.oneMail('alice', 'Effectiveness check needed by Friday 15 January 2027', corrective.id);
    expect(ask.text).toContain('Both HR findings closed, see https://tickets.example.com/HR-101');
    // The owner cannot pass their own action.
    expect(await reply(ask, 'auditor', 'PASS all good')).toMatchObject({ outcome: 'held', answer: 'none' });

    at('2027-01-05');
    expect(await reply(ask, 'alice', 'FAIL Sampled 5 leavers: 2 still had badge access.')).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'fail', status: 'open' },
    });
    expect(await w.repo.getAction(corrective.id)).toMatchObject({
      status: 'open',
      dueDate: '2027-02-04',
      escalationLevel: 0,
      effectivenessCheck: { result: 'failed', note: 'Sampled 5 leavers: 2 still had badge access.' },
    });
    const reopened = w.oneMail('auditor', `Reopened after its effectiveness check: action ${corrective.id}`);
    expect(reopened.text).toContain('Thursday 4 February 2027');

    expect(
      await reply(
        reopened,
        'auditor',
        'DONE Badge revocation is now on the leaver checklist: https://intranet.example.com/leavers',
      ),
    ).toMatchObject({
      recorded: { status: 'done' },
    });
    const confirmAgain = w
      .mailsTo('alice')
      .filter((m) => m.subject.startsWith('Please confirm the closure'))
      .at(-1)!;
    expect(await reply(confirmAgain, 'alice', 'CONFIRM')).toMatchObject({ outcome: 'accepted' });
    // Thirty days after the second DONE.
    const secondAsk = w.oneMail('alice', 'Effectiveness check needed by Thursday 4 February 2027');
    expect(await reply(secondAsk, 'alice', 'PASS Sampled 10 leavers: all badges revoked.')).toMatchObject({
      recorded: { command: 'pass', status: 'verified' },
    });
    expect(await w.repo.getAction(corrective.id)).toMatchObject({
      status: 'verified',
      effectivenessCheck: { result: 'passed', assigneeId: 'alice' },
    });
    const checks = (await actionEvents(corrective.id)).filter(
      (e) => e.type === 'action.effectiveness_checked',
    );
    expect(checks.map((e) => [e.actor, e.data.result])).toEqual([
      ['alice', 'failed'],
      ['alice', 'passed'],
    ]);
    // Verified is final, and the action leaves the follow-up.
    expect((await reply(reopened, 'auditor', 'PROGRESS more to do')).reason).toContain('is already verified');
    expect((await w.repo.listActionsNeedingFollowUp('acme')).map((a) => a.id)).toEqual([mfa.id]);
    expect(verifyChain(await w.repo.listEvents(cycleId)).ok).toBe(true);
  });

  it("DONE of another action is verified by the ISMS manager's note", async () => {
    await changeAction(w.deps, {
      actionId: mfa.id,
      by: 'ciso',
      source: { channel: 'cli' },
      command: {
        kind: 'done',
        evidence: 'All 12 administrators use hardware keys: https://idp.example.com/report/mfa',
      },
    });
    const { action } = await changeAction(w.deps, {
      actionId: mfa.id,
      by: 'alice',
      source: { channel: 'cli' },
      command: { kind: 'verify', note: 'Checked the IdP report: 12 of 12 enrolled.' },
    });
    expect(action).toMatchObject({ status: 'verified', closureEvidence: { by: 'ciso' } });
    expect((await actionEvents(mfa.id)).map((e) => [e.type, e.actor, e.data.to])).toEqual([
      ['action.updated', 'ciso', 'done'],
      ['action.updated', 'alice', 'verified'],
    ]);
  });

  it('EXTEND asks the chair; APPROVE moves the due date, tells the owner, and starts the ladder again', async () => {
    // The 7-day reminder falls on Sunday 24 January and goes out on Monday morning.
    at('2027-01-24');
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    at('2027-01-25');
    await sweepActions(w.deps, 'acme');
    const reminder = w.oneMail('ciso', 'Action due in 6 days', mfa.id);
    expect(
      await reply(reminder, 'ciso', 'EXTEND 2027-03-15 the hardware keys arrive in March'),
    ).toMatchObject({ outcome: 'accepted', recorded: { command: 'extend', dueDate: '2027-01-31' } });
    const request = w.oneMail('ceo', `Extension requested for action ${mfa.id}`);
    expect(request.cc).toEqual([w.person('alice').email]);
    expect(request.text).toContain('the hardware keys arrive in March');

    at('2027-01-25');
    expect(await reply(request, 'ceo', 'APPROVE keep the ISMS manager posted')).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'approve', dueDate: '2027-03-15' },
    });
    const action = (await w.repo.getAction(mfa.id))!;
    expect(action).toMatchObject({ dueDate: '2027-03-15', extensionsGranted: 1, escalationLevel: 0 });
    expect(action.extensionRequest).toBeUndefined();
    expect(action.stepsSent).toBeUndefined();
    expect(w.oneMail('ciso', `Extension approved for action ${mfa.id}`).text).toContain(
      'Monday 15 March 2027',
    );

    // The old ladder is gone; the new one starts seven days before 15 March.
    const sent = await sweepDaily('2027-01-26', '2027-03-08');
    expect(sent.filter((s) => s.startsWith(mfa.id))).toEqual([`${mfa.id}:remind-7d`]);
  });
});

describe('the follow-up ladder', () => {
  it('reminds, tells the owner, escalates to the ISMS manager and then top management, each once', async () => {
    const sent = await sweepDaily('2026-12-01', '2027-02-12');
    // Due Sunday 31 January: the day-before reminder falls on Saturday, waits for Monday 09:00 UK
    // time, and by then the overdue notice has overtaken it (a stale reminder is never sent).
    expect(sent.filter((s) => s.startsWith(`${mfa.id}:`))).toEqual(
      ['remind-7d', 'overdue-notice', 'escalate-manager', 'escalate-top'].map((s) => `${mfa.id}:${s}`),
    );
    expect(new Set(sent).size).toBe(sent.length);

    const owner = w.mailsTo('ciso').filter((m) => m.text.includes(mfa.id));
    expect(owner.map((m) => m.subject)).toEqual([
      // The 7-day reminder fell on Sunday 24 January and went out on Monday 25: 6 days left.
      'Action due in 6 days (Sunday 31 January 2027): Enforce MFA for administrator accounts',
      `Overdue by 1 day: action ${mfa.id}, Enforce MFA for administrator accounts`,
      'Escalation: "Enforce MFA for administrator accounts" (owner Sam Secure) is 4 days overdue',
      'Escalation to top management: "Enforce MFA for administrator accounts" (owner Sam Secure) is 11 days overdue',
    ]);
    for (const mail of owner.slice(0, 2)) expect(mail.replyTo[0]).toMatch(/^review\+.+@reply\.example\.com$/);
    const manager = w.oneMail('alice', 'Escalation: "Enforce MFA', mfa.id);
    expect(manager.to).toEqual([w.person('alice').email]);
    expect(manager.cc).toEqual([w.person('ciso').email]);
    const top = w.oneMail('ceo', 'Escalation to top management: "Enforce MFA', mfa.id);
    expect([...top.to].sort()).toEqual([w.person('ceo').email, w.person('cto').email].sort());
    expect([...top.cc].sort()).toEqual([w.person('alice').email, w.person('ciso').email].sort());
    expect(top.text).toContain('ACCEPT RISK <why the risk is accepted>');

    const action = (await w.repo.getAction(mfa.id))!;
    expect(action.escalationLevel).toBe(3);
    const events = await actionEvents(mfa.id);
    expect(events.map((e) => [e.type, e.data.step])).toEqual([
      ['action.reminder_sent', 'remind-7d'],
      ['action.overdue_notice_sent', 'overdue-notice'],
      ['action.escalated', 'escalate-manager'],
      ['action.escalated', 'escalate-top'],
    ]);
    expect(events.at(-1)!.data).toMatchObject({ recipients: ['ceo', 'cto'], daysOverdue: 11, level: 3 });
    expect(verifyChain(await w.repo.listEvents(cycleId)).ok).toBe(true);

    // The cycle's loop stays open while its actions need following up.
    expect(await followUpActions(w.deps, cycleId)).toMatchObject({ allClosed: false, open: 2 });
  });

  it('after missed sweeps sends the overdue rungs, never a stale reminder, and nothing twice', async () => {
    // Sunday 10 January: the overdue rungs wait for Monday morning in each recipient's zone; the
    // first is the notice to the owner, in Berlin (09:00 CET is 08:00 UTC).
    at('2027-01-10');
    const sunday = await sweepActions(w.deps, 'acme');
    expect(sunday.sent).toEqual([]);
    expect(sunday.nextStepAt).toBe('2027-01-11T08:00:00.000Z');
    at('2027-01-11');
    const first = await sweepActions(w.deps, 'acme');
    const c = corrective.id;
    expect(first.sent).toEqual([`${c}:overdue-notice`, `${c}:escalate-manager`, `${c}:escalate-top`]);
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    const keys = (await w.outbox.listSent(cycleId))
      .map((m) => m.key)
      .filter((k) => k.startsWith(`action:${c}:`));
    expect(keys.sort()).toEqual([
      `action:${c}:2026-12-15:escalate-manager`,
      `action:${c}:2026-12-15:escalate-top`,
      `action:${c}:2026-12-15:overdue-notice`,
    ]);
  });
});
