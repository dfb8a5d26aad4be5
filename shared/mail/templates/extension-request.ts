/**
 * An owner asked for a later due date: the chair approves or refuses by reply.
 */
import { days, formatDate, formatDateTime } from './format.ts';
import { actionFacts, type ActionRef } from './action-common.ts';
import {
  code,
  facts,
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

export interface ExtensionRequestData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  /** UTC time the owner asked. */
  requestedAt: string;
  /** yyyy-mm-dd */
  requestedDueDate: string;
  /** The owner's reason, as written. */
  reason: string;
  /** Extensions already granted for this action. */
  previousExtensions: number;
  /** UTC time by which a decision is wanted, if any. */
  decideBy?: string;
  ismsManager: Person;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function extensionRequest(data: ExtensionRequestData): RenderedMail {
  const { action } = data;
  const later = daysBetween(action.dueDate, data.requestedDueDate);
  return renderDocument({
    subject: `Extension requested for action ${action.id}: to ${formatDate(data.requestedDueDate)}`,
    preheader: `${action.owner.name} asks to move the due date by ${days(later)}. Reply APPROVE or REFUSE.`,
    heading: 'Please approve or refuse a new due date',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `On ${formatDateTime(data.requestedAt, data.timeZone)}, ${action.owner.name} asked to move the due date of an action from `,
        strong(formatDate(action.dueDate)),
        ' to ',
        strong(formatDate(data.requestedDueDate)),
        ` (${days(later)} later).`,
      ),
      facts(
        ['Reason given', data.reason],
        ['Extensions so far', data.previousExtensions === 0 ? 'none' : String(data.previousExtensions)],
        ...actionFacts(action, data.timeZone),
      ),
      heading('How to answer'),
      p('Reply to this email with one of these on the first line:'),
      list([
        [code('APPROVE'), ` to set the new due date, ${formatDate(data.requestedDueDate)}.`],
        [code('REFUSE <reason>'), ' to keep the current due date; the owner is told your reason.'],
      ]),
      data.decideBy
        ? p('Please answer by ', strong(formatDateTime(data.decideBy, data.timeZone)), '.')
        : undefined,
      p('Until you answer, the current due date stands. Your decision is recorded with the review.'),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
