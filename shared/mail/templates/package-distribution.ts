/**
 * The review package, first version: sent to the attendees before the meeting. An executive
 * summary of every input (provided, nothing to report, or NOT PROVIDED, flagged), the status of
 * actions from earlier reviews with the overdue ones first, the items that need a decision, and
 * the meeting time. A fuller package (trends, charts, PDF) replaces this body later; the data
 * here is what any package must show.
 */
import { count, days, formatDate, formatDateTime, formatShortDateTime } from './format.ts';
import {
  alert,
  code,
  facts,
  heading,
  items,
  list,
  p,
  renderDocument,
  standardFooter,
  strong,
  type CycleRef,
  type Inline,
  type Item,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface PackageInput {
  key: string;
  title: string;
  owner: Person;
  status: 'provided' | 'nothing-to-report' | 'not-provided';
  /** The owner's summary (provided). */
  summary?: string;
  /** The owner's reason (nothing to report). */
  reason?: string;
  /** What the owner asks management to decide, if anything. */
  decisionNeeded?: string;
}

export interface EarlierAction {
  id: string;
  title: string;
  owner: Person;
  /** yyyy-mm-dd */
  dueDate: string;
  /** In words, e.g. "open", "in progress", "done", "verified", "cancelled". */
  status: string;
  /** Days past the due date, for open actions that are overdue. */
  daysOverdue?: number;
}

export interface DecisionItem {
  title: string;
  /** Why it needs a decision, and where it comes from. */
  reason: string;
}

export interface PackageDistributionData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  meeting: { at: string; durationMinutes?: number; location?: string };
  inputs: PackageInput[];
  earlierActions: EarlierAction[];
  /** Items for decision other than missing inputs, which this notice lists by itself. */
  decisionsNeeded: DecisionItem[];
  /** Attached files (e.g. the package PDF) with their SHA-256, so a copy can be checked. */
  attachments?: { filename: string; sha256: string }[];
  /** True when a calendar invitation is attached. */
  calendarInvitation?: boolean;
  ismsManager: Person;
}

const STATUS_FLAG: Record<PackageInput['status'], string | undefined> = {
  provided: undefined,
  'nothing-to-report': 'NOTHING TO REPORT',
  'not-provided': 'NOT PROVIDED',
};

function inputItem(input: PackageInput): Item {
  const rows: [string, Inline][] = [['Owner', input.owner.name]];
  if (input.status === 'nothing-to-report') rows.push(['Reason given', input.reason ?? '(no reason given)']);
  if (input.status === 'not-provided') rows.push(['Answer', 'none received by the deadline']);
  if (input.decisionNeeded) rows.push(['Decision asked for', input.decisionNeeded]);
  return {
    title: `${input.title} (input ${input.key})`,
    flag: STATUS_FLAG[input.status],
    flagTone: input.status === 'nothing-to-report' ? 'note' : 'alert',
    facts: rows,
    quote: input.status === 'provided' ? input.summary : undefined,
  };
}

function actionItem(action: EarlierAction): Item {
  return {
    title: `${action.id}: ${action.title}`,
    flag: action.daysOverdue && action.daysOverdue > 0 ? `OVERDUE ${days(action.daysOverdue)}` : undefined,
    facts: [
      ['Owner', action.owner.name],
      ['Due', formatDate(action.dueDate)],
      ['Status', action.status],
    ],
  };
}

export function packageDistribution(data: PackageDistributionData): RenderedMail {
  const tz = data.timeZone;
  const provided = data.inputs.filter((input) => input.status === 'provided');
  const nothing = data.inputs.filter((input) => input.status === 'nothing-to-report');
  const missing = data.inputs.filter((input) => input.status === 'not-provided');
  const overdue = data.earlierActions
    .filter((action) => (action.daysOverdue ?? 0) > 0)
    .sort((a, b) => (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0));
  const others = data.earlierActions.filter((action) => !((action.daysOverdue ?? 0) > 0));
  const decisions: DecisionItem[] = [
    ...missing.map((input) => ({
      title: `Input not provided: ${input.title} (${input.key})`,
      reason: `${input.owner.name} sent no answer by the deadline. Decide how the review deals with its absence.`,
    })),
    ...data.inputs
      .filter((input) => input.status !== 'not-provided' && input.decisionNeeded)
      .map((input) => ({ title: `${input.title} (${input.key})`, reason: input.decisionNeeded as string })),
    ...data.decisionsNeeded,
  ];

  return renderDocument({
    subject: `Management review package: ${data.cycle.title}, meeting ${formatShortDateTime(data.meeting.at, tz)}`,
    preheader:
      `${count(provided.length, 'input')} provided, ${nothing.length} with nothing to report, ` +
      `${missing.length} not provided; ${count(overdue.length, 'overdue action')}.`,
    heading: `Review package: ${data.cycle.title}`,
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `This is the package for the ${data.cycle.title} of ${data.organisation}'s information security management system. ` +
          'Please read it before the meeting: it summarises every input ISO/IEC 27001 clause 9.3.2 requires, the state of the actions from earlier reviews, and the items that need your decision.',
      ),
      facts(
        ['Meeting', strong(formatDateTime(data.meeting.at, tz))],
        data.meeting.durationMinutes !== undefined && ['Duration', `${data.meeting.durationMinutes} minutes`],
        data.meeting.location !== undefined && ['Where', data.meeting.location],
      ),
      data.calendarInvitation ? p('A calendar invitation for the meeting is attached.') : undefined,
      missing.length
        ? alert(
            `${count(missing.length, 'input was', 'inputs were')} NOT PROVIDED: ${missing.map((input) => `${input.title} (${input.key}, owner ${input.owner.name})`).join('; ')}.`,
            missing.length === 1
              ? 'It is listed below as an item for decision.'
              : 'Each is listed below as an item for decision.',
          )
        : undefined,
      heading('Inputs'),
      p(
        `${count(data.inputs.length, 'input')} in all: ${provided.length} provided, ${nothing.length} with nothing to report, ${missing.length} not provided.`,
      ),
      items(data.inputs.map(inputItem)),
      heading('Actions from earlier reviews'),
      data.earlierActions.length
        ? p(
            `${count(data.earlierActions.length, 'action')}, of which ${overdue.length} overdue (listed first).`,
          )
        : p('There are no actions from earlier reviews.'),
      overdue.length
        ? alert(
            `${count(overdue.length, 'action is', 'actions are')} overdue: ${overdue.map((action) => action.id).join(', ')}.`,
          )
        : undefined,
      data.earlierActions.length ? items([...overdue, ...others].map(actionItem)) : undefined,
      heading('Needs your decision'),
      decisions.length
        ? list(decisions.map((decision) => [strong(decision.title), ': ', decision.reason]))
        : p('No item was raised for decision; the meeting still gives its overall assessment of the ISMS.'),
      data.attachments?.length ? heading('Attached') : undefined,
      data.attachments?.length
        ? list(data.attachments.map((file) => [file.filename, ', SHA-256 ', code(file.sha256)]))
        : undefined,
      data.attachments?.length
        ? p('The package is frozen: the SHA-256 lets anyone check that their copy is the one distributed.')
        : undefined,
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: false,
    }),
  });
}

export interface MeetingMovedData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  previousAt: string;
  meetingAt: string;
  /** The package distributed for the meeting (its content hash), unchanged by the move. */
  packageSha256?: string;
  ismsManager: Person;
}

/** The notice that goes with an updated calendar invitation when the review meeting moves. */
export function meetingMoved(data: MeetingMovedData): RenderedMail {
  const tz = data.timeZone;
  return renderDocument({
    subject: `Moved: ${data.cycle.title}, now ${formatShortDateTime(data.meetingAt, tz)}`,
    preheader: `The management review meeting moved to ${formatDateTime(data.meetingAt, tz)}.`,
    heading: `The review meeting has moved`,
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(`The meeting of the ${data.cycle.title} of ${data.organisation} has moved.`),
      facts(
        ['Now', strong(formatDateTime(data.meetingAt, tz))],
        ['Was', formatDateTime(data.previousAt, tz)],
      ),
      p('The attached calendar invitation updates the one you received with the package.'),
      data.packageSha256
        ? p('The review package is unchanged (SHA-256 ', code(data.packageSha256), ').')
        : undefined,
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: false,
    }),
  });
}
