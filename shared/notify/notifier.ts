/**
 * Every message the review cycle sends, behind the one NotifierPort the workflow calls. Each message
 * family has its own file (input-, package-, minutes-, action- and failure-messages.ts); all of them
 * go through the envelope in envelope.ts: the cycle's records to a rendered template, a signed reply
 * address where an answer is expected, and the exactly-once outbox.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import type { ActionMessage } from '../actions/ports.ts';
import { CycleMail, type NotifierOptions } from './envelope.ts';
import { inputFollowUp, inputRequest } from './input-messages.ts';
import { meetingUpdate, packageDistribution } from './package-messages.ts';
import { minutesDistribution, minutesRequest } from './minutes-messages.ts';
import {
  actionReopened,
  actionStep,
  closureConfirmationRequest,
  closureReopened,
  effectivenessCheckRequest,
  extensionDecision,
  extensionRequest,
  managementDecision,
} from './action-messages.ts';
import { failure } from './failure-messages.ts';
import { approvalRequest } from './approval-messages.ts';
import type { ApprovalMessage } from '../cycle/approvals.ts';

export type { NotifierOptions } from './envelope.ts';

type Args<K extends keyof NotifierPort> = Parameters<NotifierPort[K]>[0];

export class CycleNotifier implements NotifierPort {
  private readonly mail: CycleMail;

  constructor(options: NotifierOptions) {
    this.mail = new CycleMail(options);
  }

  sendTogether(work: () => Promise<void>) {
    return this.mail.sendTogether(work);
  }

  inputRequest(args: Args<'inputRequest'>) {
    return inputRequest(this.mail, args);
  }

  inputFollowUp(args: Args<'inputFollowUp'>) {
    return inputFollowUp(this.mail, args);
  }

  packageDistribution(args: Args<'packageDistribution'>) {
    return packageDistribution(this.mail, args);
  }

  meetingUpdate(args: Args<'meetingUpdate'>) {
    return meetingUpdate(this.mail, args);
  }

  minutesRequest(args: Args<'minutesRequest'>) {
    return minutesRequest(this.mail, args);
  }

  minutesDistribution(args: Args<'minutesDistribution'>) {
    return minutesDistribution(this.mail, args);
  }

  actionStep(args: Args<'actionStep'>) {
    return actionStep(this.mail, args);
  }

  closureConfirmationRequest(message: ActionMessage & { overdue?: boolean }) {
    return closureConfirmationRequest(this.mail, message);
  }

  closureReopened(message: Args<'closureReopened'>) {
    return closureReopened(this.mail, message);
  }

  approvalRequest(message: ApprovalMessage) {
    return approvalRequest(this.mail, message);
  }

  effectivenessCheckRequest(message: ActionMessage & { overdue?: boolean }) {
    return effectivenessCheckRequest(this.mail, message);
  }

  extensionRequest(message: ActionMessage) {
    return extensionRequest(this.mail, message);
  }

  extensionDecision(message: Args<'extensionDecision'>) {
    return extensionDecision(this.mail, message);
  }

  actionReopened(message: Args<'actionReopened'>) {
    return actionReopened(this.mail, message);
  }

  managementDecision(message: Args<'managementDecision'>) {
    return managementDecision(this.mail, message);
  }

  failure(args: Args<'failure'>) {
    return failure(this.mail, args);
  }
}
