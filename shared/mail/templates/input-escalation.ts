/**
 * Inputs still missing after the reminders: first to the ISMS manager, then to the chair of top
 * management. Says which inputs, who owns them, what was done so far, and what is asked.
 */
import { count, deadlineStatus, formatDateTime, formatShortDateTime } from './format.ts';
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
  /** UTC time the notice is written: an input is "missing" only once the deadline has passed. */
  now: string;
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
  const status = deadlineStatus(data.deadline, data.now, data.timeZone);
  const passed = status.startsWith('overdue');
  const due = `due ${formatShortDateTime(data.deadline, data.timeZone)}, ${status}`;
  return renderDocument({
    subject: toChair
      ? `Escalation: ${n} not received for the ${data.cycle.title} (${due})`
      : `${n} not received for the ${data.cycle.title} after reminders (${due})`,
    preheader: `${data.missing.map((input) => `${input.title} (${input.owner.name})`).join('; ')}`,
    heading: toChair
      ? `Review inputs ${passed ? 'missing' : 'not received yet'}: escalation to the chair`
      : `Review inputs ${passed ? 'missing' : 'not received'} after reminders`,
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `The ${data.cycle.title}` +
          (data.meetingAt ? `, meeting on ${formatDateTime(data.meetingAt, data.timeZone)},` : '') +
          ` ${passed ? 'is missing' : 'has not yet received'} ${data.missing.length === 1 ? 'an input' : `${data.missing.length} inputs`} that ISO/IEC 27001 clause 9.3.2 requires. ` +
          `${data.missing.length === 1 ? 'Its owner was' : 'Their owners were'} asked and reminded, and no answer has arrived. Inputs ${passed ? 'were' : 'are'} due by `,
        strong(deadline),
        ` (${status}).`,
      ),
      toChair && data.escalatedToManagerAt
        ? p(
            `The ISMS manager, ${data.ismsManager.name}, was told on ${formatDateTime(data.escalatedToManagerAt, data.timeZone)}.`,
          )
        : undefined,
      heading(passed ? 'What is missing' : 'What has not arrived yet'),
      items(
        data.missing.map((input) => ({
          title: `${input.title} (input ${input.key})`,
          // Before the deadline an input is not missing yet: the flag says how long is left.
          flag: passed ? `MISSING, ${status}` : `NOT RECEIVED, ${status}`,
          flagTone: passed ? 'alert' : 'note',
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
