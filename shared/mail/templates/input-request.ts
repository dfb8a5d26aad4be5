/**
 * The request for clause 9.3.2 inputs: one message per owner, grouping all of that owner's inputs.
 */
import { METRIC_EXAMPLE } from '../reply-format.ts';
import { count, formatDateTime, formatDayOf, formatPeriod, formatShortDateTime } from './format.ts';
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
  type Item,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface PreviousAnswer {
  /** e.g. "Q3 2026 management review" */
  cycleTitle: string;
  /** UTC time the answer was received. */
  receivedAt: string;
  /** The summary the owner gave, or the reason when there was nothing to report. */
  summary: string;
  nothingToReport?: boolean;
}

export interface RequestedInput {
  /** Catalogue key, e.g. d1. */
  key: string;
  /** e.g. "Nonconformities and corrective actions". */
  title: string;
  /** e.g. ["ISO/IEC 27001:2022 9.3.2 d1"]. */
  clauses: string[];
  /** What is asked, in the catalogue's words, e.g. "Open and closed nonconformities, with the trend". */
  asked: string;
  /** The period the input covers: calendar dates, inclusive. */
  period: { from: string; to: string };
  /** The owner's answer in the last cycle, shown for reference. */
  previousAnswer?: PreviousAnswer;
}

export interface InputRequestData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  inputs: RequestedInput[];
  /** UTC time answers are due. */
  deadline: string;
  /** UTC time of the review meeting, when planned. */
  meetingAt?: string;
  /** The block the owner fills in and sends back (rendered by the reply format). */
  replyTemplate: string;
  /** Who runs the review: for questions. */
  ismsManager: Person;
  /** Attachment limit in MB, when there is one. */
  maxAttachmentMb?: number;
}

export function inputItems(inputs: readonly RequestedInput[], timeZone: string): Item[] {
  return inputs.map((input) => ({
    title: `${input.title} (input ${input.key})`,
    facts: [
      ['Clause', input.clauses.join('; ')],
      ['What is asked', input.asked],
      ['Period covered', formatPeriod(input.period)],
      ...(input.previousAnswer
        ? ([
            [
              'Your last answer',
              `${input.previousAnswer.cycleTitle}, received ${formatDateTime(input.previousAnswer.receivedAt, timeZone)}` +
                (input.previousAnswer.nothingToReport ? ' (nothing to report)' : ''),
            ],
          ] as const)
        : []),
    ],
    quote: input.previousAnswer?.summary,
  }));
}

export function inputRequest(data: InputRequestData): RenderedMail {
  const deadline = formatDateTime(data.deadline, data.timeZone);
  const single = data.inputs.length === 1 ? data.inputs[0] : undefined;
  const subject = single
    ? `Input needed for the ${data.cycle.title}: ${single.title}, by ${formatShortDateTime(data.deadline, data.timeZone)}`
    : `${count(data.inputs.length, 'input')} needed for the ${data.cycle.title}, by ${formatShortDateTime(data.deadline, data.timeZone)}`;
  const attachmentLimit = data.maxAttachmentMb ? ` (up to ${data.maxAttachmentMb} MB in all)` : '';
  return renderDocument({
    subject,
    preheader: `Please reply by ${deadline}.`,
    heading: single ? 'Your input for the management review' : 'Your inputs for the management review',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `${data.organisation}'s top management will review the information security management system (ISMS) ` +
          `at the ${data.cycle.title}` +
          (data.meetingAt ? `, on ${formatDayOf(data.meetingAt, data.timeZone)}` : '') +
          `. ISO/IEC 27001 clause 9.3 requires the review to consider the ${single ? 'input' : 'inputs'} below, ` +
          `and you are ${single ? 'its' : 'their'} owner.`,
      ),
      p('Please reply by ', strong(deadline), '.'),
      heading(single ? 'What is asked' : `What is asked (${data.inputs.length} inputs)`),
      items(inputItems(data.inputs, data.timeZone)),
      heading('How to answer'),
      list([
        'Reply to this email. Fill in the block below and keep the lines in square brackets as they are.',
        'Under each [input ...] line: "period:" the dates your answer covers (yyyy-mm-dd to yyyy-mm-dd); "summary:" what happened, over as many lines as you need; ' +
          `one "metric:" line per figure, as <name> = <number> <unit> (e.g. ${METRIC_EXAMPLE}); and "decision needed:" what top management must decide, or nothing.`,
        'If there is nothing to report for an input, write "nothing to report:" followed by the reason. That is a valid answer.',
        `You may attach supporting files in CSV, XLSX or PDF format${attachmentLimit}.`,
        'To correct an answer, reply again before the deadline: the newest answer is the one recorded.',
        'You will receive a confirmation that repeats what was recorded, or a message saying exactly what to fix.',
      ]),
      copyBlock('The block to fill in:', data.replyTemplate),
      alert(
        `An input not received by ${deadline} is shown to top management as NOT PROVIDED, and its absence becomes an item for their decision.`,
      ),
      p(
        'If you cannot meet the deadline, or you are not the right person for an input, tell ',
        contact(data.ismsManager),
        ' as soon as possible.',
      ),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: data.ismsManager,
      replyIsRead: true,
    }),
  });
}
