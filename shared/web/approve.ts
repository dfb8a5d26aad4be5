/**
 * An approval given in the web app: the ISMS manager's APPROVE or CHANGES <what> on a package
 * version, the chair's APPROVE or OBJECT <what> on the minutes. The same use case as the reply to
 * the approval request (shared/cycle/approval-answer.ts: only the approver, only the current version,
 * not after the document went out; the same event), then the same resume of the waiting workflow as
 * the ingest gives a recorded APPROVE, and the same confirmation email (the ISMS manager copied on an
 * objection to the minutes, who must send corrected minutes).
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { answerApproval, approvalConfirmation, type ApprovalCommand } from '../cycle/approval-answer.ts';
import { APPROVAL_PURPOSES } from '../cycle/approvals.ts';
import { resumeWaiting } from '../cycle/await-people.ts';
import type { ApprovalSubject, WaitingDeps } from '../cycle/ports.ts';
import type { Outbox } from '../mail/outbox.ts';
import { ingestConfirmation } from '../mail/templates/ingest-confirmation.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
import { ismsManager } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';
import type { Viewer } from './viewer.ts';

/** The longest comment or description of what must change the form takes. */
export const MAX_APPROVAL_TEXT = 2000;

/** The approval form as posted: which version, which answer, and the text. */
export const ApprovalForm = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9]\d{0,3}$/, 'the form names no version: open the page again and answer from it')
    .transform(Number),
  answer: z.enum(['approve', 'changes', 'object'], 'choose an answer: approve, or say what must change'),
  text: z
    .string()
    .max(MAX_APPROVAL_TEXT, `the text is longer than ${MAX_APPROVAL_TEXT} characters: shorten it`)
    .transform((text) => text.replace(/\r\n?/g, '\n').trim()),
  /**
   * The form's own id, drawn when the page was drawn (answerFormId): a form posted twice (a double
   * click, a resent POST) is one answer, as a reply delivered twice is one by its Message-ID.
   */
  answerId: z.optional(
    z.string().regex(/^[0-9a-f]{32}$/, 'the form is damaged: open the page again and answer from it'),
  ),
});

/** A fresh id for one approval form (see ApprovalForm.answerId). */
export const answerFormId = (): string => randomBytes(16).toString('hex');
export type ApprovalForm = z.infer<typeof ApprovalForm>;

export type WebApprovalResult =
  | { readonly ok: false; readonly problem: string; readonly status: 400 | 403 | 409 }
  | {
      readonly ok: true;
      readonly recordedAs: string;
      readonly reference: string;
      readonly fields: { label: string; value: string }[];
      readonly repeated: boolean;
      /** The waiting workflow was resumed by this answer. */
      readonly resumed: boolean;
    };

/** Reads the posted fields; the problem in words when they are not an answer. */
export function readApprovalForm(
  subject: ApprovalSubject,
  form: Record<string, unknown>,
):
  | { ok: true; version: number; command: ApprovalCommand; answerId?: string | undefined }
  | { ok: false; problem: string } {
  const parsed = ApprovalForm.safeParse({
    version: typeof form.version === 'string' ? form.version : '',
    answer: typeof form.answer === 'string' ? form.answer : '',
    text: typeof form.text === 'string' ? form.text : '',
    ...(form.answerId === undefined
      ? {}
      : { answerId: typeof form.answerId === 'string' ? form.answerId : '' }),
  });
  if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]!.message };
  const { version, answer, text, answerId } = parsed.data;
  const objection = subject === 'package' ? 'changes' : 'object';
  if (answer !== 'approve' && answer !== objection) {
    return {
      ok: false,
      problem: `the ${subject === 'package' ? 'package' : 'minutes'} take APPROVE or ${objection.toUpperCase()}, not ${answer.toUpperCase()}`,
    };
  }
  if (answer === 'approve')
    return { ok: true, version, answerId, command: { kind: 'approve', ...(text ? { comment: text } : {}) } };
  if (!text) {
    return {
      ok: false,
      problem:
        answer === 'changes'
          ? 'say what must change in the package (CHANGES needs what must change)'
          : 'say what is wrong in the minutes (OBJECT needs what is wrong)',
    };
  }
  return { ok: true, version, answerId, command: { kind: answer, what: text } };
}

export async function approveOnWeb(
  deps: WaitingDeps & { readonly outbox: Pick<Outbox, 'sendOnce'> },
  args: {
    cycle: Cycle;
    programme: Programme;
    viewer: Viewer;
    subject: ApprovalSubject;
    form: Record<string, unknown>;
  },
): Promise<WebApprovalResult> {
  const { subject, cycle, programme, viewer } = args;
  const read = readApprovalForm(subject, args.form);
  if (!read.ok) return { ok: false, problem: read.problem, status: 400 };
  const at = deps.clock.now().toISOString();
  const result = await answerApproval(deps, {
    cycleId: cycle.id,
    programme,
    subject,
    version: read.version,
    by: viewer.person.id,
    command: read.command,
    at,
    channel: 'web',
    ...(read.answerId ? { messageKey: `web:${read.answerId}` } : {}),
  });
  if (!result.ok) {
    return { ok: false, problem: result.problem, status: result.reason === 'not-approver' ? 403 : 409 };
  }
  const { copyManager, ...confirmation } = approvalConfirmation(result);
  let resumed = false;
  if (!result.repeated) {
    if (result.kind === 'approve') resumed = await resumeWaiting(deps, cycle.id, APPROVAL_PURPOSES[subject]);
    const manager = ismsManager(programme);
    const person = viewer.person;
    const to = person.email.toLowerCase();
    const cc = copyManager && manager.email.toLowerCase() !== to ? [manager.email] : [];
    const rendered = ingestConfirmation({
      organisation: programme.organisation.name,
      timeZone: viewer.timeZone,
      cycle: { id: cycle.id, title: cycleTitle(cycle) },
      recipient: { name: person.name, email: person.email },
      receivedAt: at,
      originalSubject: `Answer to the approval of the ${subject} in the web app`,
      recordedAs: confirmation.recordedAs,
      reference: confirmation.reference,
      fields: confirmation.fields,
      attachments: [],
      ismsManager: { name: manager.name, email: manager.email, role: manager.role },
    });
    await deps.outbox.sendOnce({
      key: `web-approval:${subject}:v${result.version}:${result.kind}:${read.answerId ?? at}`,
      cycleId: cycle.id,
      purpose: 'reply',
      recipients: [to, ...cc.map((a) => a.toLowerCase())],
      build: async () => ({
        from: {
          name: `${programme.organisation.name} management review`,
          address: programme.mail.fromAddress,
        },
        to: [person.email],
        cc,
        subject: rendered.subject.replace(/[\r\n]+/g, ' ').slice(0, 250),
        text: rendered.text,
        html: rendered.html,
        autoSubmitted: 'auto-replied',
      }),
    });
  }
  return { ok: true, ...confirmation, repeated: result.repeated, resumed };
}
