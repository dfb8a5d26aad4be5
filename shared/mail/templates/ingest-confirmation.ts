/**
 * The answer to an accepted reply: echoes exactly what was recorded, so the sender can check it.
 */
import { formatDateTime, formatSize } from './format.ts';
import {
  code,
  facts,
  heading,
  items,
  list,
  p,
  renderDocument,
  standardFooter,
  type CycleRef,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface IngestConfirmationData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** UTC time the message arrived. */
  receivedAt: string;
  /** The subject of the message being answered. */
  originalSubject: string;
  /** What the message was recorded as, e.g. "your input d1, Nonconformities and corrective actions". */
  recordedAs: string;
  /** The record's reference, e.g. the submission id. */
  reference: string;
  /** Every field recorded, with the value exactly as stored. */
  fields: { label: string; value: string }[];
  /** Attachments kept with the record. */
  attachments: { filename: string; size: number; sha256: string }[];
  /** The reference of an earlier record this one replaces. */
  replaces?: string;
  /** How to correct it, e.g. "Reply again before Friday 16 October 2026, 17:00 (Europe/London)". */
  howToCorrect?: string;
  ismsManager: Person;
}

export function ingestConfirmation(data: IngestConfirmationData): RenderedMail {
  return renderDocument({
    subject: `Recorded: ${data.recordedAs} (${data.cycle.title})`,
    preheader: `Reference ${data.reference}. Please check what was recorded.`,
    heading: 'Thank you: your answer is recorded',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `Your message "${data.originalSubject}", received ${formatDateTime(data.receivedAt, data.timeZone)}, ` +
          `is recorded as ${data.recordedAs} for the ${data.cycle.title}.`,
      ),
      facts(
        ['Reference', code(data.reference)],
        data.replaces !== undefined && ['Replaces', code(data.replaces)],
      ),
      heading('What was recorded'),
      p('Exactly as stored:'),
      items(data.fields.map((field) => ({ title: field.label, quote: field.value }))),
      data.attachments.length ? heading('Files kept') : undefined,
      data.attachments.length
        ? list(
            data.attachments.map((file) => [
              `${file.filename} (${formatSize(file.size)}), SHA-256 `,
              code(file.sha256),
            ]),
          )
        : undefined,
      heading('Is anything wrong?'),
      p(
        data.howToCorrect ??
          'Reply to the original request again with the corrected answer: the newest answer is the one recorded.',
      ),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: false,
    }),
  });
}
