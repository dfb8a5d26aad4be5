/**
 * Step 8 for the approval requests (shared/cycle/approvals.ts): the ISMS manager's APPROVE or
 * CHANGES <what> on a review package, the chair's APPROVE or OBJECT <what> on the minutes.
 *
 * An answer is of the version its request named (the reply token's ref). It is refused, with the
 * reason, when it comes from anyone but the approver (a delegate cannot approve), when a newer
 * version has replaced that one, or when the document has already gone out. The same message
 * handled again (a retry) records nothing twice: the events name the inbound Message-ID.
 */
import {
  parseActionCommand,
  MINUTES_APPROVAL_COMMANDS,
  PACKAGE_APPROVAL_COMMANDS,
} from '../mail/reply-format.ts';
import { splitReply } from '../mail/strip-quotes.ts';
import {
  APPROVAL_PURPOSES,
  approvalOf,
  approverOf,
  itemAwaitingApproval,
  recordApprovalAnswer,
  subjectOfPurpose,
  type ApprovalSubject,
} from '../cycle/approvals.ts';
import type { PurposeContext, PurposeResult } from './purposes.ts';
import { toProblem } from './answer.ts';

const WORDS: Record<ApprovalSubject, { what: string; objected: string }> = {
  package: { what: 'review package', objected: 'changes requested' },
  minutes: { what: 'minutes', objected: 'an objection' },
};

const refuse = (message: string): PurposeResult => ({ ok: false, problems: [toProblem(message)] });

export async function handleApproval(ctx: PurposeContext): Promise<PurposeResult> {
  const subject = subjectOfPurpose(ctx.token.purpose);
  if (!subject)
    return refuse(`answers to "${ctx.token.purpose}" messages are not read by email; ask the ISMS manager`);
  const words = WORDS[subject];
  const version = Number(ctx.token.ref);
  if (!Number.isInteger(version) || version < 1) {
    return refuse(
      `this reply address names no version of the ${words.what}; reply to the latest approval request`,
    );
  }
  const approver = approverOf(ctx.programme, subject);
  if (ctx.onBehalfOf || ctx.senderId !== approver.id) {
    return refuse(
      `only ${approver.name} can answer for the ${words.what}; an approval cannot be given on someone else's behalf`,
    );
  }
  const parsed = parseActionCommand(splitReply(ctx.msg.text).text, {
    allowed: subject === 'package' ? PACKAGE_APPROVAL_COMMANDS : MINUTES_APPROVAL_COMMANDS,
  });
  if (!parsed.ok) return refuse(parsed.error);
  const command = parsed.command;

  const cycle = (await ctx.repo.getCycle(ctx.cycle.id)) ?? ctx.cycle;
  const gone =
    subject === 'package' ? cycle.phase !== 'AWAITING_DISTRIBUTION' : cycle.phase !== 'AWAITING_MINUTES';
  const events = await ctx.repo.listEvents(cycle.id);
  const item = await itemAwaitingApproval(ctx, cycle, subject, events);
  const repeated = events.find(
    (event) => event.data.messageId === ctx.messageKey && event.data.version === version,
  );
  if (repeated) return confirmed(subject, version, command.kind, true);
  if (gone || !item) {
    return refuse(
      subject === 'package'
        ? `the ${words.what} of this review has already been sent to top management; nothing was recorded. Ask the ISMS manager if it must be corrected`
        : `the ${words.what} of this review are no longer awaiting approval; nothing was recorded`,
    );
  }
  if (item.version !== version) {
    return refuse(
      `version ${version} of the ${words.what} has been replaced by version ${item.version}; ` +
        'nothing was recorded. Reply to the approval request for the latest version',
    );
  }
  const approved = approvalOf(events, subject, version);
  if (approved && command.kind === 'approve') return confirmed(subject, version, 'approve', true);
  if (approved) {
    return refuse(
      `you approved version ${version} of the ${words.what} on ${approved.at.slice(0, 16).replace('T', ' ')} UTC; ` +
        'nothing was recorded. If it must change now, tell the ISMS manager',
    );
  }

  const what = command.kind === 'changes' || command.kind === 'object' ? command.what : undefined;
  const comment = command.kind === 'approve' ? command.comment : undefined;
  await recordApprovalAnswer(ctx, cycle.id, {
    subject,
    version,
    sha256: item.sha256,
    by: ctx.senderId,
    at: ctx.receivedAt,
    answer: command.kind === 'approve' ? 'approve' : subject === 'package' ? 'changes' : 'object',
    ...((what ?? comment) ? { text: (what ?? comment)! } : {}),
    messageId: ctx.messageKey,
  });
  const answer = confirmed(subject, version, command.kind, false, what);
  return command.kind === 'approve' && answer.ok ? { ...answer, resume: APPROVAL_PURPOSES[subject] } : answer;
}

function confirmed(
  subject: ApprovalSubject,
  version: number,
  kind: string,
  repeated: boolean,
  what?: string,
): PurposeResult {
  const words = WORDS[subject];
  const approve = kind === 'approve';
  const next = approve
    ? subject === 'package'
      ? 'The package goes to top management on its sending date.'
      : 'The minutes now go to everyone who attended, and their actions are followed up.'
    : subject === 'package'
      ? 'The package is held. Ask the owners concerned to reply to their input request again with the correction: each correction builds a new version, which comes to you to approve. If nothing needs to change after all, reply APPROVE to the request.'
      : 'The ISMS manager is copied and asked to send corrected minutes (with "replaces: <version>" at the top); the corrected version comes back to you to approve.';
  return {
    ok: true,
    confirmation: {
      recordedAs: approve
        ? `your approval of version ${version} of the ${words.what}`
        : `${words.objected} on version ${version} of the ${words.what}`,
      reference: `${subject} v${version}`,
      fields: [
        { label: 'Answer', value: approve ? 'APPROVE' : `${kind.toUpperCase()} ${what ?? ''}`.trim() },
        { label: 'What happens next', value: next },
      ],
      attachments: [],
      ...(subject === 'minutes' && !approve ? { copyManager: true } : {}),
    },
    recorded: { subject, version, answer: kind, ...(repeated ? { repeated: true } : {}) },
  };
}
