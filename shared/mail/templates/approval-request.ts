/**
 * An approval asked by reply: the review package to the ISMS manager before it goes to top
 * management (APPROVE, or CHANGES <what>), the accepted minutes to the chair before they are
 * distributed (APPROVE, or OBJECT <what>). Reminders say so in the subject; a late approval copies
 * the person above.
 */
import { deadlineStatus, formatDateTime, formatShortDateTime } from './format.ts';
import {
  alert,
  copyBlock,
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

export interface ApprovalRequestData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  subject: 'package' | 'minutes';
  version: number;
  sha256: string;
  /** UTC now, for "n days left". */
  now: string;
  /** The package's sending date (UTC): the approval is needed by then. */
  neededBy?: string;
  /** UTC time of the meeting. */
  meetingAt: string;
  /** 0 for the request, n for the n-th reminder. */
  reminder: number;
  /** Copied because the approval is late. */
  copied?: Person;
  /** What the approver answered to an earlier version. */
  earlierAnswer?: { version: number; what: string };
  /** The file attached, e.g. `package-….pdf`. */
  attachment: string;
}

const WORDS = {
  package: {
    what: 'review package',
    other: 'CHANGES',
    otherHelp: 'CHANGES <what must change before it goes to top management>',
    example: 'CHANGES input d3 must include the October audit findings',
  },
  minutes: {
    what: 'minutes',
    other: 'OBJECT',
    otherHelp: 'OBJECT <what the minutes get wrong or leave out>',
    example: 'OBJECT D2 was deferred to the next review, not approved',
  },
} as const;

export function approvalRequest(data: ApprovalRequestData): RenderedMail {
  const words = WORDS[data.subject];
  const title = `${words.what} v${data.version} of the ${data.cycle.title}`;
  const by = data.neededBy ? formatShortDateTime(data.neededBy, data.timeZone) : undefined;
  const subjectLine =
    `Approval needed: ${title}` +
    (by ? `, by ${by}` : '') +
    (data.copied ? ` (copied to ${data.copied.name})` : '');
  const isPackage = data.subject === 'package';
  return renderDocument({
    subject: data.reminder > 0 ? `Reminder ${data.reminder}: ${subjectLine}` : subjectLine,
    preheader: `Reply APPROVE, or ${words.other} with what is wrong.`,
    heading: isPackage ? 'Please approve the review package' : 'Please approve the minutes',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      data.copied
        ? alert(
            `${data.copied.name} is copied because this approval is late. `,
            isPackage
              ? 'The package is not sent to top management until it is approved.'
              : 'The minutes are not distributed, and their actions not followed up, until they are approved.',
          )
        : undefined,
      p(
        isPackage
          ? `The review package for the meeting on ${formatDateTime(data.meetingAt, data.timeZone)} is built ` +
              '(attached). Before it goes to top management, please check that it is complete and correct.'
          : `The minutes of the meeting held on ${formatDateTime(data.meetingAt, data.timeZone)} were ` +
              'recorded (attached). As chair, please confirm that they record what the meeting considered and decided.',
      ),
      facts(
        ['Document', `${title} (${data.attachment})`],
        ['Fingerprint (SHA-256)', data.sha256],
        data.neededBy
          ? [
              'Needed by',
              [
                strong(formatDateTime(data.neededBy, data.timeZone)),
                ` (${deadlineStatus(data.neededBy, data.now, data.timeZone)})`,
              ],
            ]
          : false,
      ),
      data.earlierAnswer
        ? p(
            `You answered version ${data.earlierAnswer.version} with: “${data.earlierAnswer.what}”. ` +
              `Version ${data.version} replaces it.`,
          )
        : undefined,
      heading('How to answer'),
      list([
        ['Reply with ', strong('APPROVE'), ' on the first line to approve this version.'],
        [
          'Or reply with ',
          strong(words.otherHelp),
          isPackage
            ? ': the package is held; corrected inputs (their owners reply to their request again) build a new version, which comes to you to approve.'
            : ': the ISMS manager is asked to send corrected minutes, which come back to you to approve.',
        ],
        'Your answer is recorded with the review as audit evidence (ISO/IEC 27001 clause 7.5.2 c).',
      ]),
      copyBlock(
        `To approve, reply with this line; to ask for changes, write for example “${words.example}”:`,
        'APPROVE',
      ),
    ],
    footer: standardFooter({ organisation: data.organisation, cycle: data.cycle, replyIsRead: true }),
  });
}
