/**
 * Top management's decision on an escalated action, to its owner: a new due date, a new owner, or
 * the risk accepted and the action closed. When the action changes owner, the new owner gets it
 * (the previous owner and the ISMS manager are copied).
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

export interface ManagementDecisionData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** The action as it is after the decision. */
  action: ActionRef;
  decision: 'reschedule' | 'reassign' | 'accept-risk';
  /** In the words of the member of top management who decided. */
  reason: string;
  decidedBy: Person;
  previousOwner: Person;
  /** yyyy-mm-dd, before the decision. */
  previousDueDate: string;
  ismsManager: Person;
  /** The reminders this message stands for, e.g. ['7-day'] (newDateReminderWords). */
  remindersStoodFor?: readonly string[];
}

export function managementDecision(data: ManagementDecisionData): RenderedMail {
  const { action, decidedBy } = data;
  const due = formatDate(action.dueDate);
  const subject = {
    reschedule: `New due date for action ${action.id}: ${due}, set by top management`,
    reassign: `Action ${action.id} is now yours: ${action.title}, due ${due}`,
    'accept-risk': `Action ${action.id} closed: top management accepted the risk`,
  }[data.decision];
  const opening = {
    reschedule: p(
      `${decidedBy.name}, for top management, decided on this overdue action: it is now due on `,
      strong(due),
      ` instead of ${formatDate(data.previousDueDate)}. ${newDateReminderWords(data.remindersStoodFor)}`,
    ),
    reassign: p(
      `${decidedBy.name}, for top management, decided that this action moves from ${data.previousOwner.name} to `,
      strong(action.owner.name),
      `, due on `,
      strong(due),
      data.remindersStoodFor?.length
        ? `. Reminders go to the new owner from now on. ${newDateReminderWords(data.remindersStoodFor)}`
        : '. Reminders go to the new owner from now on.',
    ),
    'accept-risk': alert(
      `${decidedBy.name}, for top management, decided not to carry out this action and to accept the risk it was meant to treat. ` +
        'The action is closed as cancelled, with this decision in its record; nothing more is asked of you.',
    ),
  }[data.decision];
  const open = data.decision !== 'accept-risk';
  return renderDocument({
    subject,
    preheader:
      data.decision === 'accept-risk'
        ? `Decided by ${decidedBy.name}: ${data.reason}`
        : `Due ${due}. Decided by ${decidedBy.name}.`,
    heading: {
      reschedule: 'Top management set a new due date',
      reassign: 'Top management gave this action a new owner',
      'accept-risk': 'Top management accepted the risk',
    }[data.decision],
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      opening,
      facts(['Reason', data.reason], ...actionFacts(action, data.timeZone)),
      open ? p('Reply to this email with one of these on the first line:') : undefined,
      open ? list(OWNER_COMMANDS) : undefined,
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: open,
    }),
  });
}
