/**
 * Realistic data for every notice. `u` is applied to every piece of text a user or the programme
 * wrote (names, titles, summaries, reasons), so the same samples serve the hostile-text tests.
 */
import type {
  ActionEscalationData,
  ActionOverdueData,
  ActionRef,
  ActionReminderData,
  ExtensionRequestData,
  IngestConfirmationData,
  IngestRejectionData,
  InputEscalationData,
  InputReminderData,
  InputRequestData,
  MinutesDistributionData,
  MinutesRequestData,
  PackageDistributionData,
  WorkflowFailureData,
} from '#shared/mail/templates/index.ts';

export type Text = (text: string) => string;
const same: Text = (text) => text;

export const REPLY_TEMPLATE = `[input d1]
period: 2026-07-01 to 2026-09-30
summary:
metric:
decision needed:
[end]`;

export function base(u: Text = same) {
  return {
    organisation: u('Example Ltd'),
    timeZone: 'Europe/London',
    cycle: { id: 'C-20261001T0800Z-Q', title: u('Q4 2026 management review') },
    ismsManager: { name: u('Alice Example'), email: 'alice@example.com', role: u('ISMS manager') },
  };
}

export function action(u: Text = same): ActionRef {
  return {
    id: 'A-20260701T0800Z-Q-003',
    title: u('Replace the legacy VPN concentrator'),
    owner: { name: u('Bob Builder'), email: 'bob@example.com' },
    dueDate: '2026-10-30',
    status: u('in progress'),
    decidedIn: { cycleTitle: u('Q3 2026 management review'), meetingDate: '2026-07-15' },
    decisionText: u('Fund the VPN replacement from the Q3 security budget'),
    lastUpdate: { at: '2026-10-01T09:30:00Z', note: u('Hardware ordered, delivery slipped') },
  };
}

export function inputRequestData(u: Text = same): InputRequestData {
  return {
    ...base(u),
    recipient: { name: u('Carol Risk'), email: 'carol@example.com' },
    inputs: [
      {
        key: 'd1',
        title: u('Nonconformities and corrective actions'),
        clauses: [u('ISO/IEC 27001:2022 9.3.2 d1')],
        asked: u('Open and closed nonconformities this quarter, with the trend'),
        period: { from: '2026-07-01', to: '2026-09-30' },
        previousAnswer: {
          cycleTitle: u('Q3 2026 management review'),
          receivedAt: '2026-07-08T10:15:00Z',
          summary: u('4 open, 7 closed.\nTrend improving.'),
        },
      },
      {
        key: 'f',
        title: u('Risk assessment and risk treatment'),
        clauses: [u('ISO/IEC 27001:2022 9.3.2 f')],
        asked: u('Results of risk assessment and status of the risk treatment plan'),
        period: { from: '2026-07-01', to: '2026-09-30' },
      },
    ],
    deadline: '2026-10-16T16:00:00Z',
    meetingAt: '2026-11-05T10:00:00Z',
    replyTemplate: u(REPLY_TEMPLATE),
    maxAttachmentMb: 10,
  };
}

export function inputReminderData(u: Text = same): InputReminderData {
  return {
    ...base(u),
    recipient: { name: u('Carol Risk'), email: 'carol@example.com' },
    missing: [
      {
        key: 'f',
        title: u('Risk assessment and risk treatment'),
        period: { from: '2026-07-01', to: '2026-09-30' },
      },
    ],
    received: [{ key: 'd1', title: u('Nonconformities and corrective actions') }],
    requestedAt: '2026-10-01T08:00:00Z',
    deadline: '2026-10-16T16:00:00Z',
    reminderNumber: 2,
    replyTemplate: u(REPLY_TEMPLATE),
  };
}

export function inputEscalationData(
  u: Text = same,
  level: InputEscalationData['level'] = 'isms-manager',
): InputEscalationData {
  return {
    ...base(u),
    level,
    recipient: level === 'chair' ? { name: u('Dana Chair'), email: 'ceo@example.com' } : base(u).ismsManager,
    missing: [
      {
        key: 'f',
        title: u('Risk assessment and risk treatment'),
        owner: { name: u('Carol Risk'), email: 'carol@example.com' },
        requestedAt: '2026-10-01T08:00:00Z',
        remindersSent: 2,
      },
    ],
    deadline: '2026-10-16T16:00:00Z',
    // The ISMS manager is told four days before the deadline; the chair the day after it passed.
    now: level === 'chair' ? '2026-10-17T08:00:00Z' : '2026-10-12T08:00:00Z',
    meetingAt: '2026-11-05T10:00:00Z',
    escalatedToManagerAt: level === 'chair' ? '2026-10-12T08:00:00Z' : undefined,
  };
}

export function minutesRequestData(u: Text = same): MinutesRequestData {
  return {
    ...base(u),
    recipient: base(u).ismsManager,
    meetingAt: '2026-11-05T10:00:00Z',
    deadline: '2026-11-12T17:00:00Z',
    replyTemplate: u('[minutes]\ndate:\nattendees:\n[end]'),
    inputs: [
      { key: 'd1', title: u('Nonconformities and corrective actions') },
      { key: 'f', title: u('Risk assessment and risk treatment') },
    ],
    alternative: 'npx isms-review minutes submit C-20261001T0800Z-Q minutes.txt',
  };
}

export function packageDistributionData(u: Text = same): PackageDistributionData {
  return {
    ...base(u),
    recipient: { name: u('Dana Chair'), email: 'ceo@example.com' },
    meeting: { at: '2026-11-05T10:00:00Z', durationMinutes: 90, location: u('Board room, 3rd floor') },
    inputs: [
      {
        key: 'd1',
        title: u('Nonconformities and corrective actions'),
        owner: { name: u('Carol Risk') },
        status: 'provided',
        summary: u('4 open, 7 closed; trend improving'),
        decisionNeeded: u('Approve an extra auditor day'),
      },
      {
        key: 'e',
        title: u('Feedback from interested parties'),
        owner: { name: u('Eve Sales') },
        status: 'nothing-to-report',
        reason: u('No complaints or feedback received this quarter'),
      },
      { key: 'd3', title: u('Audit results'), owner: { name: u('Frank Audit') }, status: 'not-provided' },
    ],
    earlierActions: [
      {
        id: 'A-20260701T0800Z-Q-001',
        title: u('Update the access policy'),
        owner: { name: u('Bob Builder') },
        dueDate: '2026-09-30',
        status: u('done'),
      },
      {
        id: 'A-20260701T0800Z-Q-003',
        title: u('Replace the legacy VPN concentrator'),
        owner: { name: u('Bob Builder') },
        dueDate: '2026-08-31',
        status: u('in progress'),
        daysOverdue: 66,
      },
    ],
    decisionsNeeded: [
      {
        title: u('Climate change as an issue'),
        reason: u('Is climate change a relevant issue (Amd 1:2024)?'),
      },
    ],
    attachments: [{ filename: u('package.pdf'), sha256: 'a'.repeat(64) }],
    calendarInvitation: true,
  };
}

export function minutesDistributionData(u: Text = same): MinutesDistributionData {
  return {
    ...base(u),
    recipient: { name: u('Dana Chair') },
    meetingAt: '2026-11-05T10:00:00Z',
    recordedAt: '2026-11-06T15:20:00Z',
    attendees: [
      { name: u('Dana Chair'), role: u('Chief Executive Officer') },
      { name: u('Gus Deputy'), role: u('Deputy CFO'), proxyFor: u('Helen CFO') },
    ],
    absent: [{ name: u('Ivan CTO'), role: u('Chief Technology Officer') }],
    inputsConsidered: [{ key: 'd1', title: u('Nonconformities and corrective actions') }],
    decisions: [
      { id: 'D-20261001T0800Z-Q-01', category: u('resource allocation'), text: u('One extra auditor day') },
    ],
    actions: [
      {
        id: 'A-20261001T0800Z-Q-001',
        title: u('Book the extra audit day'),
        owner: { name: u('Frank Audit') },
        dueDate: '2026-12-15',
      },
    ],
    assessment: {
      suitability: { verdict: u('suitable'), rationale: u('Scope still matches the business') },
      adequacy: { verdict: u('adequate'), rationale: u('Controls cover the risks') },
      effectiveness: { verdict: u('partly effective'), rationale: u('Two repeat findings') },
      alignment: { verdict: u('aligned'), rationale: u('Supports the cloud strategy') },
    },
    attachment: { filename: u('minutes.pdf'), sha256: 'b'.repeat(64) },
  };
}

export function actionReminderData(u: Text = same, daysLeft = 7): ActionReminderData {
  return { ...base(u), recipient: action(u).owner, action: action(u), daysLeft };
}

export function actionOverdueData(u: Text = same): ActionOverdueData {
  return {
    ...base(u),
    recipient: action(u).owner,
    action: action(u),
    daysOverdue: 3,
    nextEscalation: { on: '2026-11-09', to: u('the ISMS manager, Alice Example') },
  };
}

export function actionEscalationData(
  u: Text = same,
  level: ActionEscalationData['level'] = 'isms-manager',
): ActionEscalationData {
  return {
    ...base(u),
    level,
    recipient: level === 'top-management' ? { name: u('Dana Chair') } : base(u).ismsManager,
    actions: [
      {
        ...action(u),
        daysOverdue: 21,
        ownerToldAt: '2026-11-02T08:00:00Z',
        managerToldAt: level === 'top-management' ? '2026-11-09T08:00:00Z' : undefined,
        extensionsGranted: 1,
      },
    ],
    replyTemplate:
      level === 'top-management'
        ? u('[decision A-20260701T0800Z-Q-003]\nchoice:\nreason:\n[end]')
        : undefined,
  };
}

export function extensionRequestData(u: Text = same): ExtensionRequestData {
  return {
    ...base(u),
    recipient: { name: u('Dana Chair'), email: 'ceo@example.com' },
    action: action(u),
    requestedAt: '2026-10-20T14:05:00Z',
    requestedDueDate: '2026-12-15',
    reason: u('Supplier delivery slipped by six weeks'),
    previousExtensions: 0,
    decideBy: '2026-10-27T17:00:00Z',
  };
}

export function workflowFailureData(u: Text = same): WorkflowFailureData {
  return {
    ...base(u),
    recipient: base(u).ismsManager,
    step: u('Request inputs'),
    error: {
      name: 'MailRejected',
      message: u('SES refused the message (MessageRejected): Email address is not verified.'),
    },
    occurredAt: '2026-10-01T08:02:00Z',
    executionName: 'C-20261001T0800Z-Q',
    consequence: u(
      'The cycle has stopped before any input request was sent. Nothing recorded so far is lost.',
    ),
    whatToDo: [
      u('Check the addresses of the input owners in the programme.'),
      ['Look at the cycle: ', { code: 'npx isms-review status' }],
    ],
  };
}

export function ingestConfirmationData(u: Text = same): IngestConfirmationData {
  return {
    ...base(u),
    recipient: { name: u('Carol Risk') },
    receivedAt: '2026-10-12T14:30:05Z',
    originalSubject: u('Re: Input needed for the Q4 2026 management review'),
    recordedAs: u('your input d1, Nonconformities and corrective actions'),
    reference: 'S-20261012T143005123Z-K7QD3M',
    fields: [
      { label: u('Period'), value: u('2026-07-01 to 2026-09-30') },
      { label: u('Summary'), value: u('4 open, 7 closed.\nTrend improving.') },
      { label: u('Metric'), value: u('Open nonconformities = 4') },
    ],
    attachments: [{ filename: u('nc-register.csv'), size: 14_200, sha256: 'c'.repeat(64) }],
    replaces: 'S-20261010T090000000Z-ABCDEF',
    howToCorrect: u('Reply again before Friday 16 October 2026, 17:00 UK time.'),
  };
}

export function ingestRejectionData(u: Text = same): IngestRejectionData {
  return {
    ...base(u),
    recipient: { name: u('Carol Risk') },
    receivedAt: '2026-10-12T14:30:05Z',
    originalSubject: u('Re: Input needed'),
    problems: [
      {
        where: u('input d1'),
        problem: u("'period' is missing"),
        fix: u('write it as period: 2026-07-01 to 2026-09-30'),
      },
      {
        problem: u('the attachment budget.xlsm is not accepted'),
        fix: u('send CSV, XLSX or PDF files only'),
      },
    ],
    replyTemplate: u(REPLY_TEMPLATE),
    howToResend: u('Reply to this email with the corrected block.'),
  };
}
