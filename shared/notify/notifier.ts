/**
 * Every message the review cycle sends, behind the one NotifierPort the workflow calls. Each message
 * family has its own file (input-, package-, minutes-, action-, approval- and failure-messages.ts),
 * which also gives the family alone as a notifier; all of them
 * go through the envelope in envelope.ts: the cycle's records to a rendered template, a signed reply
 * address where an answer is expected, and the exactly-once outbox.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import { CycleMail, type NotifierOptions } from './envelope.ts';
import { inputMessages } from './input-messages.ts';
import { packageMessages } from './package-messages.ts';
import { minutesMessages } from './minutes-messages.ts';
import { actionMessages } from './action-messages.ts';
import { failureMessages } from './failure-messages.ts';
import { approvalMessages } from './approval-messages.ts';

export type { NotifierOptions } from './envelope.ts';

/**
 * Every message family on one envelope. A function that sends one family only is given that
 * family's notifier instead (shared/wiring/*-notifier.ts), so its bundle holds no other template.
 */
export function cycleNotifier(options: NotifierOptions): NotifierPort {
  const mail = new CycleMail(options);
  return {
    ...inputMessages(mail),
    ...packageMessages(mail),
    ...minutesMessages(mail),
    ...actionMessages(mail),
    ...approvalMessages(mail),
    ...failureMessages(mail),
  };
}
