/**
 * Replies about actions, through the ingest pipeline on the local stack: an owner's EXTEND goes to
 * the chair, who approves (the due date moves and the ladder starts again) or refuses (the owner is
 * told why); a corrective action's DONE asks someone else for an effectiveness check, whose PASS
 * verifies it and whose FAIL reopens it. Careless and hostile replies get a clear answer and change
 * nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import { actionWorld, at, mailTo, oneMail, reply, type ActionWorld } from './support.ts';

let w: ActionWorld;
beforeEach(async () => {
  w = await actionWorld();
});

/**
 * The owner's first reminder of the MFA action: due on Sunday 24 January 2027, it waits for the
 * owner's business hours and goes on Monday 25 January, 09:00 London time.
 */
async function mfaReminder() {
  const mfaSteps = async () =>
    (await sweepActions(w.deps, 'acme')).sent.filter((s) => s.startsWith(`${w.mfa.id}:`));
  at(w, '2027-01-24');
  expect(await mfaSteps()).toEqual([]);
  at(w, '2027-01-25');
  expect(await mfaSteps()).toEqual([`${w.mfa.id}:remind-7d`]);
  return oneMail(w, 'ciso', 'Action due in 6 days', w.mfa.id);
}

describe('extension requests', () => {
  it('asks the chair; APPROVE moves the due date, tells the owner, and restarts the ladder', async () => {
    const reminder = await mfaReminder();
    const asked = await reply(w, 'ciso', reminder, 'EXTEND 2027-03-15 the hardware keys arrive in March');
    expect(asked).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'extend', dueDate: '2027-01-31' },
    });
    expect((await w.repo.getAction(w.mfa.id))!.extensionRequest).toMatchObject({
      dueDate: '2027-03-15',
      reason: 'the hardware keys arrive in March',
      by: 'ciso',
    });

    const request = await oneMail(w, 'ceo', `Extension requested for action ${w.mfa.id}`);
    expect(request.cc).toEqual([w.email('alice')]);
    expect(request.text).toContain('the hardware keys arrive in March');
    expect(request.text).toContain('APPROVE');

    // The owner cannot answer the chair's request; the chair cannot send DONE.
    expect(await reply(w, 'ciso', request, 'APPROVE')).toMatchObject({ outcome: 'held', answer: 'none' });
    const wrong = await reply(w, 'ceo', request, 'DONE keys ordered');
    expect(wrong).toMatchObject({ outcome: 'rejected' });
    expect(wrong.reason).toContain('DONE is not a command for this message');

    at(w, '2027-01-25');
    const approved = await reply(w, 'ceo', request, 'Approved. Please keep the ISMS manager posted.');
    expect(approved).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'approve', dueDate: '2027-03-15' },
    });
    const action = (await w.repo.getAction(w.mfa.id))!;
    expect(action).toMatchObject({ dueDate: '2027-03-15', extensionsGranted: 1, escalationLevel: 0 });
    expect(action.extensionRequest).toBeUndefined();
    expect(action.stepsSent).toBeUndefined();
    expect(action.history.at(-1)).toMatchObject({
      by: 'ceo',
      change: expect.stringContaining('extension approved: due date 2027-01-31 → 2027-03-15'),
      source: { channel: 'email' },
    });

    const answer = await oneMail(w, 'ciso', `Extension approved for action ${w.mfa.id}`);
    expect(answer.text).toContain('Monday 15 March 2027');
    expect(answer.text).toContain('Please keep the ISMS manager posted.');

    // The old ladder is gone: nothing on 1 or 11 February; the new one starts 7 days before 15 March.
    for (const day of ['2027-01-30', '2027-02-01', '2027-02-11']) {
      at(w, day);
      expect((await sweepActions(w.deps, 'acme')).sent.filter((s) => s.startsWith(w.mfa.id))).toEqual([]);
    }
    at(w, '2027-03-08');
    expect((await sweepActions(w.deps, 'acme')).sent).toContain(`${w.mfa.id}:remind-7d`);

    // A second answer finds nothing to decide and changes nothing.
    const again = await reply(w, 'ceo', request, 'REFUSE too late');
    expect(again.outcome).toBe('rejected');
    expect(again.reason).toContain('has no extension request waiting for an answer');
    expect((await w.repo.getAction(w.mfa.id))!.dueDate).toBe('2027-03-15');
  });

  it('REFUSE keeps the due date and tells the owner the reason', async () => {
    const reminder = await mfaReminder();
    await reply(w, 'ciso', reminder, 'EXTEND 2027-06-30 busy with the audit');
    const request = await oneMail(w, 'ceo', `Extension requested for action ${w.mfa.id}`);

    const noReason = await reply(w, 'ceo', request, 'REFUSE');
    expect(noReason).toMatchObject({ outcome: 'rejected' });
    expect(noReason.reason).toContain('REFUSE needs a reason');

    const refused = await reply(w, 'ceo', request, 'REFUSE MFA for admins cannot wait until summer.');
    expect(refused).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'refuse', dueDate: '2027-01-31' },
    });
    const action = (await w.repo.getAction(w.mfa.id))!;
    expect(action.dueDate).toBe('2027-01-31');
    expect(action.extensionRequest).toBeUndefined();
    expect(action.stepsSent).toHaveProperty('remind-7d');

    const answer = await oneMail(w, 'ciso', `Extension refused for action ${w.mfa.id}`);
    expect(answer.text).toContain('MFA for admins cannot wait until summer.');
    expect(answer.text).toContain('stays due on Sunday 31 January 2027');
    const decided = (await w.repo.listEvents(w.cycle.id)).find((e) => e.type === 'action.extension_decided');
    expect(decided).toMatchObject({
      actor: 'ceo',
      data: { decision: 'refused', requestedDueDate: '2027-06-30' },
    });
  });

  it('refuses careless EXTEND requests with what to write instead, changing nothing', async () => {
    const reminder = await mfaReminder();
    const before = await w.repo.getAction(w.mfa.id);
    const cases: [string, string][] = [
      ['EXTEND 2027-01-20 sooner', 'is not later than the current due date, 2027-01-31'],
      ['EXTEND next month', 'EXTEND needs the new due date as yyyy-mm-dd'],
      ['EXTEND 2027-02-30 typo', 'is not a date in the calendar'],
      ['EXTEND 2027-03-01', 'EXTEND needs a reason after the date'],
      ['APPROVE', 'APPROVE is not a command for this message'],
      ['Thanks, will do!', 'no command was found at the start of the reply'],
    ];
    for (const [body, message] of cases) {
      const result = await reply(w, 'ciso', reminder, body);
      expect(result.outcome, body).toBe('rejected');
      expect(result.reason, body).toContain(message);
    }
    expect(await w.repo.getAction(w.mfa.id)).toEqual(before);
    // A stranger's reply to the owner's address is held for the ISMS manager, and not answered.
    expect(await reply(w, 'auditor', reminder, 'DONE not mine')).toMatchObject({
      outcome: 'held',
      answer: 'none',
    });
    expect(await w.repo.getAction(w.mfa.id)).toEqual(before);
  });
});

describe('effectiveness checks of corrective actions', () => {
  /** The corrective action's overdue notice to its owner, the auditor. */
  async function overdueNotice() {
    at(w, '2026-12-16');
    await sweepActions(w.deps, 'acme');
    return oneMail(w, 'auditor', 'Overdue by 1 day', w.corrective.id);
  }

  it('DONE asks the ISMS manager to check; FAIL reopens the action; PASS after a new DONE verifies it', async () => {
    const notice = await overdueNotice();
    const body = 'DONE Both HR findings closed, see https://tickets.example.com/HR-101';
    const done = await reply(w, 'auditor', notice, body, '<done-1@mail.example.com>');
    expect(done).toMatchObject({ outcome: 'accepted', recorded: { command: 'done', status: 'done' } });
    // Delivered again (a retry): a duplicate that changes nothing and sends nothing more.
    const redelivered = await reply(w, 'auditor', notice, body, '<done-1@mail.example.com>');
    expect(redelivered).toMatchObject({ outcome: 'ignored', reason: 'duplicate' });
    // The ISMS manager confirms the closure on its evidence; the check starts then.
    const confirm = await oneMail(w, 'alice', 'Please confirm the closure of corrective action');
    expect(await reply(w, 'alice', confirm, 'CONFIRM')).toMatchObject({ outcome: 'accepted' });
    let action = (await w.repo.getAction(w.corrective.id))!;
    expect(action.effectivenessCheck).toEqual({ assigneeId: 'alice', dueDate: '2027-01-15' });

    const ask = await oneMail(
      w,
      'alice',
      'Effectiveness check needed by Friday 15 January 2027',
      w.corrective.id,
    );
    expect(ask.text).toContain('Both HR findings closed, see https://tickets.example.com/HR-101');
    expect(ask.text).toContain('PASS');

    // Only the checker answers the check; the owner cannot pass their own action.
    expect(await reply(w, 'auditor', ask, 'PASS all good')).toMatchObject({
      outcome: 'held',
      answer: 'none',
    });
    const bare = await reply(w, 'alice', ask, 'FAIL');
    expect(bare.reason).toContain('FAIL needs what you found');

    at(w, '2027-01-05');
    const failed = await reply(w, 'alice', ask, 'FAIL Sampled 5 leavers: 2 still had badge access.');
    expect(failed).toMatchObject({ outcome: 'accepted', recorded: { command: 'fail', status: 'open' } });
    action = (await w.repo.getAction(w.corrective.id))!;
    expect(action).toMatchObject({
      status: 'open',
      dueDate: '2027-02-04',
      escalationLevel: 0,
      effectivenessCheck: {
        assigneeId: 'alice',
        result: 'failed',
        note: 'Sampled 5 leavers: 2 still had badge access.',
      },
    });
    expect(action.closureEvidence).toBeUndefined();
    const reopened = await oneMail(
      w,
      'auditor',
      `Reopened after its effectiveness check: action ${w.corrective.id}`,
    );
    expect(reopened.text).toContain('Sampled 5 leavers: 2 still had badge access.');
    expect(reopened.text).toContain('Thursday 4 February 2027');

    // Reopened, it is followed up again on its new due date.
    at(w, '2027-01-28');
    expect((await sweepActions(w.deps, 'acme')).sent).toContain(`${w.corrective.id}:remind-7d`);

    const again = await reply(
      w,
      'auditor',
      reopened,
      'DONE Badge revocation now part of the leaver checklist: https://intranet.example.com/leavers',
    );
    expect(again).toMatchObject({ outcome: 'accepted', recorded: { status: 'done' } });
    const confirmAgain = (await mailTo(w, 'alice'))
      .filter((m) => m.subject.startsWith('Please confirm the closure'))
      .at(-1)!;
    expect(await reply(w, 'alice', confirmAgain, 'CONFIRM')).toMatchObject({ outcome: 'accepted' });
    const secondAsk = await oneMail(w, 'alice', 'Effectiveness check needed by Saturday 27 February 2027');
    const passed = await reply(
      w,
      'alice',
      secondAsk,
      'PASS Sampled 10 leavers: all badges revoked same day.',
    );
    expect(passed).toMatchObject({ outcome: 'accepted', recorded: { command: 'pass', status: 'verified' } });
    action = (await w.repo.getAction(w.corrective.id))!;
    expect(action.effectivenessCheck).toMatchObject({ result: 'passed', assigneeId: 'alice' });
    expect(action.history.map((h) => h.source?.channel ?? 'none')).toEqual([
      'none',
      'system',
      'email',
      'email',
      'email',
      'system',
      'email',
      'email',
      'email',
    ]);
    const checks = (await w.repo.listEvents(w.cycle.id)).filter(
      (e) => e.type === 'action.effectiveness_checked',
    );
    expect(checks.map((e) => [e.actor, e.data.result])).toEqual([
      ['alice', 'failed'],
      ['alice', 'passed'],
    ]);

    // Verified is final.
    const late = await reply(w, 'auditor', reopened, 'PROGRESS more to do');
    expect(late.reason).toContain('is already verified, which is final');
  });
});
