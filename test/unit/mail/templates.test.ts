import { describe, expect, it } from 'vitest';
import {
  actionEscalation,
  actionOverdue,
  actionReminder,
  extensionRequest,
  ingestConfirmation,
  ingestRejection,
  inputEscalation,
  inputReminder,
  inputRequest,
  minutesDistribution,
  minutesRequest,
  packageDistribution,
  TemplateDataError,
  workflowFailure,
  type RenderedMail,
} from '#shared/mail/templates/index.ts';
import * as sample from './samples.ts';
import type { Text } from './samples.ts';

/** What a reader sees in the HTML part: tags and comments dropped, entities decoded, spaces collapsed. */
function visible(markup: string): string {
  return markup
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?(?:a|strong|code|span|b|em)\b[^>]*>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

/** Markup or entities that must never appear in the text part. */
const HTML_IN_TEXT =
  /<\/?(?:p|div|span|table|tr|td|a|b|strong|em|br|ul|ol|li|h\d|pre|code|blockquote|html|body|head|meta|title|style|script)\b[^>]*>|&(?:lt|gt|amp|quot|nbsp|#\d+);/i;

const HOSTILE = `<script>alert("x")</script><style>*{display:none}</style>" onmouseover="alert(1)' javascript:alert(2) \u202Efdp.exe 😀`;
const hostile: Text = (text) => `${text} ${HOSTILE}`;

interface Case {
  name: string;
  render: (u?: Text) => RenderedMail;
  /** Facts the reader must find in both parts. */
  facts: string[];
}

const CASES: Case[] = [
  {
    name: 'input request',
    render: (u) => inputRequest(sample.inputRequestData(u)),
    facts: [
      'Dear Carol Risk',
      'Nonconformities and corrective actions (input d1)',
      'Risk assessment and risk treatment (input f)',
      'ISO/IEC 27001:2022 9.3.2 d1',
      'Open and closed nonconformities this quarter, with the trend',
      '1 July 2026 to 30 September 2026',
      'Friday 16 October 2026, 17:00 UK time',
      'Thursday 5 November 2026',
      'nothing to report:',
      'CSV, XLSX or PDF',
      'up to 10 MB',
      'Q3 2026 management review, received Wednesday 8 July 2026, 11:15 UK time',
      '4 open, 7 closed.',
      '[input d1]',
      'NOT PROVIDED',
      'alice@example.com',
    ],
  },
  {
    name: 'input reminder',
    render: (u) => inputReminder(sample.inputReminderData(u)),
    facts: [
      'Reminder 2:',
      'Risk assessment and risk treatment (input f)',
      'Already received, thank you: Nonconformities and corrective actions (input d1)',
      'Thursday 1 October 2026, 09:00 UK time',
      'Friday 16 October 2026, 17:00 UK time',
      '[input d1]',
      'nothing to report:',
      'NOT PROVIDED',
    ],
  },
  {
    name: 'input escalation to the ISMS manager',
    render: (u) => inputEscalation(sample.inputEscalationData(u, 'isms-manager')),
    facts: [
      'Dear Alice Example',
      'Risk assessment and risk treatment (input f)',
      'Carol Risk',
      'carol@example.com',
      'Reminders sent: 2',
      'Friday 16 October 2026, 17:00 UK time',
      'Contact the owners',
      'the chair is told next',
      'NOT PROVIDED',
    ],
  },
  {
    name: 'input escalation to the chair',
    render: (u) => inputEscalation(sample.inputEscalationData(u, 'chair')),
    facts: [
      'Escalation:',
      'Dear Dana Chair',
      'The ISMS manager, Alice Example, was told on Monday 12 October 2026, 09:00 UK time',
      'Carol Risk',
      'Ask the owners above',
      'accept that the review goes ahead without it',
      'NOT PROVIDED',
    ],
  },
  {
    name: 'minutes request',
    render: (u) => minutesRequest(sample.minutesRequestData(u)),
    facts: [
      'Thursday 5 November 2026, 10:00 UK time',
      'Thursday 12 November 2026, 17:00 UK time',
      'who attended, marking anyone who stood in',
      'resource allocation, changes to security objectives, changes to the risk treatment approach, improvements to processes and controls, or other',
      'every action, with one owner and a due date',
      'suitability, adequacy, effectiveness, and alignment',
      '[minutes]',
      'npx isms-review minutes submit C-20261001T0800Z-Q minutes.txt',
      'Nonconformities and corrective actions (d1)',
    ],
  },
  {
    name: 'package distribution',
    render: (u) => packageDistribution(sample.packageDistributionData(u)),
    facts: [
      'Meeting: Thursday 5 November 2026, 10:00 UK time',
      '90 minutes',
      'Board room, 3rd floor',
      '3 inputs in all: 1 provided, 1 with nothing to report, 1 not provided',
      'NOT PROVIDED',
      'NOTHING TO REPORT',
      'No complaints or feedback received this quarter',
      '4 open, 7 closed; trend improving',
      'Audit results (d3, owner Frank Audit)',
      'Input not provided: Audit results (d3)',
      'OVERDUE 66 days',
      'Monday 31 August 2026',
      'Approve an extra auditor day',
      'Is climate change a relevant issue (Amd 1:2024)?',
      'A calendar invitation for the meeting is attached',
      'a'.repeat(64),
    ],
  },
  {
    name: 'minutes distribution',
    render: (u) => minutesDistribution(sample.minutesDistributionData(u)),
    facts: [
      'Thursday 5 November 2026, 10:00 UK time',
      'Dana Chair, Chief Executive Officer',
      'Gus Deputy, Deputy CFO, standing in for Helen CFO (proxy)',
      'Absent: Ivan CTO (Chief Technology Officer)',
      'Suitability: suitable',
      'Scope still matches the business',
      'Effectiveness: partly effective',
      'Alignment with strategic direction: aligned',
      'D-20261001T0800Z-Q-01 (resource allocation)',
      'A-20261001T0800Z-Q-001: Book the extra audit day',
      'Tuesday 15 December 2026',
      'b'.repeat(64),
    ],
  },
  {
    name: 'action reminder',
    render: (u) => actionReminder(sample.actionReminderData(u)),
    facts: [
      'due in 7 days',
      'A-20260701T0800Z-Q-003: Replace the legacy VPN concentrator',
      'Friday 30 October 2026',
      'Q3 2026 management review, Wednesday 15 July 2026',
      'Fund the VPN replacement from the Q3 security budget',
      'Thursday 1 October 2026, 10:30 UK time: Hardware ordered, delivery slipped',
      'DONE <what was done, and where the evidence is>',
      'PROGRESS <short note>',
      'EXTEND <yyyy-mm-dd> <reason>',
    ],
  },
  {
    name: 'overdue notice',
    render: (u) => actionOverdue(sample.actionOverdueData(u)),
    facts: [
      'Overdue by 3 days',
      'was due on Friday 30 October 2026 and is 3 days overdue',
      'A-20260701T0800Z-Q-003: Replace the legacy VPN concentrator',
      'EXTEND <yyyy-mm-dd> <reason>',
      'If the action is still open on Monday 9 November 2026, it will be escalated to the ISMS manager, Alice Example',
    ],
  },
  {
    name: 'action escalation to the ISMS manager',
    render: (u) => actionEscalation(sample.actionEscalationData(u, 'isms-manager')),
    facts: [
      'Escalation: "Replace the legacy VPN concentrator" (owner Bob Builder) is 21 days overdue',
      'OVERDUE 21 days',
      'Bob Builder (bob@example.com)',
      'Friday 30 October 2026',
      'Q3 2026 management review, Wednesday 15 July 2026',
      'Fund the VPN replacement from the Q3 security budget',
      'Owner told: Monday 2 November 2026, 08:00 UK time',
      'Extensions granted: 1',
      'close the action or report progress',
      'reassign it or accept the risk',
    ],
  },
  {
    name: 'action escalation to top management',
    render: (u) => actionEscalation(sample.actionEscalationData(u, 'top-management')),
    facts: [
      'Escalation to top management: "Replace the legacy VPN concentrator" (owner Bob Builder) is 21 days overdue',
      'OVERDUE 21 days',
      'Bob Builder (bob@example.com)',
      'Decided at: Q3 2026 management review, Wednesday 15 July 2026',
      'ISMS manager told: Monday 9 November 2026, 08:00 UK time',
      'Confirm a new due date',
      'Reassign the action to another owner',
      'Accept the risk of not doing the action',
      '[decision A-20260701T0800Z-Q-003]',
    ],
  },
  {
    name: 'extension request',
    render: (u) => extensionRequest(sample.extensionRequestData(u)),
    facts: [
      'Bob Builder asked to move the due date of an action from Friday 30 October 2026 to Tuesday 15 December 2026 (46 days later)',
      'Supplier delivery slipped by six weeks',
      'Extensions so far: none',
      'APPROVE',
      'REFUSE <reason>',
      'Tuesday 27 October 2026, 17:00 UK time',
      'Until you answer, the current due date stands',
    ],
  },
  {
    name: 'workflow failure',
    render: (u) => workflowFailure(sample.workflowFailureData(u)),
    facts: [
      'Step: Request inputs',
      'Thursday 1 October 2026, 09:02 UK time',
      'MailRejected',
      'SES refused the message (MessageRejected): Email address is not verified.',
      'The cycle has stopped before any input request was sent',
      'Check the addresses of the input owners',
      'npx isms-review status',
    ],
  },
  {
    name: 'ingest confirmation',
    render: (u) => ingestConfirmation(sample.ingestConfirmationData(u)),
    facts: [
      'your input d1, Nonconformities and corrective actions',
      'S-20261012T143005123Z-K7QD3M',
      'Replaces: S-20261010T090000000Z-ABCDEF',
      'Monday 12 October 2026, 15:30 UK time',
      '2026-07-01 to 2026-09-30',
      'Open nonconformities = 4',
      'nc-register.csv (14 KB)',
      'c'.repeat(64),
      'Reply again before Friday 16 October 2026, 17:00 UK time',
    ],
  },
  {
    name: 'ingest rejection',
    render: (u) => ingestRejection(sample.ingestRejectionData(u)),
    facts: [
      'Not recorded:',
      'Nothing from it was recorded',
      'the message itself is kept as received',
      "'period' is missing",
      'write it as period: 2026-07-01 to 2026-09-30',
      'the attachment budget.xlsm is not accepted',
      'send CSV, XLSX or PDF files only',
      'Reply to this email with the corrected block.',
      '[input d1]',
    ],
  },
];

describe.each(CASES)('$name', ({ render, facts }) => {
  it('survives hostile text: everything is escaped, bidi overrides are gone, emoji stay', () => {
    const mail = render(hostile);
    expect(mail.html).not.toMatch(/<script|<style|<img|<iframe/i);
    expect(mail.html).not.toContain('onmouseover="');
    expect(mail.html).not.toMatch(/href="\s*javascript:/i);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toContain('\u202E');
    expect(mail.text).toContain('😀');
    expect(mail.html).toContain('😀');
    // The text part shows what people wrote, as text.
    expect(mail.text).toContain('<script>alert("x")</script>');
  });

  it('keeps the subject on one line whatever the data holds', () => {
    const mail = render((text) => `${text}\r\nBcc: victim@example.com\n`);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject.length).toBeLessThanOrEqual(200);
    expect(mail.subject.trim()).not.toBe('');
  });

  it('states every fact in the text part, which has no HTML', () => {
    const mail = render();
    const text = oneLine(`${mail.subject}\n${mail.text}`);
    for (const fact of facts) expect(text).toContain(fact);
    expect(mail.text).not.toMatch(HTML_IN_TEXT);
    expect(mail.text).toContain(
      '\n-- \nSent automatically by the ISMS management review system of Example Ltd',
    );
  });

  it('states every fact in the HTML part, in the common layout', () => {
    const mail = render();
    const seen = `${mail.subject} ${visible(mail.html)}`;
    for (const fact of facts) expect(seen).toContain(fact);
    expect(mail.html).toContain('max-width:640px');
    expect(mail.html).toContain('word-break:break-word');
  });

  it('wraps a 5,000-character word instead of breaking the layout', () => {
    const word = 'W'.repeat(5000);
    const mail = render((text) => `${text} ${word}`);
    expect(mail.html).toContain(word);
    expect(mail.text).toContain(word);
  });
});

describe('what the notices say in particular', () => {
  it('shows times in the recipient’s time zone, across a daylight-saving change', () => {
    const london = inputRequest({ ...sample.inputRequestData(), deadline: '2026-10-26T17:00:00Z' });
    expect(london.text).toContain('Monday 26 October 2026, 17:00 UK time');
    const newYork = inputRequest({ ...sample.inputRequestData(), timeZone: 'America/New_York' });
    expect(newYork.text).toContain('Friday 16 October 2026, 12:00 New York time');
    const tokyo = inputRequest({ ...sample.inputRequestData(), timeZone: 'Asia/Tokyo' });
    expect(tokyo.text).toContain('Saturday 17 October 2026, 01:00 Tokyo time');
  });

  it('refuses an unknown time zone, a malformed time or an impossible date by name', () => {
    expect(() => inputRequest({ ...sample.inputRequestData(), timeZone: 'Mars/Olympus' })).toThrow(
      TemplateDataError,
    );
    expect(() => inputRequest({ ...sample.inputRequestData(), deadline: 'next Friday' })).toThrow(
      TemplateDataError,
    );
    expect(() =>
      actionReminder({
        ...sample.actionReminderData(),
        action: { ...sample.action(), dueDate: '2026-02-30' },
      }),
    ).toThrow(TemplateDataError);
  });

  it('puts the reply template in the text part exactly, and in a <pre> block in HTML', () => {
    const mail = inputRequest(sample.inputRequestData());
    expect(mail.text).toContain(`\n\n${sample.REPLY_TEMPLATE}\n\n`);
    expect(mail.html).toMatch(
      /<pre[^>]*>\s*\[input d1\]\nperiod: 2026-07-01 to 2026-09-30\nsummary:\nmetric:\ndecision needed:\n\[end\]<\/pre>/,
    );
  });

  it('asks for one input in the singular, several in the plural', () => {
    const data = sample.inputRequestData();
    const one = inputRequest({ ...data, inputs: data.inputs.slice(0, 1) });
    expect(one.subject).toBe(
      'Input needed for the Q4 2026 management review: Nonconformities and corrective actions, by Fri 16 Oct, 17:00 UK time',
    );
    expect(one.text).toContain('consider the input below, and you are its owner');
    expect(inputRequest(data).subject).toBe(
      '2 inputs needed for the Q4 2026 management review, by Fri 16 Oct, 17:00 UK time',
    );
  });

  it('counts down an action reminder: in N days, tomorrow, today', () => {
    expect(actionReminder(sample.actionReminderData(undefined, 14)).subject).toContain('due in 14 days');
    expect(actionReminder(sample.actionReminderData(undefined, 1)).subject).toContain('due tomorrow');
    expect(actionReminder(sample.actionReminderData(undefined, 0)).subject).toContain('due today');
  });

  it('lists overdue earlier actions first, the longest overdue at the top', () => {
    const data = sample.packageDistributionData();
    const mail = packageDistribution({
      ...data,
      earlierActions: [
        ...data.earlierActions,
        {
          id: 'A-20260401T0800Z-Q-009',
          title: 'Old one',
          owner: { name: 'Zed' },
          dueDate: '2026-05-01',
          status: 'open',
          daysOverdue: 188,
        },
      ],
    });
    const order = ['A-20260401T0800Z-Q-009', 'A-20260701T0800Z-Q-003', 'A-20260701T0800Z-Q-001'].map((id) =>
      mail.text.indexOf(`* ${id}`),
    );
    expect(order.every((position) => position > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(mail.text).toContain('2 actions are overdue: A-20260401T0800Z-Q-009, A-20260701T0800Z-Q-003.');
  });

  it('says so plainly when every input arrived and nothing is overdue', () => {
    const data = sample.packageDistributionData();
    const mail = packageDistribution({
      ...data,
      inputs: data.inputs.filter((input) => input.status === 'provided'),
      earlierActions: [],
      decisionsNeeded: [],
    });
    expect(mail.text).not.toContain('NOT PROVIDED');
    expect(mail.text).toContain('There are no actions from earlier reviews.');
    expect(mail.text).toContain('Nonconformities and corrective actions (d1): Approve an extra auditor day');
  });

  it('echoes recorded values exactly, line breaks included', () => {
    const mail = ingestConfirmation(sample.ingestConfirmationData());
    expect(mail.text).toContain('    | 4 open, 7 closed.\n    | Trend improving.');
    expect(mail.html).toContain('4 open, 7 closed.<br>Trend improving.');
  });

  it('shortens a very long error and says where the full text is', () => {
    const data = sample.workflowFailureData();
    const mail = workflowFailure({ ...data, error: { name: 'Boom', message: 'e'.repeat(5000) } });
    expect(mail.text).toContain(`${'e'.repeat(1000)}… (shortened; the full text is in the workflow's log)`);
    expect(mail.text).not.toContain('e'.repeat(1001));
  });

  it('greets an unknown sender neutrally and works without a cycle', () => {
    const mail = ingestRejection({ ...sample.ingestRejectionData(), recipient: undefined, cycle: undefined });
    expect(mail.text.startsWith('Hello,\n')).toBe(true);
    expect(mail.text).not.toContain('reference C-');
  });
});
