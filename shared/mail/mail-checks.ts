/**
 * Pure checks on an inbound message, each returning a decision with a reason:
 *
 * | check              | not ok when                                                   | action |
 * | ------------------ | ------------------------------------------------------------- | ------ |
 * | isAutomated        | RFC 3834 automatic mail, bounce, delivery/read report, list   | ignore |
 * |                    | mail, mail loop (X-Auto-Response-Suppress is NOT automatic)   |        |
 * | checkVerdicts      | spam or virus verdict FAIL                                    | drop   |
 * |                    | virus scan GRAY / PROCESSING_FAILED (could not be scanned)    | reject |
 * | checkSingleFrom    | not exactly one From header with one mailbox; a group; more   | hold   |
 * |                    | than one Sender                                               |        |
 * | checkAuthentication| the From domain is not authenticated: no verdicts, DMARC      | hold   |
 * |                    | FAIL, or neither DMARC PASS nor SPF/DKIM PASS aligned with it |        |
 * | checkLimits        | too large, too many or wrong attachments, archives, bombs     | reject |
 *
 * `drop`: keep the raw message, do nothing else. `ignore`: keep it, answer nothing (answering an
 * automatic message starts a loop). `hold`: keep it, record nothing, answer nothing, and list it
 * for the ISMS manager (the sender may not be who From says, so nothing may be told to them).
 * `reject`: keep it and answer the authenticated, authorised sender with the reason, which is
 * written for them to act on.
 *
 * Authentication and alignment are in mail-authentication.ts, automatic mail in automatic-mail.ts,
 * the limits and attachment inspection in attachment-checks.ts, xlsx-inspection.ts and
 * content-kind.ts; this module holds the verdict and authorship checks and exports them all.
 */
import { notOk, OK, type CheckDecision } from './check-decision.ts';
import type { InboundMessage, SesVerdicts } from './inbound.ts';

export type { CheckAction, CheckDecision } from './check-decision.ts';
export {
  aligned,
  checkAuthentication,
  domainOf,
  organisationalDomain,
  type AuthDecision,
  type AuthException,
} from './mail-authentication.ts';
export { isAutomated, type AutomationContext } from './automatic-mail.ts';
export { DEFAULT_MAIL_LIMITS, InvalidMailLimits, MailLimits } from './mail-limits.ts';
export { detectKind, type ContentKind } from './content-kind.ts';
export { inspectXlsx, readZipDirectory, UnreadableArchive, type ZipEntry } from './xlsx-inspection.ts';
export { ACCEPTED_TYPES, attachmentProblem, checkLimits, type AcceptedType } from './attachment-checks.ts';

// ---------------------------------------------------------------------------------------------
// Verdicts

/**
 * The receiving server's spam and virus verdicts: spam or a virus is dropped; a message that could
 * not be scanned is rejected (answered only when its sender is authenticated and authorised).
 * Absent verdicts pass here: checkAuthentication holds such a message.
 */
export function checkVerdicts(verdicts: SesVerdicts | undefined): CheckDecision {
  if (!verdicts) return OK;
  if (verdicts.virusVerdict.status === 'FAIL') return notOk('drop', 'the message contains a virus');
  if (verdicts.spamVerdict.status === 'FAIL') return notOk('drop', 'the message was classified as spam');
  if (verdicts.virusVerdict.status === 'GRAY' || verdicts.virusVerdict.status === 'PROCESSING_FAILED') {
    return notOk(
      'reject',
      'the message could not be scanned for viruses; please send it again, with attachments of the accepted types only (CSV, XLSX, PDF)',
    );
  }
  return OK;
}

// ---------------------------------------------------------------------------------------------
// One author

/**
 * Exactly one From header naming exactly one mailbox (not a group), and at most one Sender: a
 * message with two authors cannot be attributed to either.
 */
export function checkSingleFrom(msg: Pick<InboundMessage, 'fromMailboxes' | 'sender'>): CheckDecision {
  const { all, headers, group } = msg.fromMailboxes;
  if (headers > 1) {
    return notOk('hold', `the message has ${headers} From headers; a reply is written by one person`);
  }
  if (group) return notOk('hold', 'the From header is a group, which names no one author');
  if (all.length !== 1) {
    return notOk(
      'hold',
      `the From header names ${all.length} mailboxes (${all
        .slice(0, 5)
        .map((a) => a.address)
        .join(', ')}); a reply is written by one person`,
    );
  }
  if (msg.sender.length > 1) {
    return notOk('hold', 'the Sender header is given more than once, or names more than one mailbox');
  }
  return OK;
}
