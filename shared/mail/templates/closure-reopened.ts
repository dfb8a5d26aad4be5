/**
 * The ISMS manager (or the chair) did not confirm the closure of a corrective action: tells its
 * owner what is missing; the action is in progress again.
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

export interface ClosureReopenedData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  /** What is missing, in the confirmer's words. */
  reason: string;
  reopenedBy: Person;
  ismsManager: Person;
}

export function closureReopened(data: ClosureReopenedData): RenderedMail {
  const { action } = data;
  return renderDocument({
    subject: `Not closed yet: action ${action.id}, ${action.title}`,
    preheader: `${data.reopenedBy.name} did not confirm the closure. What is missing is in this email.`,
    heading: 'Your corrective action is not closed yet',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      alert(
        `${data.reopenedBy.name} looked at the evidence you sent and did not confirm the closure. ` +
          `The action is in progress again, still due on ${formatDate(action.dueDate)}.`,
      ),
      facts(['What is missing', data.reason], ...actionFacts(action, data.timeZone)),
      p(
        'When it is complete, reply DONE again with the evidence: attach the document that shows it, or put a link to where it can be seen in the DONE line.',
      ),
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
