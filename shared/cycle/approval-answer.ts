/**
 * An approver's answer to one version of the package or the minutes, whichever way it came (a reply
 * to the approval request, shared/ingest/approvals.ts; the web app's form, shared/web/approve.ts):
 * the same rules and the same event either way.
 *
 * - only the approver answers (the ISMS manager the package, the chair the minutes; never a delegate);
 * - only the current version: one replaced by a newer version is refused, saying which is current;
 * - not after the document went out (the package distributed, the minutes no longer awaiting approval);
 * - an APPROVE of a version already approved is a repeat and records nothing; any other answer to an
 *   approved version is refused; the same inbound message handled again records nothing twice.
 *
 * The caller resumes the workflow waiting on the approval after a recorded APPROVE
 * (`APPROVAL_PURPOSES[subject]`), as for every answer the workflow waits for.
 */
import type { ApprovalSubject, WaitingDeps } from './ports.ts';
import { approvalOf, approverOf, itemAwaitingApproval, recordApprovalAnswer } from './approvals.ts';
import type { Programme } from '../programme/schema.ts';

/** What an approver may answer: APPROVE [comment], CHANGES <what> (package), OBJECT <what> (minutes). */
export type ApprovalCommand =
  | { readonly kind: 'approve'; readonly comment?: string | undefined }
  | { readonly kind: 'changes'; readonly what: string }
  | { readonly kind: 'object'; readonly what: string };

export const APPROVAL_WORDS: Record<ApprovalSubject, { what: string; objected: string }> = {
  package: { what: 'review package', objected: 'changes requested' },
  minutes: { what: 'minutes', objected: 'an objection' },
};

export type ApprovalAnswerResult =
  | {
      readonly ok: false;
      readonly problem: string;
      /** `not-approver`: someone else answered; otherwise the state of the review does not allow it. */
      readonly reason: 'not-approver' | 'not-an-answer' | 'no-cycle' | 'gone' | 'replaced' | 'approved';
    }
  | {
      readonly ok: true;
      readonly subject: ApprovalSubject;
      readonly version: number;
      readonly kind: ApprovalCommand['kind'];
      readonly what?: string;
      /** Nothing new was recorded: the same answer was recorded before. */
      readonly repeated: boolean;
    };

/** The refusal when someone other than the approver (or a delegate) answers; undefined when allowed. */
export function approverRefusal(
  programme: Programme,
  subject: ApprovalSubject,
  by: { readonly personId: string; readonly onBehalfOf?: string | undefined },
): string | undefined {
  const approver = approverOf(programme, subject);
  if (by.onBehalfOf || by.personId !== approver.id) {
    return `only ${approver.name} can answer for the ${APPROVAL_WORDS[subject].what}; an approval cannot be given on someone else's behalf`;
  }
  return undefined;
}

/** Records `command` as the answer to `version` of `subject` (see the module note for the rules). */
export async function answerApproval(
  deps: Pick<WaitingDeps, 'repo'>,
  args: {
    readonly cycleId: string;
    readonly programme: Programme;
    readonly subject: ApprovalSubject;
    readonly version: number;
    readonly by: string;
    readonly onBehalfOf?: string | undefined;
    readonly command: ApprovalCommand;
    readonly at: string;
    /** The inbound message's key (by reply), or `web:<answerId>` of a web form: a repeat records nothing. */
    readonly messageKey?: string | undefined;
    /** How the answer came, for what a refusal tells to do instead. */
    readonly channel: 'email' | 'web';
  },
): Promise<ApprovalAnswerResult> {
  const { subject, version, command } = args;
  const words = APPROVAL_WORDS[subject];
  const refused = approverRefusal(args.programme, subject, {
    personId: args.by,
    onBehalfOf: args.onBehalfOf,
  });
  if (refused) return { ok: false, problem: refused, reason: 'not-approver' };
  if (
    (subject === 'package' && command.kind === 'object') ||
    (subject === 'minutes' && command.kind === 'changes')
  ) {
    return {
      ok: false,
      reason: 'not-an-answer',
      problem: `${command.kind.toUpperCase()} is not an answer to the ${words.what}; answer APPROVE or ${subject === 'package' ? 'CHANGES' : 'OBJECT'} <what>`,
    };
  }
  const cycle = await deps.repo.getCycle(args.cycleId);
  if (!cycle) return { ok: false, reason: 'no-cycle', problem: `there is no review cycle ${args.cycleId}` };
  const done = { ok: true as const, subject, version, kind: command.kind };
  const what = command.kind === 'approve' ? undefined : command.what;
  const events = await deps.repo.listEvents(cycle.id);
  if (args.messageKey !== undefined) {
    const repeated = events.find(
      (event) => event.data.messageId === args.messageKey && event.data.version === version,
    );
    if (repeated) return { ...done, ...(what ? { what } : {}), repeated: true };
  }
  const gone =
    subject === 'package' ? cycle.phase !== 'AWAITING_DISTRIBUTION' : cycle.phase !== 'AWAITING_MINUTES';
  const item = await itemAwaitingApproval(deps, cycle, subject, events);
  if (gone || !item) {
    return {
      ok: false,
      reason: 'gone',
      problem:
        subject === 'package'
          ? `the ${words.what} of this review has already been sent to top management; nothing was recorded. Ask the ISMS manager if it must be corrected`
          : `the ${words.what} of this review are no longer awaiting approval; nothing was recorded`,
    };
  }
  if (item.version !== version) {
    return {
      ok: false,
      reason: 'replaced',
      problem:
        `version ${version} of the ${words.what} has been replaced by version ${item.version}; ` +
        `nothing was recorded. ${args.channel === 'email' ? 'Reply to the approval request for the latest version' : 'Answer for the latest version on its page'}`,
    };
  }
  const approved = approvalOf(events, subject, version);
  if (approved && command.kind === 'approve') return { ...done, repeated: true };
  if (approved) {
    return {
      ok: false,
      reason: 'approved',
      problem:
        `you approved version ${version} of the ${words.what} on ${approved.at.slice(0, 16).replace('T', ' ')} UTC; ` +
        'nothing was recorded. If it must change now, tell the ISMS manager',
    };
  }
  const comment = command.kind === 'approve' ? command.comment : undefined;
  await recordApprovalAnswer(deps, cycle.id, {
    subject,
    version,
    sha256: item.sha256,
    by: args.by,
    at: args.at,
    answer: command.kind,
    ...((what ?? comment) ? { text: (what ?? comment)! } : {}),
    ...(args.messageKey !== undefined ? { messageId: args.messageKey } : {}),
  });
  return { ...done, ...(what ? { what } : {}), repeated: false };
}

/** What the confirmation of a recorded answer says (the reply's and the web page's alike). */
export function approvalConfirmation(result: ApprovalAnswerResult & { ok: true }): {
  recordedAs: string;
  reference: string;
  fields: { label: string; value: string }[];
  copyManager: boolean;
} {
  const { subject, version, kind, what } = result;
  const words = APPROVAL_WORDS[subject];
  const approve = kind === 'approve';
  const next = approve
    ? subject === 'package'
      ? 'The package goes to top management on its sending date.'
      : 'The minutes now go to everyone who attended, and their actions are followed up.'
    : subject === 'package'
      ? 'The package is held. Ask the owners concerned to reply to their input request again with the correction: each correction builds a new version, which comes to you to approve. If nothing needs to change after all, reply APPROVE to the request.'
      : 'The ISMS manager is copied and asked to send corrected minutes (with "replaces: <version>" at the top); the corrected version comes back to you to approve.';
  return {
    recordedAs: approve
      ? `your approval of version ${version} of the ${words.what}`
      : `${words.objected} on version ${version} of the ${words.what}`,
    reference: `${subject} v${version}`,
    fields: [
      { label: 'Answer', value: approve ? 'APPROVE' : `${kind.toUpperCase()} ${what ?? ''}`.trim() },
      { label: 'What happens next', value: next },
    ],
    copyManager: subject === 'minutes' && !approve,
  };
}
