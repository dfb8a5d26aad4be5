/**
 * Reads one inbound email (the raw RFC 5322 bytes SES stored, or the local SMTP server received)
 * into the plain facts the ingest pipeline decides on: who sent it and to whom, the reply's text,
 * its attachments with their digests, the headers that tell an automatic message from a person's,
 * and the receiving server's SPF/DKIM/DMARC/spam/virus verdicts.
 *
 * The MIME structure, charsets and encoded words are read by postal-mime (charsets by the
 * runtime's TextDecoder), within limits that bound what a hostile message can cost; the header
 * facts are read from the raw header lines by inbound-headers.ts.
 *
 * Nothing here trusts the message: the body text comes from the text/plain parts, or, when there
 * is none, from the HTML turned into text by html-to-text.ts (scripts, styles and other non-text
 * elements dropped, never kept); an HTML part beside text/plain ones in a multipart/mixed is added
 * as postal-mime writes it as text (scripts and styles dropped too). The checks in mail-checks.ts
 * and the formats in reply-format.ts decide what it means.
 */
import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';
import type { Attachment, Email } from 'postal-mime';
import * as z from 'zod';
import { htmlToText } from './html-to-text.ts';
import {
  addresses,
  contentTypeOf,
  dateOf,
  dkimDomainsOf,
  hasGroup,
  messageIdOf,
  rawHeaders,
  referencesOf,
  senderOf,
  withWindows1252,
} from './inbound-headers.ts';
import type { MailAddress } from './inbound-headers.ts';

export { htmlToText } from './html-to-text.ts';

/** SES receipt verdict statuses (the `receipt.*Verdict.status` fields of the SES event). */
export const VERDICT_STATUSES = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const;
const Verdict = z.object({
  status: z.enum(VERDICT_STATUSES, { error: `expected a verdict status: ${VERDICT_STATUSES.join(', ')}` }),
});

/**
 * The verdicts as SES passes them in `receipt` (extra fields of the receipt are ignored), so the
 * handler can give the receipt as it is. The local stack gives the same shape.
 */
export const SesVerdicts = z.object({
  spamVerdict: Verdict,
  virusVerdict: Verdict,
  spfVerdict: Verdict,
  dkimVerdict: Verdict,
  dmarcVerdict: Verdict,
  dmarcPolicy: z.optional(z.string()),
});
export type SesVerdicts = z.infer<typeof SesVerdicts>;

/** The SMTP envelope, which is not in the message itself: SES `mail.source` and `receipt.recipients`. */
export const Envelope = z.object({
  /** MAIL FROM (the return path); empty for bounces. */
  mailFrom: z.optional(z.string()),
  recipients: z.array(z.string()),
});
export type Envelope = z.infer<typeof Envelope>;

export const InboundLimits = z.strictObject({
  /** Raw messages larger than this are not parsed at all (SES stores at most 40 MB). */
  maxRawBytes: z.number().int().positive(),
  /** HTML beyond this many characters is not turned into text (the reply is at the top). */
  maxHtmlChars: z.number().int().positive(),
});
export type InboundLimits = z.infer<typeof InboundLimits>;

export const DEFAULT_INBOUND_LIMITS: InboundLimits = {
  maxRawBytes: 40 * 1024 * 1024,
  maxHtmlChars: 2 * 1024 * 1024,
};

export type { MailAddress } from './inbound-headers.ts';

export interface InboundAttachment {
  readonly filename: string | undefined;
  /** Lower-case MIME type as declared by the sender (never trusted alone). */
  readonly contentType: string;
  readonly size: number;
  readonly content: Buffer;
  /** Lower-case hex SHA-256 of the content. */
  readonly sha256: string;
  /** A part shown inside the body (cid-referenced, e.g. a logo in a signature), not a file sent. */
  readonly inline: boolean;
}

/** The headers that reveal automatic mail, bounces, list mail and loops, as raw unfolded values. */
export interface LoopHeaders {
  readonly autoSubmitted: string | undefined;
  readonly precedence: string | undefined;
  readonly xAutoreply: string | undefined;
  readonly xAutorespond: string | undefined;
  readonly xAutoResponseSuppress: string | undefined;
  readonly listId: string | undefined;
  readonly listUnsubscribe: string | undefined;
  readonly returnPath: string | undefined;
  readonly xFailedRecipients: string | undefined;
  /** Every X-Loop header. */
  readonly xLoop: readonly string[];
  /** The top-level MIME type, lower case, e.g. `multipart/report`. */
  readonly contentType: string;
  /** The `report-type` parameter of a multipart/report, lower case. */
  readonly reportType: string | undefined;
}

export type TextSource = 'plain' | 'html' | 'none';

export interface InboundMessage {
  /** The first From mailbox (see `fromMailboxes` for whether it is the only one). */
  readonly from: MailAddress;
  /**
   * Every mailbox of every From header, in order, and whether any was a group (`undisclosed:;`).
   * A message a person answers has exactly one From header with exactly one mailbox.
   */
  readonly fromMailboxes: {
    readonly all: readonly MailAddress[];
    readonly headers: number;
    readonly group: boolean;
  };
  /** The Sender header's mailboxes (who actually sent it, when not the author); empty when absent. */
  readonly sender: readonly MailAddress[];
  /** The `d=` domains of the DKIM-Signature headers, lower case (which domains signed it). */
  readonly dkimDomains: readonly string[];
  readonly replyTo: readonly MailAddress[];
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  /** The envelope as given by the receiving server; recipients lower-cased. */
  readonly envelope: { readonly mailFrom: string | undefined; readonly recipients: readonly string[] };
  readonly subject: string;
  readonly messageId: string | undefined;
  readonly inReplyTo: string | undefined;
  readonly references: readonly string[];
  /** The Date header in UTC ISO 8601, undefined when absent or not a date. */
  readonly date: string | undefined;
  /** The body as text, line ends `\n`, quoted history still in (see strip-quotes.ts). */
  readonly text: string;
  readonly textSource: TextSource;
  /** True when the HTML was longer than the limit and only its start was read. */
  readonly htmlTruncated: boolean;
  readonly attachments: readonly InboundAttachment[];
  readonly headers: LoopHeaders;
  readonly verdicts: SesVerdicts | undefined;
  /** Size of the raw message in bytes. */
  readonly size: number;
  /** SHA-256 of the raw message: a duplicate-delivery key when Message-ID is missing. */
  readonly sha256: string;
}

/** The bytes are not an email message (no header could be read). */
export class UnparseableMail extends Error {
  override name = 'UnparseableMail' as const;
}

/** The message is larger than the parser accepts. */
export class MailTooLarge extends Error {
  override name = 'MailTooLarge' as const;
}

/** The message has no usable From address, so it cannot be answered or attributed. */
export class MissingSender extends Error {
  override name = 'MissingSender' as const;
}

/** Options that came with the message rather than in it. */
export class InvalidInboundOptions extends Error {
  override name = 'InvalidInboundOptions' as const;
}

/**
 * How the MIME structure is read. A message/rfc822 part (a forwarded message) stays one
 * attachment: its text is not the sender's reply and its attachments were not sent by them.
 * Limits: a person's reply has a handful of parts a few levels deep; a message built to cost
 * time or memory beyond these is refused.
 */
const MIME_OPTIONS = {
  forceRfc822Attachments: true,
  attachmentEncoding: 'arraybuffer',
  maxNestingDepth: 32,
  maxPartCount: 1000,
  maxHeadersSize: 1024 * 1024,
} as const;

function attachmentOf(part: Attachment): InboundAttachment {
  const { content: bytes } = part;
  const content =
    typeof bytes === 'string'
      ? Buffer.from(bytes, part.encoding === 'base64' ? 'base64' : 'utf8')
      : bytes instanceof Uint8Array
        ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        : Buffer.from(bytes);
  return {
    filename: part.filename === null ? undefined : withWindows1252(part.filename),
    contentType: (part.mimeType || 'application/octet-stream').toLowerCase(),
    size: content.length,
    content,
    sha256: sha256(content),
    inline: part.related === true || (part.disposition === 'inline' && Boolean(part.contentId)),
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Parses one raw message. Throws MailTooLarge above `limits.maxRawBytes`, UnparseableMail when no
 * header can be read, MissingSender when there is no From address. `options.envelope` and
 * `options.verdicts` come from the receiving server (SES receipt or the local SMTP server).
 */
export async function parseInbound(
  raw: Buffer,
  limits: InboundLimits = DEFAULT_INBOUND_LIMITS,
  options: { envelope?: Envelope; verdicts?: SesVerdicts } = {},
): Promise<InboundMessage> {
  const checkedLimits = InboundLimits.safeParse(limits);
  if (!checkedLimits.success)
    throw new InvalidInboundOptions(`inbound limits: ${checkedLimits.error.message}`);
  const envelope = Envelope.optional().safeParse(options.envelope);
  if (!envelope.success) throw new InvalidInboundOptions(`envelope: ${envelope.error.message}`);
  const verdicts = SesVerdicts.optional().safeParse(options.verdicts);
  if (!verdicts.success) throw new InvalidInboundOptions(`verdicts: ${verdicts.error.message}`);
  if (!Buffer.isBuffer(raw) || raw.length === 0) throw new UnparseableMail('the message is empty');
  if (raw.length > checkedLimits.data.maxRawBytes) {
    throw new MailTooLarge(
      `the message is ${raw.length} bytes; messages above ${checkedLimits.data.maxRawBytes} bytes are not read`,
    );
  }

  let mail: Email;
  try {
    mail = await PostalMime.parse(raw, MIME_OPTIONS);
  } catch (error) {
    throw new UnparseableMail(`the message could not be parsed: ${(error as Error).message}`);
  }
  const headers = rawHeaders(mail.headerLines);
  if (headers.size === 0) throw new UnparseableMail('the message has no headers');
  const all = (name: string): readonly string[] => headers.get(name) ?? [];
  const first = (name: string): string | undefined => all(name)[0];
  // The first From header is the author; every further one only counts (a person sends one).
  const fromHeader = all('from').slice(0, 1);
  const fromAll = addresses(fromHeader);
  const from = fromAll[0];
  if (!from) throw new MissingSender('the message has no From address that can be read');

  // A delivery status (RFC 3464) shown inline is text: it says which address failed and why.
  const isStatus = (part: Attachment): boolean =>
    part.mimeType === 'message/delivery-status' && part.disposition !== 'attachment';
  const statusText = mail.attachments
    .filter(isStatus)
    .map((part) => attachmentOf(part).content.toString('utf8'));
  const plain = [mail.text ?? '', ...statusText].filter((part) => part !== '').join('\n');
  let text = '';
  let textSource: TextSource = 'none';
  let htmlTruncated = false;
  if (plain.trim() !== '') {
    text = withWindows1252(plain);
    textSource = 'plain';
  } else if (typeof mail.html === 'string' && mail.html.trim() !== '') {
    htmlTruncated = mail.html.length > checkedLimits.data.maxHtmlChars;
    const html = htmlTruncated ? mail.html.slice(0, checkedLimits.data.maxHtmlChars) : mail.html;
    text = htmlToText(withWindows1252(html));
    textSource = 'html';
  }

  const contentType = contentTypeOf(first('content-type'));
  return {
    from,
    fromMailboxes: { all: fromAll, headers: all('from').length, group: hasGroup(fromHeader) },
    sender: senderOf(all('sender')),
    dkimDomains: dkimDomainsOf(all('dkim-signature')),
    replyTo: addresses(all('reply-to').slice(0, 1)),
    to: addresses(all('to')),
    cc: addresses(all('cc')),
    envelope: {
      mailFrom: envelope.data?.mailFrom,
      recipients: (envelope.data?.recipients ?? []).map((recipient) => recipient.trim().toLowerCase()),
    },
    subject: withWindows1252(mail.subject ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    messageId: messageIdOf(first('message-id')),
    inReplyTo: messageIdOf(first('in-reply-to')),
    references: referencesOf(all('references')),
    date: dateOf(first('date')),
    text: text.replace(/\r\n?/g, '\n'),
    textSource,
    htmlTruncated,
    attachments: mail.attachments.filter((part) => !isStatus(part)).map(attachmentOf),
    headers: {
      autoSubmitted: first('auto-submitted'),
      precedence: first('precedence'),
      xAutoreply: first('x-autoreply'),
      xAutorespond: first('x-autorespond'),
      xAutoResponseSuppress: first('x-auto-response-suppress'),
      listId: first('list-id'),
      listUnsubscribe: first('list-unsubscribe'),
      returnPath: first('return-path'),
      xFailedRecipients: first('x-failed-recipients'),
      xLoop: [...all('x-loop')],
      contentType: contentType.type,
      reportType: contentType.reportType,
    },
    verdicts: verdicts.data,
    size: raw.length,
    sha256: sha256(raw),
  };
}
