/**
 * Top management decides on an escalated action by replying to the escalation, through the ingest
 * pipeline on the local stack: a new due date (the ladder starts again), a new owner (who is told
 * and followed up from then on), or the risk accepted (the action closes). Only members of top
 * management may decide; careless decisions get a clear answer and change nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import { actionWorld, at, oneMail, reply, type ActionWorld } from './support.ts';

let w: ActionWorld;
beforeEach(async () => {
  w = await actionWorld();
});

/** Runs the ladder of the MFA action (due 31 January 2027) up to top management; its email. */
async function escalatedToTop() {
  for (const day of ['2027-01-24', '2027-01-30', '2027-02-01', '2027-02-04', '2027-02-11']) {
    at(w, day);
    await sweepActions(w.deps, 'acme');
  }
  return oneMail(w, 'ceo', 'Escalation to top management', w.mfa.id);
}

const mfaSteps = async (day: string) => {
  at(w, day);
  return (await sweepActions(w.deps, 'acme')).sent.filter((s) => s.startsWith(w.mfa.id));
};

describe("top management's decision on an escalated action", () => {
  it('refuses careless and unauthorised decisions with what to write instead, changing nothing', async () => {
    const escalation = await escalatedToTop();
    expect(escalation.replyTo[0]).toMatch(/^review\+.+@reply\.example\.com$/);
    expect(escalation.text).toContain('RESCHEDULE <new due date yyyy-mm-dd> <reason>');
    expect(escalation.text).toContain(
      "REASSIGN <new owner's id or email> <new due date yyyy-mm-dd> <reason>",
    );
    expect(escalation.text).toContain('ACCEPT RISK <why the risk is accepted>');
    const before = await w.repo.getAction(w.mfa.id);

    // Neither the owner nor the ISMS manager decides for top management.
    for (const sender of ['ciso', 'alice']) {
      const result = await reply(w, sender, escalation, 'RESCHEDULE 2027-03-31 give me more time');
      // Held for the ISMS manager, never answered: they may not answer this request.
      expect(result.outcome, sender).toBe('held');
      expect(result.reason, sender).toContain(
        'is neither them nor a delegate registered in the review programme',
      );
    }
    const cases: [string, string][] = [
      ['RESCHEDULE 2027-02-10 sooner', '2027-02-10 is not in the future (today is 2027-02-11)'],
      ['RESCHEDULE next quarter', 'RESCHEDULE needs the new due date as yyyy-mm-dd'],
      ['RESCHEDULE 2027-02-31 typo', 'is not a date in the calendar'],
      ['RESCHEDULE 2027-03-31', 'RESCHEDULE needs a reason after the date'],
      ['REASSIGN 2027-03-31 someone', 'REASSIGN needs the new owner first'],
      ['REASSIGN bbo@example.com 2027-03-31 Bob runs it', 'is not a person in the programme'],
      ['REASSIGN ciso 2027-03-31 again', 'already owns action'],
      ['REASSIGN alice she has time', 'was due on 2027-01-31'],
      ['REASSIGN alice 2027-03-31', 'REASSIGN needs a reason after the date'],
      ['ACCEPT it', 'ACCEPT must be followed by RISK and the reason'],
      ['ACCEPT RISK', 'ACCEPT RISK needs the reason the risk is accepted'],
      ['DONE keys ordered', 'DONE is not a command for this message'],
      ['APPROVE', 'APPROVE is not a command for this message'],
      ['Let us discuss this on Monday.', 'no command was found at the start of the reply'],
    ];
    for (const [body, message] of cases) {
      const result = await reply(w, 'ceo', escalation, body);
      expect(result.outcome, body).toBe('rejected');
      expect(result.reason, body).toContain(message);
    }
    expect(await w.repo.getAction(w.mfa.id)).toEqual(before);
  });

  it('RESCHEDULE from the chair sets the new date, tells the owner, and restarts the ladder', async () => {
    const escalation = await escalatedToTop();
    const decided = await reply(
      w,
      'ceo',
      escalation,
      'Dear all,\n\nRESCHEDULE 2027-03-31 the hardware keys arrived late; the board wants it done by quarter end',
    );
    expect(decided).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'reschedule', dueDate: '2027-03-31', status: 'open' },
    });
    const action = (await w.repo.getAction(w.mfa.id))!;
    expect(action).toMatchObject({ dueDate: '2027-03-31', escalationLevel: 0, ownerId: 'ciso' });
    expect(action.stepsSent).toBeUndefined();
    expect(action.history.at(-1)).toMatchObject({
      by: 'ceo',
      change: expect.stringContaining('due date 2027-01-31 → 2027-03-31 set by top management'),
      source: { channel: 'email' },
    });
    const event = (await w.repo.listEvents(w.cycle.id)).find((e) => e.type === 'action.rescheduled');
    expect(event).toMatchObject({
      actor: 'ceo',
      data: { actionId: w.mfa.id, previousDueDate: '2027-01-31', dueDate: '2027-03-31', decidedBy: 'ceo' },
    });

    const told = await oneMail(w, 'ciso', `New due date for action ${w.mfa.id}`);
    expect(told.cc).toEqual([w.email('alice')]);
    expect(told.text).toContain('Carol Chief, for top management');
    expect(told.text).toContain('Wednesday 31 March 2027');
    expect(told.text).toContain('the board wants it done by quarter end');
    expect(told.replyTo[0]).toMatch(/^review\+/); // the owner answers DONE / PROGRESS to it

    // The old ladder is over; the new one starts a week before 31 March.
    expect(await mfaSteps('2027-02-18')).toEqual([]);
    expect(await mfaSteps('2027-03-24')).toEqual([`${w.mfa.id}:remind-7d`]);
  });

  it("REASSIGN from the owner's executive gives the action a new owner, who is followed up from then on", async () => {
    const escalation = await escalatedToTop();
    const decided = await reply(
      w,
      'cto',
      escalation,
      `REASSIGN ${w.email('alice')} 2027-03-15 Alice takes it over while Sam is on leave`,
    );
    expect(decided).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'reassign', dueDate: '2027-03-15' },
    });
    const action = (await w.repo.getAction(w.mfa.id))!;
    expect(action).toMatchObject({ ownerId: 'alice', dueDate: '2027-03-15', escalationLevel: 0 });
    expect(action.history.at(-1)?.change).toContain('owner ciso → alice, due date 2027-01-31 → 2027-03-15');
    expect((await w.repo.listEvents(w.cycle.id)).find((e) => e.type === 'action.reassigned')).toMatchObject({
      actor: 'cto',
      data: { previousOwnerId: 'ciso', ownerId: 'alice', decidedBy: 'cto' },
    });

    const told = await oneMail(w, 'alice', `Action ${w.mfa.id} is now yours`);
    expect(told.to).toEqual([w.email('alice')]);
    expect(told.cc).toEqual([w.email('ciso')]); // the previous owner; the ISMS manager is the new owner
    expect(told.text).toContain('moves from Sam Secure to Alice');

    expect(await mfaSteps('2027-03-08')).toEqual([`${w.mfa.id}:remind-7d`]);
    await oneMail(w, 'alice', 'Action due in 7 days (Monday 15 March 2027)', w.mfa.id);
  });

  it('ACCEPT RISK closes the action with the decision on record, and nothing more is sent', async () => {
    const escalation = await escalatedToTop();
    const decided = await reply(
      w,
      'ceo',
      escalation,
      'ACCEPT RISK: the legacy admin accounts are retired in Q2 and monitored until then',
    );
    expect(decided).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'accept-risk', status: 'cancelled' },
    });
    const action = (await w.repo.getAction(w.mfa.id))!;
    expect(action.status).toBe('cancelled');
    expect(action.cancelReason).toBe(
      'risk accepted by top management (Carol Chief): the legacy admin accounts are retired in Q2 and monitored until then',
    );
    expect(
      (await w.repo.listEvents(w.cycle.id)).find((e) => e.type === 'action.risk_accepted'),
    ).toMatchObject({
      actor: 'ceo',
      data: { to: 'cancelled', decidedBy: 'ceo' },
    });
    const told = await oneMail(w, 'ciso', `Action ${w.mfa.id} closed: top management accepted the risk`);
    expect(told.text).toContain('nothing more is asked of you');
    expect(told.replyTo).toEqual([]);

    expect(await mfaSteps('2027-02-20')).toEqual([]);
    // Past the closed action's grace period (shared/ingest/token-expiry.ts) its addresses have expired.
    const late = await reply(w, 'ceo', escalation, 'RESCHEDULE 2027-04-30 on second thoughts');
    expect(late.outcome).toBe('rejected');
    expect(late.reason).toMatch(/the reply address you wrote to expired on 2027-02-\d\d/);
  });
});
