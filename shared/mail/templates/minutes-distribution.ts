/**
 * The approved minutes, to the attendees: who attended, what was decided, who does what by when,
 * and the overall assessment of the ISMS.
 */
import { formatDate, formatDateTime, formatDayOf } from './format.ts';
import {
  code,
  facts,
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

export interface Verdict {
  /** e.g. "suitable", "adequate with reservations". */
  verdict: string;
  rationale: string;
}

export interface MinutesDistributionData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** UTC time of the meeting. */
  meetingAt: string;
  /** UTC time the minutes were recorded. */
  recordedAt: string;
  attendees: { name: string; role: string; proxyFor?: string }[];
  absent?: { name: string; role: string }[];
  inputsConsidered: { key: string; title: string }[];
  decisions: { id: string; category: string; text: string }[];
  actions: { id: string; title: string; owner: Person; dueDate: string }[];
  assessment: { suitability: Verdict; adequacy: Verdict; effectiveness: Verdict; alignment: Verdict };
  /** The minutes as attached, with their SHA-256. */
  attachment?: { filename: string; sha256: string };
  ismsManager: Person;
}

export function minutesDistribution(data: MinutesDistributionData): RenderedMail {
  const tz = data.timeZone;
  const { suitability, adequacy, effectiveness, alignment } = data.assessment;
  return renderDocument({
    subject: `Minutes: ${data.cycle.title}, meeting of ${formatDayOf(data.meetingAt, tz)}`,
    preheader: `${data.decisions.length} decisions, ${data.actions.length} actions.`,
    heading: `Minutes of the ${data.cycle.title}`,
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `These are the minutes of the management review of ${data.organisation}'s information security management system, ` +
          `held on ${formatDateTime(data.meetingAt, tz)} and recorded on ${formatDateTime(data.recordedAt, tz)}.`,
      ),
      heading('Attendance'),
      list(
        data.attendees.map((person) =>
          person.proxyFor
            ? `${person.name}, ${person.role}, standing in for ${person.proxyFor} (proxy)`
            : `${person.name}, ${person.role}`,
        ),
      ),
      data.absent?.length
        ? p(`Absent: ${data.absent.map((person) => `${person.name} (${person.role})`).join('; ')}.`)
        : undefined,
      heading('Inputs considered'),
      list(data.inputsConsidered.map((input) => `${input.title} (${input.key})`)),
      heading('Overall assessment of the ISMS'),
      items([
        { title: `Suitability: ${suitability.verdict}`, quote: suitability.rationale },
        { title: `Adequacy: ${adequacy.verdict}`, quote: adequacy.rationale },
        { title: `Effectiveness: ${effectiveness.verdict}`, quote: effectiveness.rationale },
        { title: `Alignment with strategic direction: ${alignment.verdict}`, quote: alignment.rationale },
      ]),
      heading('Decisions'),
      data.decisions.length
        ? items(
            data.decisions.map((decision) => ({
              title: `${decision.id} (${decision.category})`,
              quote: decision.text,
            })),
          )
        : p('No decisions were recorded.'),
      heading('Actions'),
      data.actions.length
        ? items(
            data.actions.map((action) => ({
              title: `${action.id}: ${action.title}`,
              facts: [
                ['Owner', action.owner.name],
                ['Due', strong(formatDate(action.dueDate))],
              ],
            })),
          )
        : p('No actions were decided.'),
      data.actions.length
        ? p(
            'Each owner will be reminded before the due date and can report progress by replying to the reminder. Overdue actions are escalated to the ISMS manager and then to top management.',
          )
        : undefined,
      data.attachment
        ? facts(['Attached', data.attachment.filename], ['SHA-256', code(data.attachment.sha256)])
        : undefined,
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: false,
    }),
  });
}
