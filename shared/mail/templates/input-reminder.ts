/**
 * A reminder to an input owner whose inputs have not all arrived.
 */
import { count, formatDateTime, formatPeriod, formatShortDateTime } from './format.ts';
import {
  alert,
  contact,
  copyBlock,
  heading,
  items,
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

export interface InputReminderData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** The owner's inputs not received yet. */
  missing: { key: string; title: string; period: { from: string; to: string } }[];
  /** The owner's inputs already received, so the reminder does not ask for them again. */
  received?: { key: string; title: string }[];
  /** UTC time the first request was sent. */
  requestedAt: string;
  /** UTC deadline. */
  deadline: string;
  /** 1 for the first reminder. */
  reminderNumber: number;
  replyTemplate: string;
  ismsManager: Person;
}

export function inputReminder(data: InputReminderData): RenderedMail {
  const deadline = formatDateTime(data.deadline, data.timeZone);
  const what =
    data.missing.length === 1 ? (data.missing[0]?.title ?? 'input') : count(data.missing.length, 'input');
  const ordinal = data.reminderNumber > 1 ? `Reminder ${data.reminderNumber}: ` : 'Reminder: ';
  return renderDocument({
    subject: `${ordinal}${what} for the ${data.cycle.title}, due ${formatShortDateTime(data.deadline, data.timeZone)}`,
    preheader: `Still missing: ${data.missing.map((input) => input.title).join(', ')}.`,
    heading: 'Reminder: your input is still missing',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `On ${formatDateTime(data.requestedAt, data.timeZone)} we asked for your input to the ${data.cycle.title}. ` +
          `We have not yet received ${data.missing.length === 1 ? 'the input below' : 'the inputs below'}. ` +
          'Please reply by ',
        strong(deadline),
        '.',
      ),
      heading('Still missing'),
      items(
        data.missing.map((input) => ({
          title: `${input.title} (input ${input.key})`,
          facts: [['Period covered', formatPeriod(input.period)]],
        })),
      ),
      data.received?.length
        ? p(
            `Already received, thank you: ${data.received.map((input) => `${input.title} (input ${input.key})`).join('; ')}.`,
          )
        : undefined,
      heading('How to answer'),
      list([
        'Reply to this email with the block below filled in; keep the lines in square brackets as they are.',
        'If there is nothing to report, write "nothing to report:" followed by the reason. That is a valid answer.',
        'You may attach supporting files in CSV, XLSX or PDF format.',
      ]),
      copyBlock('The block to fill in:', data.replyTemplate),
      alert(
        `Without an answer by ${deadline}, the input is shown to top management as NOT PROVIDED, and the ISMS manager and then the chair are told.`,
      ),
      p('If something stops you from answering, tell ', contact(data.ismsManager), '.'),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
