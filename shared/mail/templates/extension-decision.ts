/**
 * The chair's answer to an owner's request for a later due date.
 */
import { formatDate } from './format.ts';
import { actionFacts, newDateReminderWords, OWNER_COMMANDS, type ActionRef } from './action-common.ts';
import {
  alert,
  facts,
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

export interface ExtensionDecisionData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** The action as it is now (approved: with the new due date). */
  action: ActionRef;
  approved: boolean;
  /** yyyy-mm-dd asked for, and the due date before the answer. */
  requestedDueDate: string;
  previousDueDate: string;
  /** The chair's reason (refused) or comment (approved). */
  reason?: string;
  chair: Person;
  ismsManager: Person;
  /** The reminders this message stands for, e.g. ['7-day'] (newDateReminderWords). */
  remindersStoodFor?: readonly string[];
}

export function extensionDecision(data: ExtensionDecisionData): RenderedMail {
  const { action } = data;
  const verdict = data.approved ? 'approved' : 'refused';
  return renderDocument({
    subject: `Extension ${verdict} for action ${action.id}: due ${formatDate(action.dueDate)}`,
    preheader: data.approved
      ? `The new due date is ${formatDate(data.requestedDueDate)}.`
      : `The due date stays ${formatDate(data.previousDueDate)}.`,
    heading: data.approved ? 'Your new due date was approved' : 'Your extension request was refused',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      data.approved
        ? p(
            `${data.chair.name} approved your request: the action is now due on `,
            strong(formatDate(data.requestedDueDate)),
            ` instead of ${formatDate(data.previousDueDate)}. ${newDateReminderWords(data.remindersStoodFor)}`,
          )
        : alert(
            `${data.chair.name} refused your request to move the due date to ${formatDate(data.requestedDueDate)}. ` +
              `The action stays due on ${formatDate(data.previousDueDate)}.`,
          ),
      data.reason ? facts([data.approved ? 'Comment' : 'Reason', data.reason]) : undefined,
      facts(...actionFacts(action, data.timeZone)),
      p('Reply to this email with one of these on the first line:'),
      list(OWNER_COMMANDS),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
