/**
 * A failed effectiveness check reopened a corrective action: tells the owner what was found.
 */
import { formatDate } from './format.ts';
import { actionFacts, OWNER_COMMANDS, type ActionRef } from './action-common.ts';
import {
  alert,
  facts,
  list,
  p,
  renderDocument,
  standardFooter,
  type CycleRef,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface ActionReopenedData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  /** What the check found, in the checker's words. */
  finding: string;
  checkedBy: Person;
  ismsManager: Person;
}

export function actionReopened(data: ActionReopenedData): RenderedMail {
  const { action } = data;
  return renderDocument({
    subject: `Reopened after its effectiveness check: action ${action.id}, ${action.title}`,
    preheader: `${data.checkedBy.name} found it did not work. New due date ${formatDate(action.dueDate)}.`,
    heading: 'Your corrective action was reopened',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      alert(
        `${data.checkedBy.name} checked the effectiveness of this corrective action and found that it did not remove the cause. ` +
          `The action is open again, due on ${formatDate(action.dueDate)}.`,
      ),
      facts(['Finding', data.finding], ...actionFacts(action, data.timeZone)),
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
