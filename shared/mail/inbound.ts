/**
 * Reads one inbound email (the raw RFC 5322 bytes SES stored, or the local SMTP server received)
 * into the plain facts the ingest pipeline decides on: who sent it and to whom, the reply's text,
 * its attachments with their digests, the headers that tell an automatic message from a person's,
 * and the receiving server's SPF/DKIM/DMARC/spam/virus verdicts.
 *
 * Nothing here trusts the message: the body text comes from text/plain, or from the HTML part
 * turned into text (scripts, styles and other non-text elements dropped, never kept), and the
 * checks in mail-checks.ts and the formats in reply-format.ts decide what it means.
 */
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';
import { z } from 'zod';

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

// ---------------------------------------------------------------------------------------------
// HTML to text

/** Elements whose content is never text: dropped with everything inside them. */
const DROPPED = new Set([
  'script',
  'style',
  'head',
  'title',
  'template',
  'noscript',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'textarea',
  'select',
  'xml',
  'canvas',
  'audio',
  'video',
]);

/** Elements that start and end a line. */
const BLOCKS = new Set([
  'p',
  'div',
  'tr',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'address',
  'center',
  'form',
  'fieldset',
  'figure',
  'figcaption',
  'main',
  'nav',
  'aside',
  'caption',
  'body',
  'html',
]);

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  shy: '\u00ad',
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  laquo: '\u00ab',
  raquo: '\u00bb',
  lsaquo: '\u2039',
  rsaquo: '\u203a',
  hellip: '\u2026',
  bull: '\u2022',
  middot: '\u00b7',
  prime: '\u2032',
  dagger: '\u2020',
  permil: '\u2030',
  trade: '\u2122',
  copy: '\u00a9',
  reg: '\u00ae',
  deg: '\u00b0',
  plusmn: '\u00b1',
  times: '\u00d7',
  divide: '\u00f7',
  minus: '\u2212',
  le: '\u2264',
  ge: '\u2265',
  ne: '\u2260',
  larr: '\u2190',
  rarr: '\u2192',
  uarr: '\u2191',
  darr: '\u2193',
  euro: '\u20ac',
  pound: '\u00a3',
  yen: '\u00a5',
  cent: '\u00a2',
  sect: '\u00a7',
  para: '\u00b6',
  micro: '\u00b5',
  frac12: '\u00bd',
  frac14: '\u00bc',
  frac34: '\u00be',
  sup1: '\u00b9',
  sup2: '\u00b2',
  sup3: '\u00b3',
  iexcl: '\u00a1',
  iquest: '\u00bf',
  ordf: '\u00aa',
  ordm: '\u00ba',
  szlig: '\u00df',
  auml: '\u00e4',
  ouml: '\u00f6',
  uuml: '\u00fc',
  Auml: '\u00c4',
  Ouml: '\u00d6',
  Uuml: '\u00dc',
  euml: '\u00eb',
  iuml: '\u00ef',
  yuml: '\u00ff',
  aacute: '\u00e1',
  eacute: '\u00e9',
  iacute: '\u00ed',
  oacute: '\u00f3',
  uacute: '\u00fa',
  Aacute: '\u00c1',
  Eacute: '\u00c9',
  Iacute: '\u00cd',
  Oacute: '\u00d3',
  Uacute: '\u00da',
  agrave: '\u00e0',
  egrave: '\u00e8',
  igrave: '\u00ec',
  ograve: '\u00f2',
  ugrave: '\u00f9',
  Agrave: '\u00c0',
  Egrave: '\u00c8',
  acirc: '\u00e2',
  ecirc: '\u00ea',
  icirc: '\u00ee',
  ocirc: '\u00f4',
  ucirc: '\u00fb',
  atilde: '\u00e3',
  otilde: '\u00f5',
  ntilde: '\u00f1',
  Ntilde: '\u00d1',
  ccedil: '\u00e7',
  Ccedil: '\u00c7',
  aring: '\u00e5',
  Aring: '\u00c5',
  aelig: '\u00e6',
  AElig: '\u00c6',
  oslash: '\u00f8',
  Oslash: '\u00d8',
};

function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));?/g,
    (match, dec, hex, name) => {
      if (dec !== undefined || hex !== undefined) {
        const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
        return String.fromCodePoint(code);
      }
      const value = ENTITIES[name as string];
      // Named entities need their semicolon, except the few that mail clients often write without.
      if (value === undefined) return match;
      if (!match.endsWith(';') && !['amp', 'lt', 'gt', 'quot', 'nbsp'].includes(name as string)) return match;
      return value;
    },
  );
}

/** Builds text line by line; `>` marks lines inside blockquotes, as a plain-text client would. */
class Lines {
  private readonly lines: string[] = [];
  private current = '';
  private currentDepth = 0;
  private currentPre = false;
  depth = 0;
  pre = 0;

  text(chunk: string): void {
    if (chunk === '') return;
    if (this.pre > 0) {
      const parts = chunk.replace(/\r\n?/g, '\n').split('\n');
      parts.forEach((part, index) => {
        if (index > 0) this.breakLine();
        this.append(part);
      });
      return;
    }
    let collapsed = chunk.replace(/[ \t\n\r\f]+/g, ' ');
    if (this.current === '' || this.current.endsWith(' ')) collapsed = collapsed.replace(/^ /, '');
    this.append(collapsed);
  }

  private append(part: string): void {
    if (part === '') return;
    if (this.current === '') {
      this.currentDepth = this.depth;
      this.currentPre = this.pre > 0;
    }
    this.current += part;
  }

  /** Ends the current line even when it is empty (a <br>). */
  breakLine(): void {
    const line = this.current.replace(/[ \t\u00a0]+$/, '');
    const empty = line.replace(/[\s\u00a0\u200b]+/g, '') === '';
    const depth = this.current === '' ? this.depth : this.currentDepth;
    const prefix = depth > 0 ? `${'>'.repeat(depth)} ` : '';
    this.lines.push(empty ? prefix.trimEnd() : prefix + (this.currentPre ? line : line.replace(/^ +/, '')));
    this.current = '';
  }

  /** Ends the current line only when it has text (a block boundary). */
  ensureLineStart(): void {
    if (this.current !== '') this.breakLine();
  }

  finish(): string {
    this.ensureLineStart();
    return this.lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+/, '')
      .replace(/\n+$/, '');
  }
}

/**
 * Turns an HTML body into text: tags removed, block elements and <br> become line breaks,
 * blockquotes become `> ` lines, entities decoded, and script, style, head and other non-text
 * elements dropped with their content. Linear in the length of the HTML (no backtracking regex).
 */
export function htmlToText(html: string): string {
  const out = new Lines();
  let i = 0;
  let textStart = 0;
  const flushText = (end: number): void => {
    if (end > textStart) out.text(decodeEntities(html.slice(textStart, end)));
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const next = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) {
      flushText(lt);
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      textStart = i;
      continue;
    }
    if (next === '!' || next === '?') {
      flushText(lt);
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? html.length : end + 1;
      textStart = i;
      continue;
    }
    const closing = next === '/';
    const nameStart = closing ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < html.length && /[A-Za-z0-9:-]/.test(html[nameEnd] as string)) nameEnd += 1;
    if (nameEnd === nameStart || !/[A-Za-z]/.test(html[nameStart] as string)) {
      // A lone "<" in text, e.g. "a < b".
      i = lt + 1;
      continue;
    }
    flushText(lt);
    // Find the end of the tag, skipping quoted attribute values.
    let j = nameEnd;
    let quote = '';
    while (j < html.length) {
      const c = html[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '>') {
        break;
      }
      j += 1;
    }
    if (j >= html.length) {
      // An unterminated tag: nothing after it is text.
      i = html.length;
      textStart = i;
      break;
    }
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    const selfClosing = html[j - 1] === '/';
    i = j + 1;
    textStart = i;
    if (!closing && DROPPED.has(name) && !selfClosing) {
      const closer = new RegExp(`</${name}[\\s/>]`, 'gi');
      closer.lastIndex = i;
      const found = closer.exec(html);
      if (!found) {
        i = html.length;
        textStart = i;
        break;
      }
      const end = html.indexOf('>', found.index);
      i = end < 0 ? html.length : end + 1;
      textStart = i;
      continue;
    }
    if (name === 'br') {
      out.breakLine();
    } else if (name === 'hr') {
      out.ensureLineStart();
      out.text('________________________________');
      out.breakLine();
    } else if (name === 'blockquote') {
      out.ensureLineStart();
      if (closing) out.depth = Math.max(0, out.depth - 1);
      else if (!selfClosing) out.depth += 1;
    } else if (name === 'li') {
      out.ensureLineStart();
      if (!closing) out.text('- ');
    } else if (name === 'td' || name === 'th') {
      if (!closing) out.text(' ');
    } else if (BLOCKS.has(name)) {
      out.ensureLineStart();
      if (name === 'pre') out.pre = closing ? Math.max(0, out.pre - 1) : out.pre + (selfClosing ? 0 : 1);
    }
    // Any other element (inline formatting, links, images) adds no text of its own.
  }
  flushText(html.length);
  return out.finish();
}
