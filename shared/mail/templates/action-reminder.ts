/**
 * Before the due date: reminds an action's owner, with the commands to answer by reply.
 */
import { formatDate } from './format.ts';
import { actionFacts, OWNER_COMMANDS, type ActionRef } from './action-common.ts';
import {
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

export interface ActionReminderData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  /** Days until the due date: 0 means due today. */
  daysLeft: number;
  ismsManager: Person;
}

function dueIn(daysLeft: number): string {
  if (daysLeft <= 0) return 'due today';
  if (daysLeft === 1) return 'due tomorrow';
  return `due in ${daysLeft} days`;
}

export function actionReminder(data: ActionReminderData): RenderedMail {
  const { action } = data;
  const when = dueIn(data.daysLeft);
  return renderDocument({
    subject: `Action ${when} (${formatDate(action.dueDate)}): ${action.title}`,
    preheader: `${action.id} is ${when}. Reply DONE, PROGRESS or EXTEND.`,
    heading: `Your action is ${when}`,
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `Top management gave you this action at the ${action.decidedIn.cycleTitle}. It is `,
        strong(`${when}, ${formatDate(action.dueDate)}`),
        '.',
      ),
      facts(...actionFacts(action, data.timeZone)),
      heading('How to answer'),
      p('Reply to this email with one of these on the first line:'),
      list(OWNER_COMMANDS),
      p(
        'If the due date passes with the action still open, you will be told, and then the ISMS manager and top management.',
      ),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
