/**
 * With the package: the minutes form, for the ISMS manager alone (who writes the minutes), to fill
 * in at the meeting. Top management gets the package without it.
 */
import { formatDateTime, formatShortDateTime } from './format.ts';
import {
  code,
  copyBlock,
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

export interface MinutesFormData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** UTC time of the meeting. */
  meetingAt: string;
  /** The minutes form to fill in. */
  form: string;
  /** How to submit it from a file (a command line: this mail goes to the ISMS manager only). */
  alternative: string;
}

export function minutesForm(data: MinutesFormData): RenderedMail {
  const meeting = formatDateTime(data.meetingAt, data.timeZone);
  return renderDocument({
    subject: `Minutes form for the meeting of ${formatShortDateTime(data.meetingAt, data.timeZone)}: ${data.cycle.title}`,
    preheader: `The form for the minutes of the meeting on ${meeting}.`,
    heading: 'The minutes form for the management review meeting',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `The package for the ${data.cycle.title} has gone to top management. The meeting is on `,
        strong(meeting),
        '. Below is the form for its minutes, to fill in at the meeting; it is also attached as a file.',
      ),
      list([
        'Once the meeting has been held you will be asked for the minutes: reply to that request with the form filled in.',
        ['Or submit them from a file: ', code(data.alternative)],
        'Minutes that lack anything required come back with a list of exactly what is missing.',
      ]),
      copyBlock('The minutes form:', data.form),
    ],
    footer: standardFooter({ organisation: data.organisation, cycle: data.cycle, replyIsRead: false }),
  });
}
