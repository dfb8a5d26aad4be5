/**
 * After the due date: tells the owner the action is overdue, how to answer, and who is told next.
 */
import { days, formatDate } from './format.ts';
import { actionFacts, OWNER_COMMANDS, type ActionRef } from './action-common.ts';
import {
  alert,
  facts,
  heading,
  list,
  p,
  renderDocument,
  standardFooter,
  type CycleRef,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface ActionOverdueData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  daysOverdue: number;
  /** The next step of the escalation ladder, if the action stays open. */
  nextEscalation?: { on: string; to: string };
  ismsManager: Person;
}

export function actionOverdue(data: ActionOverdueData): RenderedMail {
  const { action } = data;
  return renderDocument({
    subject: `Overdue by ${days(data.daysOverdue)}: action ${action.id}, ${action.title}`,
    preheader: `It was due ${formatDate(action.dueDate)}. Reply DONE, PROGRESS or EXTEND.`,
    heading: 'Your action is overdue',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      alert(
        `Action ${action.id} was due on ${formatDate(action.dueDate)} and is ${days(data.daysOverdue)} overdue. It is still recorded as ${action.status}.`,
      ),
      facts(...actionFacts(action, data.timeZone)),
      heading('What to do now'),
      p('Reply to this email with one of these on the first line:'),
      list(OWNER_COMMANDS),
      data.nextEscalation
        ? p(
            `If the action is still open on ${formatDate(data.nextEscalation.on)}, it will be escalated to ${data.nextEscalation.to}.`,
          )
        : undefined,
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
