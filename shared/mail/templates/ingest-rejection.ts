/**
 * The answer to a reply that could not be recorded: what is wrong, how to fix it, and that
 * nothing was recorded. The message itself is kept as received.
 */
import { formatDateTime } from './format.ts';
import {
  copyBlock,
  heading,
  items,
  p,
  renderDocument,
  standardFooter,
  strong,
  type CycleRef,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface IngestProblem {
  /** Where, e.g. "input d1, line 3" or "attachment budget.xlsm". */
  where?: string;
  /** What is wrong, e.g. "'period' is missing". */
  problem: string;
  /** How to fix it, e.g. "write it as period: 2026-07-01 to 2026-09-30". */
  fix: string;
}

export interface IngestRejectionData extends MailContext {
  /** The cycle, when the message could be matched to one. */
  cycle?: CycleRef;
  /** The sender, when known; otherwise the greeting is neutral. */
  recipient?: Person;
  /** UTC time the message arrived. */
  receivedAt: string;
  originalSubject: string;
  problems: IngestProblem[];
  /** The block to fill in again, when the fix is to resend it. */
  replyTemplate?: string;
  /** Where to reply with the fix, in words, e.g. "Reply to this email". */
  howToResend: string;
  ismsManager: Person;
}

export function ingestRejection(data: IngestRejectionData): RenderedMail {
  const n = data.problems.length;
  return renderDocument({
    subject: `Not recorded: please correct your message "${data.originalSubject}"`,
    preheader: `${n === 1 ? 'One thing needs' : `${n} things need`} fixing before your answer can be recorded.`,
    heading: 'Your message could not be recorded',
    greeting: data.recipient ? `Dear ${data.recipient.name},` : 'Hello,',
    blocks: [
      p(
        `Your message "${data.originalSubject}", received ${formatDateTime(data.receivedAt, data.timeZone)}` +
          (data.cycle ? ` for the ${data.cycle.title}` : '') +
          ', could not be recorded. ',
        strong('Nothing from it was recorded'),
        '; the message itself is kept as received.',
      ),
      heading(n === 1 ? 'What to fix' : `What to fix (${n} points)`),
      items(
        data.problems.map((problem, index) => ({
          title: problem.where ? `Point ${index + 1}: ${problem.where}` : `Point ${index + 1}`,
          facts: [
            ['Problem', problem.problem],
            ['Fix', problem.fix],
          ],
        })),
      ),
      heading('How to send it again'),
      p(data.howToResend),
      data.replyTemplate ? copyBlock('The block to fill in:', data.replyTemplate) : undefined,
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: false,
    }),
  });
}
