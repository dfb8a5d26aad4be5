/**
 * Overdue actions climb their owner's reporting line, in memory, on programme.example.yaml: the
 * ISMS manager (Alice Morgan) reports to the CTO (Łukasz Dvořák), who reports to the CEO (Daniel
 * Okafor), the chair. The fixtures' minutes are taken with the MFA action given to the CTO (due 31
 * January 2027) and the corrective action to the CEO (due 15 December 2026).
 */
import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import type { Action } from '#shared/model/action.ts';
import { CycleMail } from '#shared/notify/envelope.ts';
import { cycleWithMinutes } from './support.ts';
import { memoryWorld, type MemoryWorld, type RecordedMail } from '#test/support/memory-world.ts';
import { NOW, VALID_MINUTES, withLine } from '#test/unit/minutes/support.ts';

const PROGRAMME = 'example-ltd';

let w: MemoryWorld;
let cycleId: string;
let ctoAction: Action;
let ceoAction: Action;

beforeEach(async () => {
  w = await memoryWorld({ openedAt: NOW, open: false });
  let minutes = withLine('person: CTO@example.com', 'person: Lukasz.Dvorak@example.com', VALID_MINUTES);
  minutes = withLine('owner: ciso', 'owner: cto', minutes);
  minutes = withLine('owner: auditor@example.com', 'owner: ceo', minutes);
  let actions: Action[];
  ({ cycleId, actions } = await cycleWithMinutes(w, PROGRAMME, minutes));
  ctoAction = actions.find((a) => a.ownerId === 'cto')!;
  ceoAction = actions.find((a) => a.ownerId === 'ceo')!;
});

/** One sweep per day at 09:00 UTC from `from` to `to`, a second one every fifth day (a retried loop). */
async function sweepDaily(from: string, to: string): Promise<string[]> {
  const sent: string[] = [];
  for (let day = DateTime.fromISO(from); day <= DateTime.fromISO(to); day = day.plus({ days: 1 })) {
    w.clock.set(new Date(`${day.toISODate()}T09:00:00.000Z`));
    sent.push(...(await sweepActions(w.deps, PROGRAMME)).sent);
    if (day.day % 5 === 0) sent.push(...(await sweepActions(w.deps, PROGRAMME)).sent);
  }
  return sent;
}

const about = (mails: RecordedMail[], action: Action) => mails.filter((m) => m.text.includes(action.id));
const eventsOf = async (action: Action) =>
  (await w.repo.listEvents(cycleId)).filter((e) => e.data.actionId === action.id);

/** Every address on the message once, To and Cc together. */
function expectEachAddressOnce(mail: RecordedMail) {
  const all = [...mail.to, ...mail.cc];
  expect(new Set(all).size, mail.subject).toBe(all.length);
}

describe('an overdue action owned by the CTO', () => {
  it('is escalated to the CEO, twice over, never to the ISMS manager who reports to the CTO', async () => {
    const sent = await sweepDaily('2027-01-20', '2027-02-12');
    // Due Sunday 31 January: the day-before reminder (Saturday) waits for Monday 09:00 and is then
    // overtaken by the overdue notice.
    expect(sent.filter((s) => s.startsWith(`${ctoAction.id}:`))).toEqual(
      ['remind-7d', 'overdue-notice', 'escalate-manager', 'escalate-top'].map((s) => `${ctoAction.id}:${s}`),
    );
    // The ISMS manager hears nothing of it: not addressed, not copied.
    expect(about(w.mailsTo('alice'), ctoAction)).toEqual([]);

    const first = w.oneMail('ceo', '(owner Łukasz Dvořák) is 4 days overdue', ctoAction.id);
    expect(first.to).toEqual([w.person('ceo').email]);
    expect(first.cc).toEqual([w.person('cto').email]);
    expect(first.text).toContain("You receive this escalation because you are Łukasz Dvořák's executive.");
    expect(first.text).toContain(
      'The ISMS manager, Alice Morgan, reports to Łukasz Dvořák, so the escalation goes above Łukasz Dvořák instead.',
    );
    // The CEO is top management, so may decide at once, by reply.
    expect(first.text).toContain('RESCHEDULE <new due date yyyy-mm-dd> <reason>');
    expect(first.replyTo[0]).toMatch(/^review\+.+@reply\.example\.com$/);

    const top = w.oneMail('ceo', '(owner Łukasz Dvořák) is 11 days overdue', ctoAction.id);
    // The chair and the owner's executive are one person: addressed once.
    expect(top.to).toEqual([w.person('ceo').email]);
    expect(top.cc).toEqual([w.person('cto').email]);
    expect(top.text).toContain(
      "You receive this escalation because you are the chair of top management and Łukasz Dvořák's executive.",
    );
    expect(top.text).toContain('Copied to Łukasz Dvořák (the owner of the action).');
    expect(top.text).toMatch(/Daniel Okafor told: .*4 February 2027/);
    expect(top.text).not.toContain('ISMS manager told');
    for (const mail of about(w.mailer.sent, ctoAction)) expectEachAddressOnce(mail);

    const escalated = (await eventsOf(ctoAction)).filter((e) => e.type === 'action.escalated');
    expect(escalated.map((e) => [e.data.step, e.data.recipients, e.data.copied])).toEqual([
      ['escalate-manager', ['ceo'], ['cto']],
      ['escalate-top', ['ceo'], ['cto']],
    ]);
    expect((await w.repo.getAction(ctoAction.id))!.history.at(-1)!.change).toBe('escalate-top sent to ceo');
    expect(verifyChain(await w.repo.listEvents(cycleId)).ok).toBe(true);
  });

  it('the CEO decides from the first escalation by reply, and the ladder starts again for the new date', async () => {
    await sweepDaily('2027-01-20', '2027-02-05');
    const first = w.oneMail('ceo', '(owner Łukasz Dvořák) is 4 days overdue', ctoAction.id);
    // Someone outside top management (the ISMS manager) cannot give the decision: held, not recorded.
    expect(
      await w.deliver(w.replyTo(first, 'alice', 'RESCHEDULE 2027-03-31 keys arrive in March')),
    ).toMatchObject({ outcome: 'held' });
    const result = await w.deliver(
      w.replyTo(first, 'ceo', 'RESCHEDULE 2027-03-31 the hardware keys arrive in March'),
    );
    expect(result).toMatchObject({ outcome: 'accepted', recorded: { command: 'reschedule' } });
    expect(await w.repo.getAction(ctoAction.id)).toMatchObject({ dueDate: '2027-03-31', escalationLevel: 0 });
    const later = await sweepDaily('2027-02-06', '2027-02-20');
    expect(later.filter((s) => s.startsWith(`${ctoAction.id}:`))).toEqual([]);
  });
});

describe('an overdue action owned by the CEO, who chairs top management', () => {
  it('reaches the end of the ladder with nobody to escalate to: recorded with the reason, sent to no one', async () => {
    // Monday 11 January (the Sunday before, the owner's notice would wait for business hours).
    w.clock.set(new Date('2027-01-11T09:00:00.000Z'));
    const first = await sweepActions(w.deps, PROGRAMME);
    // Only the owner's own notice goes out; the escalations have no one above the CEO to go to.
    expect(first.sent.filter((s) => s.startsWith(`${ceoAction.id}:`))).toEqual([
      `${ceoAction.id}:overdue-notice`,
    ]);
    expect((await sweepActions(w.deps, PROGRAMME)).sent).toEqual([]);

    const mails = about(w.mailer.sent, ceoAction);
    expect(mails.map((m) => [m.subject.split(':')[0], m.to, m.cc])).toEqual([
      ['Overdue by 27 days', [w.person('ceo').email], []],
    ]);
    const events = await eventsOf(ceoAction);
    expect(events.map((e) => [e.type, e.data.step])).toEqual([
      ['action.overdue_notice_sent', 'overdue-notice'],
      ['action.escalation_not_sent', 'escalate-manager'],
      ['action.escalation_not_sent', 'escalate-top'],
    ]);
    expect(events.at(-1)!.data.reason).toContain('Nobody in the review programme stands above Daniel Okafor');
    const action = (await w.repo.getAction(ceoAction.id))!;
    expect(Object.keys(action.stepsSent ?? {}).sort()).toEqual([
      'escalate-manager',
      'escalate-top',
      'overdue-notice',
    ]);
    expect(action.history.at(-1)!.change).toBe('escalate-top not sent: nobody stands above the owner');
  });
});

describe('the envelope every message shares', () => {
  it('never repeats an address on To and Cc, whatever its case', async () => {
    const mail = new CycleMail({
      outbox: w.outbox,
      repo: w.repo,
      clock: w.clock,
      replyKey: w.replyKey,
      loadPackage: () => Promise.reject(new Error('no package in this test')),
    });
    const ceo = w.person('ceo');
    const cto = w.person('cto');
    await mail.send({
      cycle: (await w.repo.getCycle(cycleId))!,
      programme: w.programme,
      key: 'test:addresses-once',
      purpose: 'action',
      to: [ceo, { ...ceo, email: ceo.email.toUpperCase() }],
      cc: [cto, { ...cto, email: cto.email.toUpperCase() }, ceo],
      build: async () => ({ subject: 'Addresses once', text: 'x', html: '<p>x</p>' }),
    });
    const sent = w.mailer.sent.at(-1)!;
    expect(sent.subject).toBe('Addresses once');
    expect(sent.to).toEqual([ceo.email]);
    expect(sent.cc).toEqual([cto.email]);
  });
});
