/**
 * Inputs still missing after the reminders: first to the ISMS manager, then to the chair of top
 * management. Says which inputs, who owns them, what was done so far, and what is asked.
 */
import { count, formatDateTime, formatShortDateTime } from './format.ts';
import {
  alert,
  contact,
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

export interface MissingInput {
  key: string;
  title: string;
  owner: Person;
  /** UTC time the request was sent. */
  requestedAt: string;
  remindersSent: number;
}

export interface InputEscalationData extends MailContext {
  level: 'isms-manager' | 'chair';
  cycle: CycleRef;
  recipient: Person;
  missing: MissingInput[];
  /** UTC deadline for inputs. */
  deadline: string;
  /** UTC time of the meeting, when planned. */
  meetingAt?: string;
  ismsManager: Person;
  /** For the chair: when the ISMS manager was told (UTC). */
  escalatedToManagerAt?: string;
}

export function inputEscalation(data: InputEscalationData): RenderedMail {
  const deadline = formatDateTime(data.deadline, data.timeZone);
  const n = count(data.missing.length, 'input');
  const toChair = data.level === 'chair';
  return renderDocument({
    subject: toChair
      ? `Escalation: ${n} still missing for the ${data.cycle.title} (due ${formatShortDateTime(data.deadline, data.timeZone)})`
      : `${n} missing for the ${data.cycle.title} after reminders (due ${formatShortDateTime(data.deadline, data.timeZone)})`,
    preheader: `${data.missing.map((input) => `${input.title} (${input.owner.name})`).join('; ')}`,
    heading: toChair
      ? 'Review inputs still missing: escalation to the chair'
      : 'Review inputs missing after reminders',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `The ${data.cycle.title}` +
          (data.meetingAt ? `, meeting on ${formatDateTime(data.meetingAt, data.timeZone)},` : '') +
          ` is missing ${data.missing.length === 1 ? 'an input' : `${data.missing.length} inputs`} that ISO/IEC 27001 clause 9.3.2 requires. ` +
          `${data.missing.length === 1 ? 'Its owner was' : 'Their owners were'} asked and reminded, and no answer has arrived. Inputs are due by `,
        strong(deadline),
        '.',
      ),
      toChair && data.escalatedToManagerAt
        ? p(
            `The ISMS manager, ${data.ismsManager.name}, was told on ${formatDateTime(data.escalatedToManagerAt, data.timeZone)}.`,
          )
        : undefined,
      heading('What is missing'),
      items(
        data.missing.map((input) => ({
          title: `${input.title} (input ${input.key})`,
          flag: 'MISSING',
          facts: [
            ['Owner', contact(input.owner)],
            ['Requested', formatDateTime(input.requestedAt, data.timeZone)],
            ['Reminders sent', String(input.remindersSent)],
          ],
        })),
      ),
      heading('What we ask of you'),
      toChair
        ? list([
            'Ask the owners above to send their input before the deadline; they answer by replying to their request.',
            'Or accept that the review goes ahead without it: the input will be shown in the package as NOT PROVIDED and listed as an item for decision at the meeting.',
          ])
        : list([
            'Contact the owners above and help them answer before the deadline; they answer by replying to their request or to a reminder.',
            'If an owner cannot provide the input, agree who can, or tell the owner to answer "nothing to report:" with the reason, if that is true.',
            'If nothing arrives, the chair is told next.',
          ]),
      alert(
        `Inputs not received by ${deadline} are shown to top management as NOT PROVIDED. Auditors look for exactly this, so each one becomes an item for decision.`,
      ),
      p('You do not need to reply to this message.'),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: toChair ? data.ismsManager : undefined,
      replyIsRead: false,
    }),
  });
}
