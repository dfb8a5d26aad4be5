/**
 * Step 8 for the approval requests (shared/cycle/approvals.ts): the ISMS manager's APPROVE or
 * CHANGES <what> on a review package, the chair's APPROVE or OBJECT <what> on the minutes.
 *
 * An answer is of the version its request named (the reply token's ref). It is refused, with the
 * reason, when it comes from anyone but the approver (a delegate cannot approve), when a newer
 * version has replaced that one, or when the document has already gone out. The same message
 * handled again (a retry) records nothing twice: the events name the inbound Message-ID. The rules
 * are shared with the web app's form (shared/cycle/approval-answer.ts); this file reads the reply.
 */
import {
  parseActionCommand,
  MINUTES_APPROVAL_COMMANDS,
  PACKAGE_APPROVAL_COMMANDS,
} from '../mail/reply-format.ts';
import { splitReply } from '../mail/strip-quotes.ts';
import { APPROVAL_PURPOSES, subjectOfPurpose } from '../cycle/approvals.ts';
import {
  answerApproval,
  approvalConfirmation,
  approverRefusal,
  APPROVAL_WORDS,
  type ApprovalCommand,
} from '../cycle/approval-answer.ts';
import type { PurposeContext, PurposeResult } from './purposes.ts';
import { toProblem } from './answer.ts';

const refuse = (message: string): PurposeResult => ({ ok: false, problems: [toProblem(message)] });

export async function handleApproval(ctx: PurposeContext): Promise<PurposeResult> {
  const subject = subjectOfPurpose(ctx.token.purpose);
  if (!subject)
    return refuse(`answers to "${ctx.token.purpose}" messages are not read by email; ask the ISMS manager`);
  const words = APPROVAL_WORDS[subject];
  const version = Number(ctx.token.ref);
  if (!Number.isInteger(version) || version < 1) {
    return refuse(
      `this reply address names no version of the ${words.what}; reply to the latest approval request`,
    );
  }
  const notApprover = approverRefusal(ctx.programme, subject, {
    personId: ctx.senderId,
    onBehalfOf: ctx.onBehalfOf,
  });
  if (notApprover) return refuse(notApprover);
  const parsed = parseActionCommand(splitReply(ctx.msg.text).text, {
    allowed: subject === 'package' ? PACKAGE_APPROVAL_COMMANDS : MINUTES_APPROVAL_COMMANDS,
  });
  if (!parsed.ok) return refuse(parsed.error);
  const result = await answerApproval(ctx, {
    cycleId: ctx.cycle.id,
    programme: ctx.programme,
    subject,
    version,
    by: ctx.senderId,
    onBehalfOf: ctx.onBehalfOf,
    command: parsed.command as ApprovalCommand,
    at: ctx.receivedAt,
    messageKey: ctx.messageKey,
    channel: 'email',
  });
  if (!result.ok) return refuse(result.problem);
  const { copyManager, ...confirmation } = approvalConfirmation(result);
  const answer: PurposeResult = {
    ok: true,
    confirmation: { ...confirmation, attachments: [], ...(copyManager ? { copyManager: true } : {}) },
    recorded: {
      subject,
      version,
      answer: result.kind,
      ...(result.repeated ? { repeated: true } : {}),
    },
  };
  return result.kind === 'approve' && !result.repeated
    ? { ...answer, resume: APPROVAL_PURPOSES[subject] }
    : answer;
}
