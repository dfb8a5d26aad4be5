/**
 * Reads one inbound email (the raw RFC 5322 bytes SES stored, or the local SMTP server received)
 * into the plain facts the ingest pipeline decides on: who sent it and to whom, the reply's text,
 * its attachments with their digests, the headers that tell an automatic message from a person's,
 * and the receiving server's SPF/DKIM/DMARC/spam/virus verdicts.
 *
 * Nothing here trusts the message: the body text comes from text/plain, or from the HTML part
 * turned into text by html-to-text.ts (scripts, styles and other non-text elements dropped, never
 * kept), and the checks in mail-checks.ts and the formats in reply-format.ts decide what it means.
 */
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';
import * as z from 'zod';
import { htmlToText } from './html-to-text.ts';

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

export interface MailAddress {
  /** Lower-cased. */
  readonly address: string;
  /** The display name, '' when none. */
  readonly name: string;
}

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

/** Raw header values by lower-case name, unfolded, in order (every occurrence). */
function rawHeaders(mail: ParsedMail): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines ?? []) {
    if (!key) continue;
    const colon = line.indexOf(':');
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const name = key.toLowerCase();
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/** Whether an address field holds a group (RFC 5322 `name: a, b;`), which names no one sender. */
function hasGroup(field: AddressObject | AddressObject[] | undefined): boolean {
  return (Array.isArray(field) ? field : field ? [field] : []).some((object) =>
    object.value.some((entry) => entry.group !== undefined),
  );
}

/** The `d=` tag of each DKIM-Signature header value. */
function dkimDomainsOf(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const match = /(?:^|;)\s*d\s*=\s*([A-Za-z0-9.-]+)\s*(?:;|$)/.exec(value);
    const domain = match?.[1]?.toLowerCase().replace(/\.$/, '');
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

/**
 * The Sender mailboxes. A Sender header that names no readable mailbox, or is given more than
 * once, yields a mailbox no one has (`invalid`), so the sender check can never pass it.
 */
function senderOf(field: unknown, raw: readonly string[]): MailAddress[] {
  if (raw.length === 0) return [];
  const parsed =
    field && typeof field === 'object' ? addresses(field as AddressObject | AddressObject[]) : [];
  if (raw.length > 1 || parsed.length === 0)
    return [...parsed, { address: 'unreadable@sender.invalid', name: '' }];
  return parsed;
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const visit = (entry: EmailAddress): void => {
    if (entry.group) entry.group.forEach(visit);
    const address = entry.address?.trim().toLowerCase();
    if (address && /^[^\s@]+@[^\s@]+$/.test(address)) out.push({ address, name: entry.name ?? '' });
  };
  for (const object of Array.isArray(field) ? field : field ? [field] : []) object.value.forEach(visit);
  return out;
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

  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      keepCidLinks: true,
    });
  } catch (error) {
    throw new UnparseableMail(`the message could not be parsed: ${(error as Error).message}`);
  }
  const headers = rawHeaders(mail);
  if (headers.size === 0) throw new UnparseableMail('the message has no headers');
  const from = addresses(mail.from)[0];
  if (!from) throw new MissingSender('the message has no From address that can be read');

  const first = (name: string): string | undefined => headers.get(name)?.[0];
  const contentType = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;

  let text = '';
  let textSource: TextSource = 'none';
  let htmlTruncated = false;
  if (typeof mail.text === 'string' && mail.text.trim() !== '') {
    text = mail.text;
    textSource = 'plain';
  } else if (typeof mail.html === 'string' && mail.html.trim() !== '') {
    htmlTruncated = mail.html.length > checkedLimits.data.maxHtmlChars;
    text = htmlToText(htmlTruncated ? mail.html.slice(0, checkedLimits.data.maxHtmlChars) : mail.html);
    textSource = 'html';
  }

  const references = Array.isArray(mail.references)
    ? mail.references
    : mail.references
      ? mail.references.split(/\s+/).filter(Boolean)
      : [];
  // The parser puts the current time in place of a Date header it cannot read: use its date only
  // when the header is there and is a date.
  const rawDate = first('date')
    ?.replace(/\([^)]*\)/g, ' ')
    .trim();
  const date =
    rawDate && !Number.isNaN(Date.parse(rawDate)) && mail.date && !Number.isNaN(mail.date.getTime())
      ? mail.date.toISOString()
      : undefined;

  const senderField = mail.headers.get('sender') as AddressObject | AddressObject[] | undefined;
  return {
    from,
    fromMailboxes: {
      all: addresses(mail.from),
      headers: headers.get('from')?.length ?? 0,
      group: hasGroup(mail.from),
    },
    sender: senderOf(senderField, headers.get('sender') ?? []),
    dkimDomains: dkimDomainsOf(headers.get('dkim-signature') ?? []),
    replyTo: addresses(mail.replyTo),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    envelope: {
      mailFrom: envelope.data?.mailFrom,
      recipients: (envelope.data?.recipients ?? []).map((recipient) => recipient.trim().toLowerCase()),
    },
    subject: (mail.subject ?? '').replace(/\s+/g, ' ').trim(),
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references,
    date,
    text: text.replace(/\r\n?/g, '\n'),
    textSource,
    htmlTruncated,
    attachments: mail.attachments.map((part) => ({
      filename: part.filename,
      contentType: (part.contentType ?? 'application/octet-stream').toLowerCase(),
      size: part.content.length,
      content: part.content,
      sha256: sha256(part.content),
      inline: part.related === true || (part.contentDisposition === 'inline' && Boolean(part.contentId)),
    })),
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
      xLoop: headers.get('x-loop') ?? [],
      contentType: (contentType?.value ?? 'text/plain').toLowerCase(),
      reportType: contentType?.params?.['report-type']?.toLowerCase(),
    },
    verdicts: verdicts.data,
    size: raw.length,
    sha256: sha256(raw),
  };
}
