/**
 * A corrective action was reported done: asks the ISMS manager (the chair, when the ISMS manager
 * owns the action) to look at its evidence and answer CONFIRM, which starts its effectiveness check,
 * or REOPEN with what is missing, which sends it back to its owner.
 */
import { formatDateTime, formatSize } from './format.ts';
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
  type CycleRef,
  type Fact,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface ClosureConfirmationData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  action: ActionRef;
  /** What the owner reported as done, when (UTC), and the evidence they gave. */
  closure: {
    text: string;
    at: string;
    links: readonly string[];
    attachments: readonly { name: string; size: number; sha256: string }[];
  };
  /** Who checks the effectiveness once the closure is confirmed, and within how many days. */
  checker: Person;
  checkDays: number;
  /** The confirmation has waited: this is the reminder. */
  overdue?: boolean;
  /** The chair confirms because the ISMS manager owns the action. */
  asChair?: boolean;
  ismsManager: Person;
}

export function closureConfirmation(data: ClosureConfirmationData): RenderedMail {
  const { action, closure } = data;
  const evidence: Fact[] = [
    ['Reported as done', closure.text],
    ...(closure.links.length > 0 ? [['Links', closure.links.join('\n')] as const] : []),
    ...(closure.attachments.length > 0
      ? [
          [
            'Files attached',
            closure.attachments
              .map((file) => `${file.name} (${formatSize(file.size)}, SHA-256 ${file.sha256})`)
              .join('\n'),
          ] as const,
        ]
      : []),
  ];
  return renderDocument({
    subject: data.overdue
      ? `Still waiting for your confirmation: corrective action ${action.id}, ${action.title}`
      : `Please confirm the closure of corrective action ${action.id}, ${action.title}`,
    preheader: `${action.owner.name} reported it done. Reply CONFIRM, or REOPEN with what is missing.`,
    heading: 'Please confirm that a corrective action is done',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      data.overdue
        ? alert(
            `${action.owner.name} reported this action done on ${formatDateTime(closure.at, data.timeZone)} and it has no confirmation yet. ` +
              'Until it is confirmed, the corrective action is not closed and its effectiveness check does not start.',
          )
        : undefined,
      p(
        `${action.owner.name} reported this corrective action done on ${formatDateTime(closure.at, data.timeZone)}. `,
        'A corrective action is closed on evidence, not on its owner\u2019s word: please look at what was given and confirm it, or send it back.',
        data.asChair ? ' You are asked because the ISMS manager owns this action.' : '',
      ),
      facts(...evidence, ...actionFacts(action, data.timeZone)),
      closure.attachments.length > 0
        ? p(
            'The files are kept with the review\u2019s evidence under the SHA-256 shown, so that an auditor can check they were not changed.',
          )
        : undefined,
      heading('How to answer'),
      p('Reply to this email with one of these on the first line:'),
      list([
        [
          code('CONFIRM'),
          ` to confirm the closure. ${data.checker.name} is then asked to check, within ${data.checkDays} days, that it removed the cause.`,
        ],
        [
          code('REOPEN <what is missing>'),
          ' to send it back: the action is in progress again and the owner is told what you wrote.',
        ],
      ]),
      p('Your answer is recorded with the action and shown to the auditor.'),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
