/**
 * Every message family the review cycle sends, rendered for one representative cycle of the example
 * programme (an input owner in New York, everyone else in London): what people read carries no
 * internal field, storage key, category code or command line (commands only for the ISMS manager),
 * every time names its zone in words, and an input is "missing" only once its deadline has passed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '#shared/model/action.ts';
import { DECISION_CATEGORIES } from '#shared/model/meeting.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { memoryWorld, DAY, type MemoryWorld, type RecordedMail } from '#test/support/memory-world.ts';
import { theCycle, toFollowUp } from '#test/unit/cycle/support.ts';

const FORBIDDEN: readonly (string | RegExp)[] = [
  'rawS3Key',
  'sesMessageId',
  's3://',
  'cycles/',
  /\b[a-z]+(?:_[a-z]+)+\b/, // a snake_case code, e.g. risk_treatment_approach
];

/** A time as the mails write it: "Tuesday 16 March 2027, 09:00 UK time" or "Tue 16 Mar, 05:00 New York time". */
const TIME = /\b\d{1,2}:\d{2}\b(?! (?:UK|New York) time)/;

let w: MemoryWorld;
let cycle: Cycle;
let action: Action;
/** The messages sent before the follow-up phase: the input requests, reminders and escalations. */
let inputPhase: RecordedMail[];

beforeAll(async () => {
  w = await memoryWorld();
  cycle = await theCycle(w);
  const programme = w.programme;
  const notifier = w.deps.notifier;
  const owner = w.person('customer-lead');
  const requests = (await w.repo.listInputRequests(w.cycleId)).filter((r) => r.ownerId === owner.id);
  const deadline = Date.parse(cycle.inputsDueAt);
  const step = (kind: 'reminder' | 'escalate-manager' | 'escalate-chair', id: string, daysBefore: number) => {
    w.clock.set(new Date(deadline - daysBefore * DAY));
    return notifier.inputFollowUp({
      cycle,
      programme,
      owner,
      requests,
      step: { id, kind, dueAt: w.clock.now() },
    });
  };
  await step('reminder', 'reminder-1', 9);
  await step('escalate-manager', 'escalate-manager', 6);
  // The chair is told after the deadline has passed.
  await step('escalate-chair', 'escalate-chair', -1);
  inputPhase = [...w.mailer.sent];

  // The package, the minutes request and the minutes, as the workflow sends them.
  cycle = await toFollowUp(w);
  await notifier.minutesRequest({ cycle, programme, reminder: 3 });
  await notifier.meetingUpdate({
    cycle,
    programme,
    recipients: [w.person('ceo'), w.person('cfo')],
    sequence: 1,
    previousAt: new Date(Date.parse(cycle.plannedMeetingAt) - DAY).toISOString(),
  });
  await notifier.failure({
    cycle,
    programme,
    error: 'PackageTooLarge',
    cause: 'the package is larger than 10 MB',
    state: 'DistributePackage',
  });

  const [decided] = await w.repo.listActionsOfCycle(w.cycleId);
  if (!decided) throw new Error('the example minutes decide one action');
  action = decided;
  const due = Date.parse(`${action.dueDate}T00:00:00Z`);
  for (const [kind, offset, daysOverdue] of [
    ['reminder', -7, 0],
    ['overdue-notice', 1, 1],
    ['escalate-manager', 3, 3],
    ['escalate-top', 10, 10],
  ] as const) {
    w.clock.set(new Date(due + offset * DAY));
    await notifier.actionStep({
      cycle,
      programme,
      action,
      step: { id: kind, kind, dueAt: w.clock.now(), level: 0 },
      daysOverdue,
    });
  }
  const now = w.clock.now().toISOString();
  const done: Action = {
    ...action,
    status: 'done',
    corrective: true,
    closureEvidence: {
      text: 'Deadlines agreed with every owner.',
      links: ['https://intranet.example.com/deadlines'],
      attachments: [
        {
          name: 'deadlines.pdf',
          sha256: 'b'.repeat(64),
          size: 2048,
          s3Key: `cycles/${cycle.id}/x/${'b'.repeat(64)}`,
        },
      ],
      at: now,
      by: action.ownerId,
    },
    effectivenessCheck: { assigneeId: 'auditor', dueDate: action.dueDate },
  };
  await notifier.closureConfirmationRequest({ cycle, programme, action: done });
  await notifier.closureConfirmationRequest({ cycle, programme, action: done, overdue: true });
  await notifier.closureReopened({
    cycle,
    programme,
    action: { ...action, status: 'in_progress', updatedAt: now },
    reason: 'The deadline of input f is not agreed yet.',
    reopenedBy: 'alice',
  });
  const confirmed: Action = {
    ...done,
    closureConfirmation: { by: 'alice', at: now, source: { channel: 'cli' } },
  };
  await notifier.effectivenessCheckRequest({ cycle, programme, action: done });
  expect(w.mailer.sent.filter((m) => m.subject.includes('Effectiveness check needed'))).toEqual([]);
  await notifier.effectivenessCheckRequest({ cycle, programme, action: confirmed });
  await notifier.effectivenessCheckRequest({ cycle, programme, action: confirmed, overdue: true });
  const asked: Action = {
    ...action,
    extensionRequest: {
      dueDate: '2027-05-31',
      reason: 'The owners are on leave in April.',
      requestedAt: now,
      by: action.ownerId,
      source: { channel: 'email', messageId: '<extension@mail.example.net>' },
    },
  };
  await notifier.extensionRequest({ cycle, programme, action: asked });
  await notifier.extensionDecision({
    cycle,
    programme,
    action,
    approved: false,
    requestedAt: now,
    requestedDueDate: '2027-05-31',
    previousDueDate: action.dueDate,
    reason: 'The deadline matters more than the leave.',
  });
  await notifier.actionReopened({
    cycle,
    programme,
    action,
    finding: 'Two owners never agreed a deadline.',
    checkedBy: 'auditor',
  });
  for (const decision of ['reschedule', 'reassign', 'accept-risk'] as const) {
    await notifier.managementDecision({
      cycle,
      programme,
      action,
      decision,
      reason: 'Top management decided at its monthly meeting.',
      decidedBy: 'ceo',
      decidedAt: `${now.slice(0, -5)}${String(['reschedule', 'reassign', 'accept-risk'].indexOf(decision)).padStart(3, '0')}Z`,
      previousOwnerId: decision === 'reassign' ? 'cto' : action.ownerId,
      previousDueDate: '2027-04-01',
    });
  }
  // A whole cycle to follow-up in memory: seconds on a quiet machine, more on a busy one.
}, 60_000);

/** Only the ISMS manager reads it (To and Cc). */
const onlyForManager = (mail: RecordedMail) =>
  [...mail.to, ...mail.cc].every((address) => address === w.person('alice').email.toLowerCase());

describe('the messages people read', () => {
  it('cover every message family of the cycle', () => {
    const keys = w.mailer.sent.map((mail) => mail.subject);
    for (const part of [
      'needed for the',
      'Reminder:',
      'not received for the',
      'Escalation: 1 input not received',
      'Approval needed: review package',
      'Management review package',
      'Minutes needed',
      'Approval needed: minutes',
      'Minutes:',
      'Moved:',
      'Review workflow failed',
      'Action due in 7 days',
      'Overdue by 1 day',
      'Escalation: "',
      'Escalation to top management',
      'Please confirm the closure of corrective action',
      'Still waiting for your confirmation',
      'Not closed yet',
      'Effectiveness check needed',
      'Overdue since',
      'Extension requested',
      'Extension refused',
      'Reopened after its effectiveness check',
      'New due date for action',
      'is now yours',
      'closed: top management accepted the risk',
    ]) {
      expect(
        keys.some((subject) => subject.includes(part)),
        `a subject with "${part}" in ${keys.join(' | ')}`,
      ).toBe(true);
    }
  });

  it('carry no internal field, storage key or category code', () => {
    expect(DECISION_CATEGORIES.some((code) => code.includes('_'))).toBe(true);
    for (const mail of w.mailer.sent) {
      // Not even the minutes form the ISMS manager fills in: it names the categories by their titles.
      for (const part of [mail.subject, mail.text]) {
        for (const forbidden of FORBIDDEN) {
          if (typeof forbidden === 'string') expect(part, mail.subject).not.toContain(forbidden);
          else expect(part, mail.subject).not.toMatch(forbidden);
        }
      }
      for (const forbidden of FORBIDDEN.filter((f) => typeof f === 'string')) {
        expect(mail.html, mail.subject).not.toContain(forbidden);
      }
    }
  });

  it('carry the minutes form to the ISMS manager alone, never to top management', () => {
    const withForm = w.mailer.sent.filter(
      (mail) =>
        mail.text.includes('inputsConsidered:') ||
        mail.attachments.some((a) => a.filename?.startsWith('minutes-template')),
    );
    expect(
      withForm.some((mail) => mail.subject.startsWith('Minutes form for the meeting of Mon 29 Mar')),
    ).toBe(true);
    for (const mail of withForm) expect(onlyForManager(mail), mail.subject).toBe(true);
    // The late reminder the chair is copied on asks for the minutes without the form.
    const late = w.mailer.sent.find((mail) => mail.subject.startsWith('Reminder 3: Minutes needed'))!;
    expect(late.cc).toContain(w.person('ceo').email.toLowerCase());
    expect(late.text).toContain('the form is in the first request for the minutes');
  });

  it('show command lines to the ISMS manager alone', () => {
    const withCommands = w.mailer.sent.filter((mail) => /isms-review /.test(mail.text + mail.html));
    expect(withCommands.length).toBeGreaterThan(0);
    for (const mail of withCommands) expect(onlyForManager(mail), mail.subject).toBe(true);
  });

  it('name the zone of every time they show, and show the decisions by their refs and titles', () => {
    for (const mail of w.mailer.sent) {
      expect(mail.subject, mail.subject).not.toMatch(TIME);
      expect(mail.subject + mail.text).not.toMatch(/\((?:Europe|America)\/[A-Za-z_]+\)/);
    }
    const minutes = w.mailer.sent.find((mail) => mail.subject.startsWith('Minutes:'))!;
    expect(minutes.text).toContain('D1 (Improvements to processes and controls)');
    expect(minutes.text).not.toContain('processes_and_controls');
  });

  it('write one deadline the same way in the owner’s zone and in the escalation', () => {
    const [reminder, toManager, toChair] = inputPhase.slice(-3);
    // The owner is in New York; the ISMS manager and the chair in London.
    expect(reminder!.subject).toMatch(/due \w{3} \d+ \w{3}, \d{2}:\d{2} New York time$/);
    expect(toManager!.subject).toMatch(/due \w{3} \d+ \w{3}, \d{2}:\d{2} UK time, 6 days left\)$/);
    expect(toChair!.subject).toMatch(/UK time, overdue by 1 day\)$/);
  });

  it('call an input missing only after its deadline', () => {
    const [, toManager, toChair] = inputPhase.slice(-3);
    expect(toManager!.text).not.toMatch(/MISSING|is missing/);
    expect(toManager!.text).toContain('[NOT RECEIVED, 6 days left]');
    expect(toChair!.text).toContain('[MISSING, overdue by 1 day]');
  });
});
