/**
 * After the meeting: asks the ISMS manager for the minutes, saying what they must record
 * (clause 9.3.3) and how to send them.
 */
import { formatDateTime, formatShortDateTime } from './format.ts';
import {
  code,
  copyBlock,
  heading,
  list,
  p,
  renderDocument,
  standardFooter,
  strong,
  type CycleRef,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface MinutesRequestData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** UTC time of the meeting. */
  meetingAt: string;
  /** UTC time the minutes are due. */
  deadline: string;
  /** The minutes block to fill in and send back; empty when the chair is copied (the form is the ISMS manager's). */
  replyTemplate: string;
  /** The inputs in the package, to list under "inputs considered". */
  inputs: { key: string; title: string }[];
  /** Another way to submit, e.g. a command line, when there is one. */
  alternative?: string;
}

/** What minutes must record; the ingest check rejects minutes that lack any of it. */
export const MINUTES_MUST_RECORD: readonly string[] = [
  'the date of the meeting and who attended, marking anyone who stood in for a member of top management',
  'what was considered for each input: for an input nobody provided, what the meeting did about it; for an input a decision answers, what led to the decision',
  'the decisions, each under its category: resource allocation, changes to security objectives, changes to the risk treatment approach, improvements to processes and controls, or other',
  'every action, with one owner and a due date',
  'the outcome on changes to the ISMS and on resources: what was decided, or that none are needed and why',
  "the overall assessment of the ISMS: a separate verdict with its rationale for each of suitability, adequacy, effectiveness, and alignment with the organisation's strategic direction",
];

export function minutesRequest(data: MinutesRequestData): RenderedMail {
  const deadline = formatDateTime(data.deadline, data.timeZone);
  return renderDocument({
    subject: `Minutes needed: ${data.cycle.title}, by ${formatShortDateTime(data.deadline, data.timeZone)}`,
    preheader: `Please send the minutes by ${deadline}.`,
    heading: 'Please send the minutes of the management review',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `The ${data.cycle.title} met on ${formatDateTime(data.meetingAt, data.timeZone)}. ` +
          'To close the meeting, please send its minutes by ',
        strong(deadline),
        '.',
      ),
      heading('What the minutes must record'),
      p(
        'ISO/IEC 27001 clause 9.3.3 and auditors expect, and the review system checks, that the minutes record:',
      ),
      list(MINUTES_MUST_RECORD),
      data.inputs.length
        ? p(
            `Inputs in the package: ${data.inputs.map((input) => `${input.title} (${input.key})`).join('; ')}.`,
          )
        : undefined,
      heading('How to send them'),
      list([
        data.replyTemplate
          ? 'Reply to this email with the block below filled in; keep the lines in square brackets as they are.'
          : 'Reply to this email with the minutes form filled in: the form is in the first request for the minutes.',
        ...(data.alternative ? [['Or submit them from a file: ', code(data.alternative)]] : []),
        'Minutes that lack anything required are returned with a list of exactly what is missing; nothing is recorded until they are complete.',
        'Once recorded, the minutes are sent to the attendees and every action is followed up with its owner.',
      ]),
      data.replyTemplate ? copyBlock('The minutes block to fill in:', data.replyTemplate) : undefined,
    ],
    footer: standardFooter({ organisation: data.organisation, cycle: data.cycle, replyIsRead: true }),
  });
}
