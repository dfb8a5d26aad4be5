/**
 * A step of the review workflow failed: tells the ISMS manager what failed, when, what it means
 * for the cycle and what to do. The error text is shortened; it never carries a token or a body
 * (the caller passes the error's name and message only).
 */
import { formatDateTime } from './format.ts';
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
  type Inline,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface WorkflowFailureData extends MailContext {
  cycle: CycleRef;
  recipient: Person;
  /** The step in words or the state name, e.g. "Request inputs". */
  step: string;
  error: { name: string; message: string };
  /** UTC time of the failure. */
  occurredAt: string;
  /** The execution name (the cycle id on AWS), when known. */
  executionName?: string;
  /** What the failure means for the cycle, e.g. "The cycle has stopped before the package was sent." */
  consequence: string;
  /** What to do, in order, e.g. commands to inspect and resume. */
  whatToDo: Inline[];
}

const MAX_ERROR = 1000;

export function workflowFailure(data: WorkflowFailureData): RenderedMail {
  const message =
    data.error.message.length > MAX_ERROR
      ? `${data.error.message.slice(0, MAX_ERROR)}… (shortened; the full text is in the workflow's log)`
      : data.error.message;
  return renderDocument({
    subject: `Review workflow failed: ${data.cycle.title}, step "${data.step}"`,
    preheader: `${data.error.name} at ${formatDateTime(data.occurredAt, data.timeZone)}.`,
    heading: 'A step of the review workflow failed',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      alert(data.consequence),
      facts(
        ['Review', `${data.cycle.title} (${data.cycle.id})`],
        ['Step', data.step],
        ['When', formatDateTime(data.occurredAt, data.timeZone)],
        ['Error', code(data.error.name)],
        data.executionName !== undefined && ['Execution', code(data.executionName)],
      ),
      heading('What the system reported'),
      p(message),
      heading('What to do'),
      list(data.whatToDo, true),
      p('The failure is recorded in the cycle’s log, with this notice.'),
    ],
    footer: standardFooter({ organisation: data.organisation, cycle: data.cycle, replyIsRead: false }),
  });
}
