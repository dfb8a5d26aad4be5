/**
 * A change that moves an action's due date or owner and tells the owner so, in a notice naming the
 * due date, is the reminder for every reminder of the new ladder already due at that moment
 * (shared/actions/action-change.ts CoveredReminders): they are recorded as sent with the change, the
 * event and the history say so, and the sweep right after sends no second message; later
 * reminders, the overdue notice and escalations still go.
 *
 * In memory, on the fixtures' minutes (test/unit/minutes/support.ts): the MFA action for the CISO,
 * due 31 January 2027, and a corrective action for the auditor (Berlin), due 15 December 2026; the
 * programme is valid-minimal.yaml (Europe/London, reminders 7 and 1 days before) unless a test
 * changes it.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { actionDueAt, nextFollowUpAt, sweepActions } from '#shared/actions/follow-up.ts';
import { changeAction, InvalidActionChange, type ActionCommand } from '#shared/actions/register.ts';
import type { Action } from '#shared/model/action.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { cycleWithMinutes } from './support.ts';
import { memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import { NOW, theProgramme } from '#test/unit/minutes/support.ts';

const LINK = 'https://tickets.example.com/HR-101';

interface World {
  readonly w: MemoryWorld;
  readonly cycleId: string;
  readonly mfa: Action;
  readonly corrective: Action;
}

/** The fixtures' cycle and actions on valid-minimal.yaml, `edit`ed; the corrective action cancelled unless `keepCorrective`. */
async function world(
  edit: (programme: Programme) => Programme = (p) => p,
  { keepCorrective = false } = {},
): Promise<World> {
  const w = await memoryWorld({ programme: edit(theProgramme()), openedAt: NOW, open: false });
  const { cycleId, actions } = await cycleWithMinutes(w, 'acme');
  const mfa = actions.find((a) => a.ownerId === 'ciso')!;
  const corrective = actions.find((a) => a.corrective)!;
  // The corrective action, long overdue by January, would fill the sweeps with its own escalations.
  if (!keepCorrective) await change(w, corrective, 'alice', { kind: 'cancel', reason: 'merged into A-2' });
  return { w, cycleId, mfa, corrective };
}

const withReminders = (days: number[], timeZone?: string) => (programme: Programme) => ({
  ...programme,
  organisation: { ...programme.organisation, ...(timeZone ? { timeZone } : {}) },
  escalation: { ...programme.escalation, actionReminderDaysBeforeDue: days },
});

function change(
  w: MemoryWorld,
  action: Action,
  by: string,
  command: ActionCommand,
  deps: Parameters<typeof changeAction>[0] = w.deps,
) {
  return changeAction(deps, { actionId: action.id, by, source: { channel: 'cli' }, command });
}

const at = (w: MemoryWorld, iso: string) => w.clock.set(new Date(iso));

/** One sweep per day at 09:00 UTC from `from` to `to`; what went, as `<step>@<date>`, for `action`. */
async function sweepDaily(w: MemoryWorld, action: Action, from: string, to: string): Promise<string[]> {
  const sent: string[] = [];
  for (let day = DateTime.fromISO(from); day <= DateTime.fromISO(to); day = day.plus({ days: 1 })) {
    at(w, `${day.toISODate()}T09:00:00.000Z`);
    for (const s of (await sweepActions(w.deps, 'acme')).sent) {
      if (s.startsWith(`${action.id}:`)) sent.push(`${s.slice(action.id.length + 1)}@${day.toISODate()}`);
    }
  }
  return sent;
}

async function lastEvent(w: MemoryWorld, cycleId: string, action: Action) {
  return (await w.repo.listEvents(cycleId)).filter((e) => e.data.actionId === action.id).at(-1)!;
}

const REMINDER = /^Action due/;

describe('a change that does not go through covers nothing', () => {
  it('a RESCHEDULE to a date not in the future, or by someone outside top management, changes nothing', async () => {
    const { w, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const before = await w.repo.getAction(mfa.id);
    await expect(
      change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-05', reason: 'now' }),
    ).rejects.toThrow(InvalidActionChange);
    await expect(
      change(w, mfa, 'ciso', { kind: 'reschedule', until: '2027-01-12', reason: 'mine' }),
    ).rejects.toThrow(/not a member of it/);
    expect(await w.repo.getAction(mfa.id)).toEqual(before);
  });

  it('recorded without a notifier, no notice goes: nothing is covered and the sweep reminds', async () => {
    const { w, cycleId, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const { notifier: _none, ...silent } = w.deps;
    const { action } = await change(
      w,
      mfa,
      'ceo',
      { kind: 'reschedule', until: '2027-01-12', reason: 'keys arrive next week' },
      silent,
    );
    expect(action.stepsSent).toBeUndefined();
    expect((await lastEvent(w, cycleId, mfa)).data.remindersCovered).toBeUndefined();
    expect(action.history.at(-1)!.change).not.toContain('stands for');
    expect(w.mailsTo('ciso')).toEqual([]);
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([`${mfa.id}:remind-7d`]);
  });
});

describe('RESCHEDULE', () => {
  it('to 7 days out: the notice is the 7-day reminder; the sweep right after sends nothing; the 1-day one goes on its day', async () => {
    const { w, cycleId, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reschedule',
      until: '2027-01-12',
      reason: 'the keys arrive next week',
    });
    expect(action.stepsSent).toEqual({ 'remind-7d': '2027-01-05T10:00:00.000Z' });
    expect(action.history.at(-1)!.change).toBe(
      'due date 2027-01-31 → 2027-01-12 set by top management: the keys arrive next week; ' +
        'the notice to the owner stands for the 7-day reminder, which is not sent separately (on the command line)',
    );
    expect(await lastEvent(w, cycleId, mfa)).toMatchObject({
      type: 'action.rescheduled',
      data: { dueDate: '2027-01-12', remindersCovered: ['remind-7d'] },
    });
    // The owner's one message: the notice, naming the new date.
    const mails = w.mailsTo('ciso');
    expect(mails.map((m) => m.subject)).toEqual([
      `New due date for action ${mfa.id}: Tuesday 12 January 2027, set by top management`,
    ]);
    // It says so: no separate reminder is coming now.
    expect(mails[0]!.text.replace(/\s+/g, ' ')).toContain(
      'This message is your 7-day reminder for the new date; later reminders come as usual.',
    );
    expect(mails[0]!.text).not.toContain('Reminders start again');

    const right = await sweepActions(w.deps, 'acme');
    expect(right.sent).toEqual([]);
    // The wake-up time skips the covered reminder: the 1-day one, Monday 11 January at 09:00 London.
    expect(right.nextStepAt).toBe('2027-01-11T09:00:00.000Z');
    expect(actionDueAt(w.programme, (await w.repo.getAction(mfa.id))!, w.clock.now())).toEqual(
      new Date('2027-01-11T09:00:00.000Z'),
    );
    expect(await nextFollowUpAt(w.deps, 'acme')).toEqual(new Date('2027-01-11T09:00:00.000Z'));

    expect(await sweepDaily(w, mfa, '2027-01-05', '2027-01-13')).toEqual([
      'remind-1d@2027-01-11',
      'overdue-notice@2027-01-13',
    ]);
    expect(
      w
        .mailsTo('ciso')
        .filter((m) => REMINDER.test(m.subject))
        .map((m) => m.subject),
    ).toEqual(['Action due tomorrow (Tuesday 12 January 2027): Enforce MFA for administrator accounts']);
  });

  it('to the next day: the notice stands for both reminders; only the overdue notice follows', async () => {
    const { w, cycleId, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reschedule',
      until: '2027-01-06',
      reason: 'the auditors come on Thursday',
    });
    expect(action.stepsSent).toEqual({
      'remind-7d': '2027-01-05T10:00:00.000Z',
      'remind-1d': '2027-01-05T10:00:00.000Z',
    });
    expect(action.history.at(-1)!.change).toContain(
      '; the notice to the owner stands for the 7-day and 1-day reminders, which are not sent separately',
    );
    expect((await lastEvent(w, cycleId, mfa)).data.remindersCovered).toEqual(['remind-7d', 'remind-1d']);
    expect(w.mailsTo('ciso')[0]!.text.replace(/\s+/g, ' ')).toContain(
      'This message is your 7-day and 1-day reminder for the new date',
    );
    expect(await sweepDaily(w, mfa, '2027-01-05', '2027-01-07')).toEqual(['overdue-notice@2027-01-07']);
    expect(w.mailsTo('ciso').filter((m) => REMINDER.test(m.subject))).toEqual([]);
  });

  it('far out: nothing is covered, and the 7-day reminder goes on its day', async () => {
    const { w, cycleId, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reschedule',
      until: '2027-01-20',
      reason: 'after the holidays',
    });
    expect(action.stepsSent).toBeUndefined();
    expect(action.history.at(-1)!.change).not.toContain('stands for');
    expect((await lastEvent(w, cycleId, mfa)).data).not.toHaveProperty('remindersCovered');
    expect(w.mailsTo('ciso')[0]!.text.replace(/\s+/g, ' ')).toContain(
      'Reminders start again for the new date.',
    );
    expect(await sweepDaily(w, mfa, '2027-01-05', '2027-01-13')).toEqual(['remind-7d@2027-01-13']);
  });
});

describe('REASSIGN', () => {
  it('with a date 7 days out: the new owner is told, and that notice is their 7-day reminder', async () => {
    const { w, cycleId, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reassign',
      to: 'cto',
      until: '2027-01-12',
      reason: 'the CTO owns the identity platform',
    });
    expect(action).toMatchObject({ ownerId: 'cto', stepsSent: { 'remind-7d': '2027-01-05T10:00:00.000Z' } });
    expect(action.history.at(-1)!.change).toContain(
      'decided by top management: the CTO owns the identity platform; the notice to the owner stands for the 7-day reminder',
    );
    expect(await lastEvent(w, cycleId, mfa)).toMatchObject({
      type: 'action.reassigned',
      data: { ownerId: 'cto', remindersCovered: ['remind-7d'] },
    });
    const handedOver = w.oneMail('cto', `Action ${mfa.id} is now yours`);
    expect(handedOver.to).toEqual([w.person('cto').email]);
    expect(handedOver.text.replace(/\s+/g, ' ')).toContain(
      'This message is your 7-day reminder for the new date',
    );
    expect(await sweepDaily(w, mfa, '2027-01-05', '2027-01-11')).toEqual(['remind-1d@2027-01-11']);
    expect(w.mailsTo('cto').filter((m) => REMINDER.test(m.subject))).toHaveLength(1);
  });

  it('keeping the date, once its 7-day reminder went to the old owner: the new owner’s notice stands for it', async () => {
    const { w, cycleId, mfa } = await world();
    // Due Sunday 31 January: the 7-day reminder falls on Sunday 24th and goes to the CISO on Monday.
    expect(await sweepDaily(w, mfa, '2027-01-24', '2027-01-25')).toEqual(['remind-7d@2027-01-25']);
    at(w, '2027-01-26T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reassign',
      to: 'cto',
      reason: 'the CTO owns the identity platform',
    });
    expect(action).toMatchObject({
      dueDate: '2027-01-31',
      stepsSent: { 'remind-7d': '2027-01-26T10:00:00.000Z' },
    });
    expect((await lastEvent(w, cycleId, mfa)).data.remindersCovered).toEqual(['remind-7d']);
    w.oneMail('cto', `Action ${mfa.id} is now yours`);
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    // The day-before reminder falls on Saturday 30th; by Monday the overdue notice has overtaken it.
    expect(await sweepDaily(w, mfa, '2027-01-26', '2027-02-01')).toEqual(['overdue-notice@2027-02-01']);
  });
});

describe('an approved extension', () => {
  it('to 7 days out: the chair’s answer to the owner is the 7-day reminder', async () => {
    const { w, cycleId, corrective } = await world(undefined, { keepCorrective: true });
    // Due Tuesday 15 December: the 7-day reminder goes to the auditor on the 8th.
    expect(await sweepDaily(w, corrective, '2026-12-08', '2026-12-08')).toEqual(['remind-7d@2026-12-08']);
    at(w, '2026-12-10T10:00:00Z');
    await change(w, corrective, 'auditor', {
      kind: 'extend',
      until: '2026-12-17',
      reason: 'HR is short-staffed',
    });
    // The request changes no date and covers nothing.
    expect(Object.keys((await w.repo.getAction(corrective.id))!.stepsSent ?? {})).toEqual(['remind-7d']);
    const { action } = await change(w, corrective, 'ceo', { kind: 'approve', comment: 'no later' });
    expect(action).toMatchObject({
      dueDate: '2026-12-17',
      stepsSent: { 'remind-7d': '2026-12-10T10:00:00.000Z' },
    });
    expect(action.history.at(-1)!.change).toBe(
      'extension approved: due date 2026-12-15 → 2026-12-17: no later; ' +
        'the notice to the owner stands for the 7-day reminder, which is not sent separately (on the command line)',
    );
    expect(await lastEvent(w, cycleId, corrective)).toMatchObject({
      type: 'action.extension_decided',
      data: { decision: 'approved', remindersCovered: ['remind-7d'] },
    });
    const approved = w.oneMail('auditor', `Extension approved for action ${corrective.id}`);
    expect(approved.text.replace(/\s+/g, ' ')).toContain(
      'This message is your 7-day reminder for the new date',
    );
    expect(await sweepDaily(w, corrective, '2026-12-10', '2026-12-16')).toEqual(['remind-1d@2026-12-16']);
  });

  it('a refusal keeps the date and the ladder as they were: it covers nothing', async () => {
    const { w, cycleId, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    await change(w, mfa, 'ciso', { kind: 'extend', until: '2027-03-01', reason: 'one key is late' });
    const { action } = await change(w, mfa, 'ceo', { kind: 'refuse', reason: 'the audit is in February' });
    expect(action.stepsSent).toBeUndefined();
    expect((await lastEvent(w, cycleId, mfa)).data).not.toHaveProperty('remindersCovered');
  });
});

describe('a failed effectiveness check', () => {
  it('reopens with a date 30 days out: the notice stands for a 30-day reminder, not for the later ones', async () => {
    const { w, cycleId, corrective } = await world(withReminders([30, 7]), { keepCorrective: true });
    at(w, '2026-12-01T10:00:00Z');
    await change(w, corrective, 'auditor', { kind: 'done', evidence: `HR findings closed: ${LINK}` });
    await change(w, corrective, 'alice', { kind: 'confirm' });
    at(w, '2026-12-03T10:00:00Z');
    const { action } = await change(w, corrective, 'alice', {
      kind: 'check',
      passed: false,
      note: 'Two leavers still had badges',
    });
    expect(action).toMatchObject({
      status: 'open',
      dueDate: '2027-01-02',
      stepsSent: { 'remind-30d': '2026-12-03T10:00:00.000Z' },
    });
    expect(action.history.at(-1)!.change).toContain(
      '; due date 2026-12-15 → 2027-01-02; the notice to the owner stands for the 30-day reminder',
    );
    expect(await lastEvent(w, cycleId, corrective)).toMatchObject({
      type: 'action.effectiveness_checked',
      data: { result: 'failed', remindersCovered: ['remind-30d'] },
    });
    w.oneMail('auditor', `Reopened after its effectiveness check: action ${corrective.id}`);
    // 26 December, the 7-day reminder's day, is a Saturday: it goes on Monday 28th, 09:00 in Berlin.
    const sent = (await sweepDaily(w, corrective, '2026-12-03', '2026-12-28')).filter(
      (s) => !s.startsWith('check'),
    );
    expect(sent).toEqual(['remind-7d@2026-12-28']);
  });

  it('with the default reminders: 30 days out covers nothing', async () => {
    const { w, corrective } = await world(undefined, { keepCorrective: true });
    at(w, '2026-12-01T10:00:00Z');
    await change(w, corrective, 'auditor', { kind: 'done', evidence: `HR findings closed: ${LINK}` });
    await change(w, corrective, 'alice', { kind: 'confirm' });
    const { action } = await change(w, corrective, 'alice', { kind: 'check', passed: false, note: 'no' });
    expect(action.stepsSent).toBeUndefined();
    expect(action.history.at(-1)!.change).not.toContain('stands for');
  });
});

describe('a closure not confirmed', () => {
  it('back in progress, same date: the notice stands for the reminder that fell due while it waited', async () => {
    const { w, cycleId, corrective } = await world(undefined, { keepCorrective: true });
    at(w, '2026-12-01T10:00:00Z');
    await change(w, corrective, 'auditor', { kind: 'done', evidence: `HR findings closed: ${LINK}` });
    // Tuesday 8 December, the 7-day reminder's day, passes while the closure waits for the ISMS manager.
    // (Only the ISMS manager is reminded to confirm it, on the 7th.)
    expect(await sweepDaily(w, corrective, '2026-12-01', '2026-12-08')).toEqual([
      'confirm-overdue@2026-12-07',
    ]);
    at(w, '2026-12-09T10:00:00Z');
    const { action } = await change(w, corrective, 'alice', {
      kind: 'reopen',
      note: 'the ticket is still open; attach the closed one',
    });
    expect(action).toMatchObject({
      status: 'in_progress',
      dueDate: '2026-12-15',
      stepsSent: { 'remind-7d': '2026-12-09T10:00:00.000Z' },
    });
    expect(await lastEvent(w, cycleId, corrective)).toMatchObject({
      type: 'action.reopened',
      data: { remindersCovered: ['remind-7d'] },
    });
    expect(w.oneMail('auditor', `Not closed yet: action ${corrective.id}`).text).toContain(
      'still due on Tuesday 15 December 2026',
    );
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    expect(await sweepDaily(w, corrective, '2026-12-09', '2026-12-14')).toEqual(['remind-1d@2026-12-14']);
  });
});

describe("the programme's reminder days and time zone", () => {
  it('no reminders at all: nothing to cover, nothing sent before the overdue notice', async () => {
    const { w, mfa } = await world(withReminders([]));
    at(w, '2027-01-05T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reschedule',
      until: '2027-01-06',
      reason: 'soon',
    });
    expect(action.stepsSent).toBeUndefined();
    expect(await sweepDaily(w, mfa, '2027-01-05', '2027-01-07')).toEqual(['overdue-notice@2027-01-07']);
  });

  it('14, 7 and 1 days: 10 days out covers the 14-day one; 7 days out covers 14 and 7', async () => {
    const { w, cycleId, mfa } = await world(withReminders([14, 7, 1]));
    at(w, '2027-01-05T10:00:00Z');
    const first = await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-15', reason: 'later' });
    expect(Object.keys(first.action.stepsSent ?? {})).toEqual(['remind-14d']);
    const second = await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-12', reason: 'sooner' });
    // The ladder starts again for the new date: its own 14- and 7-day reminders.
    expect(Object.keys(second.action.stepsSent ?? {})).toEqual(['remind-14d', 'remind-7d']);
    expect(second.action.history.at(-1)!.change).toContain(
      'stands for the 14-day and 7-day reminders, which are not sent separately',
    );
    expect((await lastEvent(w, cycleId, mfa)).data.remindersCovered).toEqual(['remind-14d', 'remind-7d']);
    expect(await sweepDaily(w, mfa, '2027-01-05', '2027-01-11')).toEqual(['remind-1d@2027-01-11']);
  });

  it('Pacific/Auckland: a change just before local midnight covers nothing, just after covers the 7-day reminder', async () => {
    const { w, mfa } = await world(withReminders([7, 1], 'Pacific/Auckland'));
    // Due 12 January: its 7-day reminder's day, 5 January, starts at 11:00 UTC on 4 January (NZDT).
    at(w, '2027-01-04T10:59:00Z');
    const before = await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-12', reason: 'a' });
    expect(before.action.stepsSent).toBeUndefined();
    await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-20', reason: 'b' });
    at(w, '2027-01-04T11:00:00Z');
    const after = await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-12', reason: 'c' });
    expect(after.action.stepsSent).toEqual({ 'remind-7d': '2027-01-04T11:00:00.000Z' });
  });

  it('America/Los_Angeles: the UTC date is no guide; the local day is', async () => {
    const { w, mfa } = await world(withReminders([7, 1], 'America/Los_Angeles'));
    // 5 January starts at 08:00 UTC in Los Angeles (PST): at 07:59 UTC it is still the 4th there.
    at(w, '2027-01-05T07:59:00Z');
    const before = await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-12', reason: 'a' });
    expect(before.action.stepsSent).toBeUndefined();
    await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-20', reason: 'b' });
    at(w, '2027-01-05T08:00:00Z');
    const after = await change(w, mfa, 'ceo', { kind: 'reschedule', until: '2027-01-12', reason: 'c' });
    expect(after.action.stepsSent).toEqual({ 'remind-7d': '2027-01-05T08:00:00.000Z' });
  });
});

describe('a change by email whose notice could not be sent', () => {
  /** w's notifier, with its management-decision notice failing `times` times first (the mail service down). */
  function noticeDown(w: MemoryWorld, times: number): Parameters<typeof changeAction>[0] {
    const notifier = w.deps.notifier!;
    let failures = times;
    return {
      ...w.deps,
      notifier: {
        ...notifier,
        managementDecision: async (args) => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('SES: service unavailable');
          }
          return notifier.managementDecision(args);
        },
      },
    };
  }
  const byEmail = (
    w: MemoryWorld,
    deps: Parameters<typeof changeAction>[0],
    action: Action,
    messageId: string,
  ) =>
    changeAction(deps, {
      actionId: action.id,
      by: 'ceo',
      source: { channel: 'email', messageId },
      command: { kind: 'reschedule', until: '2027-01-12', reason: 'the keys arrive next week' },
    });

  it('sends the notice when the same email comes again, exactly once, and the reminder it stands for stays covered', async () => {
    const { w, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const deps = noticeDown(w, 1);
    // Stored, then the notice fails: the email is delivered again later (the receipt is retried).
    await expect(byEmail(w, deps, mfa, '<decide-1@mail.example.com>')).rejects.toThrow(/service unavailable/);
    const stored = (await w.repo.getAction(mfa.id))!;
    expect(stored.dueDate).toBe('2027-01-12');
    expect(stored.stepsSent).toEqual({ 'remind-7d': '2027-01-05T10:00:00.000Z' });
    expect(stored.history.at(-1)!.followOn).toEqual({
      kind: 'management-decision',
      decision: 'reschedule',
      reason: 'the keys arrive next week',
      decidedBy: 'ceo',
      decidedAt: '2027-01-05T10:00:00.000Z',
      previousOwnerId: 'ciso',
      previousDueDate: '2027-01-31',
    });
    expect(w.mailsTo('ciso')).toEqual([]);

    at(w, '2027-01-05T10:05:00Z');
    const again = await byEmail(w, deps, mfa, '<decide-1@mail.example.com>');
    expect(again.repeated).toBe(true);
    const third = await byEmail(w, deps, mfa, '<decide-1@mail.example.com>');
    expect(third.repeated).toBe(true);
    expect(w.mailsTo('ciso').map((m) => m.subject)).toEqual([
      `New due date for action ${mfa.id}: Tuesday 12 January 2027, set by top management`,
    ]);
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
  });

  it('a change from the command line keeps no follow-on on its history entry', async () => {
    const { w, mfa } = await world();
    at(w, '2027-01-05T10:00:00Z');
    const { action } = await change(w, mfa, 'ceo', {
      kind: 'reschedule',
      until: '2027-01-12',
      reason: 'the keys arrive next week',
    });
    expect(action.history.at(-1)!.followOn).toBeUndefined();
  });
});
