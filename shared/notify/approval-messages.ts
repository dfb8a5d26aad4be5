/**
 * The approval requests: the review package to the ISMS manager (its PDF attached), the minutes to
 * the chair (their PDF attached), each with a reply address for APPROVE / CHANGES / OBJECT that names
 * the version asked about.
 */
import type { ApprovalMessage } from '../cycle/approvals.ts';
import type { NotifierPort } from '../cycle/ports.ts';
import { APPROVAL_PURPOSES, approverOf } from '../cycle/approvals.ts';
import { approvalRequest as renderApprovalRequest } from '../mail/templates/approval-request.ts';
import { DAY, person, type CycleMail } from './envelope.ts';

export async function approvalRequest(mail: CycleMail, message: ApprovalMessage): Promise<void> {
  const { cycle, programme, item, reminder, copy } = message;
  const approver = approverOf(programme, item.subject);
  const purpose = APPROVAL_PURPOSES[item.subject];
  const base = `${purpose}:v${item.version}`;
  await mail.send({
    cycle,
    programme,
    key: reminder === 0 ? `${base}:request` : `${base}:reminder-${reminder}`,
    purpose,
    to: [approver],
    ...(copy ? { cc: [copy] } : {}),
    build: async () => {
      const file =
        item.subject === 'package'
          ? await packagePdf(mail, message)
          : { filename: `minutes-${cycle.id}-v${item.version}.pdf`, content: message.pdf };
      const rendered = renderApprovalRequest({
        ...mail.addressed(cycle, programme, approver),
        subject: item.subject,
        version: item.version,
        sha256: item.sha256,
        now: mail.options.clock.now().toISOString(),
        ...(message.neededBy ? { neededBy: message.neededBy } : {}),
        meetingAt: cycle.heldAt ?? cycle.plannedMeetingAt,
        reminder,
        ...(copy ? { copied: person(copy) } : {}),
        ...(message.earlierAnswer ? { earlierAnswer: message.earlierAnswer } : {}),
        attachment: file.filename,
      });
      return {
        ...rendered,
        attachments: file.content
          ? [{ filename: file.filename, content: file.content, contentType: 'application/pdf' }]
          : [],
        replyTo: await mail.replyAddress({
          cycle,
          programme,
          purpose,
          recipient: approver,
          ref: String(item.version),
          expiresAt: new Date(Date.parse(cycle.plannedMeetingAt) + 90 * DAY),
        }),
      };
    },
  });
}

async function packagePdf(
  mail: CycleMail,
  message: ApprovalMessage,
): Promise<{ filename: string; content: Buffer | undefined }> {
  const filename = `review-package-${message.cycle.id}-v${message.item.version}.pdf`;
  if (!message.stored) return { filename, content: undefined };
  const body = await mail.loadPackage(message.stored);
  return { filename, content: body.pdf };
}

/** The approval requests on one envelope. */
export const approvalMessages = (mail: CycleMail): Pick<NotifierPort, 'approvalRequest'> => ({
  approvalRequest: (message) => approvalRequest(mail, message),
});
