/**
 * The limits check (checkLimits): the size of the message and the number, size and type of its
 * attachments. Attachments are judged by their bytes as well as their name and declared type: a
 * PDF must start like a PDF, a CSV must be text, an XLSX must pass xlsx-inspection.ts. Every other
 * archive is refused.
 */
import { notOk, OK, type CheckDecision } from './check-decision.ts';
import { ARCHIVE_KINDS, ARCHIVE_NAME, detectKind } from './content-kind.ts';
import type { InboundAttachment, InboundMessage } from './inbound.ts';
import { DEFAULT_MAIL_LIMITS, InvalidMailLimits, MailLimits, megabytes } from './mail-limits.ts';
import { inspectXlsx } from './xlsx-inspection.ts';

export const ACCEPTED_TYPES = ['csv', 'xlsx', 'pdf'] as const;
export type AcceptedType = (typeof ACCEPTED_TYPES)[number];

const ACCEPTED_LIST = 'CSV, XLSX or PDF';

const DECLARED_TYPES: Record<AcceptedType, readonly string[]> = {
  csv: [
    'text/csv',
    'text/comma-separated-values',
    'application/csv',
    'text/plain',
    'application/vnd.ms-excel',
  ],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  pdf: ['application/pdf', 'application/x-pdf'],
};
/** Declared types that say nothing (clients send these for any file). */
const GENERIC_TYPES = [
  'application/octet-stream',
  'application/x-download',
  'application/download',
  'binary/octet-stream',
];

function typeByName(filename: string | undefined): AcceptedType | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename ?? '')?.[1]?.toLowerCase();
  return ext === 'csv' || ext === 'xlsx' || ext === 'pdf' ? ext : undefined;
}

function typeByDeclared(contentType: string): AcceptedType | undefined {
  if (DECLARED_TYPES.xlsx.includes(contentType)) return 'xlsx';
  if (DECLARED_TYPES.pdf.includes(contentType)) return 'pdf';
  if (contentType === 'text/csv' || contentType === 'text/comma-separated-values') return 'csv';
  return undefined;
}

/** Why one attachment is refused, or undefined when it is accepted. */
export function attachmentProblem(attachment: InboundAttachment, limits: MailLimits): string | undefined {
  const label = attachment.filename
    ? `"${attachment.filename}"`
    : `the unnamed ${attachment.contentType} attachment`;
  if (attachment.size > limits.maxAttachmentBytes) {
    return `${label} is ${megabytes(attachment.size)}; each file may be at most ${megabytes(limits.maxAttachmentBytes)}`;
  }
  const kind = detectKind(attachment.content);
  if (attachment.contentType === 'message/rfc822' || attachment.contentType.startsWith('message/')) {
    return `${label} is an attached email; forward it inline or attach the ${ACCEPTED_LIST} file itself`;
  }
  if (ARCHIVE_NAME.test(attachment.filename ?? '') || (ARCHIVE_KINDS.has(kind) && kind !== 'zip')) {
    return `${label} is an archive; archives are not accepted, attach the ${ACCEPTED_LIST} files themselves`;
  }
  const byName = typeByName(attachment.filename);
  const byDeclared = typeByDeclared(attachment.contentType);
  const type = byName ?? (attachment.filename ? undefined : byDeclared);
  if (!type) {
    if (kind === 'zip') {
      return `${label} is an archive; archives are not accepted, attach the ${ACCEPTED_LIST} files themselves`;
    }
    return `${label} is not an accepted file type; attach ${ACCEPTED_LIST} files only`;
  }
  const declaredOk =
    DECLARED_TYPES[type].includes(attachment.contentType) || GENERIC_TYPES.includes(attachment.contentType);
  if (!declaredOk) {
    return `${label} is named as ${type.toUpperCase()} but sent as ${attachment.contentType}; attach the file itself, unchanged`;
  }
  switch (type) {
    case 'pdf':
      return kind === 'pdf' ? undefined : `${label} is named .pdf but is not a PDF file`;
    case 'csv':
      return kind === 'text' ? undefined : `${label} is named .csv but is not a text (CSV) file`;
    case 'xlsx': {
      if (kind === 'ole') {
        return `${label} is password-protected (or an old .xls saved as .xlsx); save it as a plain .xlsx without a password`;
      }
      if (kind !== 'zip') return `${label} is named .xlsx but is not an Excel workbook`;
      const problem = inspectXlsx(attachment.content, limits);
      return problem ? `${label} is refused: ${problem}` : undefined;
    }
  }
}

/** An inline image of the body (a logo in a signature): not a file the sender meant to submit. */
function isInlineImage(attachment: InboundAttachment): boolean {
  if (!attachment.inline) return false;
  const kind = detectKind(attachment.content);
  return kind === 'png' || kind === 'jpeg' || kind === 'gif';
}

/** Size, number and type of attachments (CSV, XLSX, PDF only; no archives; no zip bombs). */
export function checkLimits(msg: InboundMessage, limits: MailLimits = DEFAULT_MAIL_LIMITS): CheckDecision {
  const parsed = MailLimits.safeParse(limits);
  if (!parsed.success) throw new InvalidMailLimits(`mail limits: ${parsed.error.issues[0]?.message ?? ''}`);
  const checked = parsed.data;
  if (msg.size > checked.maxMessageBytes) {
    return notOk(
      'reject',
      `the message is ${megabytes(msg.size)}; the limit is ${megabytes(checked.maxMessageBytes)}. Send fewer or smaller files, or put a link to them in the text`,
    );
  }
  const files = msg.attachments.filter((attachment) => !isInlineImage(attachment));
  const inlineTooLarge = msg.attachments.find(
    (attachment) => isInlineImage(attachment) && attachment.size > checked.maxAttachmentBytes,
  );
  if (inlineTooLarge) {
    return notOk(
      'reject',
      `an image in the message is ${megabytes(inlineTooLarge.size)}; each may be at most ${megabytes(checked.maxAttachmentBytes)}`,
    );
  }
  if (files.length > checked.maxAttachments) {
    return notOk(
      'reject',
      `the message has ${files.length} attachments; at most ${checked.maxAttachments} are accepted. Send the rest in another reply`,
    );
  }
  const problems = files
    .map((attachment) => attachmentProblem(attachment, checked))
    .filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) return notOk('reject', problems.join('; '));
  return OK;
}
