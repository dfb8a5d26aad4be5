/**
 * A corrective action was reported done: asks someone other than its owner to check that it worked
 * (ISO/IEC 27001 clause 10.1), and to answer PASS or FAIL with the rationale by reply.
 */
import { formatDate, formatDateTime } from './format.ts';
import { actionFacts, type ActionRef } from './action-common.ts';
import {
  alert,
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

export interface EffectivenessCheckData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  /** What the owner reported as done, and when (UTC). */
  closure: { text: string; at: string };
  /** yyyy-mm-dd by which the check is wanted. */
  checkDueDate: string;
  /** The check is past its due date: this is the reminder (the ISMS manager is copied). */
  overdue?: boolean;
  ismsManager: Person;
}

export function effectivenessCheck(data: EffectivenessCheckData): RenderedMail {
  const { action } = data;
  return renderDocument({
    subject: data.overdue
      ? `Overdue since ${formatDate(data.checkDueDate)}: effectiveness check of action ${action.id}, ${action.title}`
      : `Effectiveness check needed by ${formatDate(data.checkDueDate)}: action ${action.id}, ${action.title}`,
    preheader: `${action.owner.name} reported the corrective action done. Reply PASS or FAIL with your rationale.`,
    heading: 'Please check that a corrective action worked',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      data.overdue
        ? alert(
            `This check was due on ${formatDate(data.checkDueDate)} and has no answer yet. ` +
              'Until it is answered the corrective action is not closed; the ISMS manager is copied.',
          )
        : undefined,
      p(
        `${action.owner.name} reported this corrective action done on ${formatDateTime(data.closure.at, data.timeZone)}. `,
        'A corrective action is closed only when someone other than its owner has confirmed that it removed the cause of the nonconformity. You were chosen for that check.',
      ),
      facts(['Reported as done', data.closure.text], ...actionFacts(action, data.timeZone)),
      heading('How to answer'),
      p(
        'Reply to this email with one of these on the first line, by ',
        strong(formatDate(data.checkDueDate)),
        ':',
      ),
      list([
        [code('PASS <what you looked at and what it showed>'), ' to verify the action.'],
        [
          code('FAIL <what you found>'),
          ' to reopen it: the owner is told your finding and the action is followed up again.',
        ],
      ]),
      p('Your answer and rationale are recorded with the action and shown to the auditor.'),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
