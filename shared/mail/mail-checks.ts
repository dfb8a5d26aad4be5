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
 * Authentication (checkAuthentication): SES gives only verdicts, so alignment with the From domain
 * is judged here. DMARC PASS is aligned by definition. Otherwise SPF PASS counts only when the
 * envelope sender (MAIL FROM, SES `mail.source`) is in the same organisational domain as From, and
 * DKIM PASS only when every DKIM-Signature `d=` domain is (SES does not say which signature
 * passed, so one unaligned signer leaves DKIM out of it); a domain the programme names in
 * `mail.authExceptions` is accepted without alignment (never after DMARC FAIL). The organisational
 * domain is the registrable domain by the Public Suffix List (organisationalDomain).
 *
 * Attachments are judged by their bytes as well as their name and declared type: a PDF must start
 * like a PDF, a CSV must be text, an XLSX must be a ZIP that holds an OOXML workbook and nothing
 * else packed inside, and it must not inflate beyond the limits (a zip bomb is refused after
 * reading at most the allowed number of bytes). Every other archive is refused.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { getDomain } from 'tldts';
import { z } from 'zod';
import type { InboundAttachment, InboundMessage, SesVerdicts } from './inbound.ts';

export type CheckAction = 'drop' | 'reject' | 'ignore' | 'hold';

export type CheckDecision =
  { readonly ok: true } | { readonly ok: false; readonly action: CheckAction; readonly reason: string };

const OK: CheckDecision = { ok: true };

function notOk(action: CheckAction, reason: string): CheckDecision {
  return { ok: false, action, reason };
}

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

// ---------------------------------------------------------------------------------------------
// Authentication of the From domain

/** The domain of an address, lower case, without a trailing dot; '' when there is none. */
export function domainOf(address: string | undefined): string {
  const text = (address ?? '').trim().replace(/^<|>$/g, '');
  const at = text.lastIndexOf('@');
  return at < 0
    ? ''
    : text
        .slice(at + 1)
        .toLowerCase()
        .replace(/\.$/, '');
}

/**
 * The organisational (registrable) domain of `domain` (RFC 7489 section 3.2): one label below its
 * public suffix, by the Public Suffix List (tldts), private suffixes included, so that two tenants
 * of a shared hosting domain (`a.herokuapp.com`, `b.herokuapp.com`) or two companies under a
 * ccTLD's second level (`a.com.pt`, `b.com.pt`) are never taken for one organisation. A name the
 * list cannot place (an IP literal, a single label) is its own organisational domain.
 */
export function organisationalDomain(domain: string): string {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  return getDomain(name, { allowPrivateDomains: true }) ?? name;
}

/** Relaxed alignment (RFC 7489): the same organisational domain. */
export function aligned(a: string, b: string): boolean {
  const left = organisationalDomain(a);
  return left !== '' && left.includes('.') && left === organisationalDomain(b);
}

export interface AuthException {
  readonly domain: string;
  readonly reason: string;
}

export type AuthDecision =
  | {
      readonly ok: true;
      /** What authenticated the From domain. */
      readonly by: 'dmarc' | 'spf-aligned' | 'dkim-aligned' | 'exception' | 'released';
      readonly domain: string;
    }
  | { readonly ok: false; readonly action: 'hold'; readonly reason: string };

/**
 * Whether the From domain is authenticated (see the module note): DMARC PASS; or SPF PASS with the
 * envelope sender aligned; or DKIM PASS with a signing domain aligned; or a programme exception.
 * Anything else is held: the From may be forged.
 */
export function checkAuthentication(
  msg: Pick<InboundMessage, 'from' | 'envelope' | 'headers' | 'dkimDomains' | 'verdicts'>,
  options: { exceptions?: readonly AuthException[] } = {},
): AuthDecision {
  const fromDomain = domainOf(msg.from.address);
  const hold = (reason: string): AuthDecision => ({ ok: false, action: 'hold', reason });
  const v = msg.verdicts;
  if (!v) {
    return hold(
      `the sender could not be authenticated: no SPF, DKIM or DMARC verdicts came with the message for ${fromDomain}`,
    );
  }
  if (v.dmarcVerdict.status === 'FAIL') {
    return hold(
      `the message failed DMARC${v.dmarcPolicy ? ` (policy ${v.dmarcPolicy})` : ''}: it does not prove it comes from ${fromDomain}`,
    );
  }
  if (v.dmarcVerdict.status === 'PASS') return { ok: true, by: 'dmarc', domain: fromDomain };
  const envelopeDomain = domainOf(
    msg.envelope.mailFrom !== undefined ? msg.envelope.mailFrom : msg.headers.returnPath,
  );
  if (v.spfVerdict.status === 'PASS' && envelopeDomain && aligned(envelopeDomain, fromDomain)) {
    return { ok: true, by: 'spf-aligned', domain: fromDomain };
  }
  // SES says only that a signature passed, not whose: DKIM counts when every signing domain in the
  // message is aligned, so a forger cannot pair their own valid signature with a broken one of ours.
  const dkimDomains = msg.dkimDomains;
  if (
    v.dkimVerdict.status === 'PASS' &&
    dkimDomains.length > 0 &&
    dkimDomains.every((d) => aligned(d, fromDomain))
  ) {
    return { ok: true, by: 'dkim-aligned', domain: fromDomain };
  }
  if ((options.exceptions ?? []).some((e) => e.domain.trim().toLowerCase() === fromDomain)) {
    return { ok: true, by: 'exception', domain: fromDomain };
  }
  return hold(
    `the sender could not be authenticated (SPF ${v.spfVerdict.status}, DKIM ${v.dkimVerdict.status}, DMARC ${v.dmarcVerdict.status}): ` +
      `nothing that passed is aligned with ${fromDomain} (envelope sender domain ${envelopeDomain || 'none'}, ` +
      `signed by ${msg.dkimDomains.join(', ') || 'no one'})`,
  );
}

// ---------------------------------------------------------------------------------------------
// Automatic mail

const AUTO_SUBJECT = new RegExp(
  '^(' +
    [
      'auto(matic|matische)?[ -]?(reply|response|antwort)',
      'autoreply',
      'out of (the )?office',
      'ooo\\b',
      'abwesenheitsnotiz',
      'abwesend',
      'automatische antwort',
      'réponse automatique',
      'absence du bureau',
      'respuesta automática',
      'fuera de la oficina',
      'risposta automatica',
      'fuori sede',
      'afwezig',
      'automatisch antwoord',
      'frånvaro',
      'undeliverable',
      'undelivered mail',
      'delivery status notification',
      'delivery (has )?failed',
      'mail delivery (failed|failure|subsystem)',
      'returned mail',
      'failure notice',
      'non[- ]?delivery',
      'unzustellbar',
      'nicht zustellbar',
      'non remis',
    ].join('|') +
    ')',
  'i',
);

const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

/** Options: addresses that are our own, so mail from them is a loop. */
export interface AutomationContext {
  /** Our sending address(es), e.g. MAIL_FROM. */
  readonly ownAddresses?: readonly string[];
  /** The inbound (reply) domain: nobody writes to us from it. */
  readonly inboundDomain?: string;
}

/** Whether the message was sent by a machine (auto-reply, bounce, list, loop) rather than a person. */
export function isAutomated(msg: InboundMessage, context: AutomationContext = {}): CheckDecision {
  const h = msg.headers;
  const ignore = (reason: string): CheckDecision => notOk('ignore', reason);
  const auto = h.autoSubmitted?.trim().toLowerCase().split(';')[0]?.trim();
  if (auto && auto !== 'no') return ignore(`automatic message (Auto-Submitted: ${auto})`);
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply', 'auto-reply'].includes(precedence)) {
    return ignore(`automatic or list message (Precedence: ${precedence})`);
  }
  if (h.xAutoreply !== undefined) return ignore('automatic reply (X-Autoreply)');
  if (h.xAutorespond !== undefined) return ignore('automatic reply (X-Autorespond)');
  // X-Auto-Response-Suppress is deliberately not here: Exchange and Outlook add it to ordinary
  // mail people write; it asks others not to auto-answer, it does not say the message is automatic.
  if (h.listId !== undefined) return ignore('mailing-list message (List-Id)');
  if (h.listUnsubscribe !== undefined) return ignore('mailing-list or bulk message (List-Unsubscribe)');
  if (h.contentType === 'multipart/report' || h.contentType === 'message/delivery-status') {
    return ignore(`delivery or read report (multipart/report${h.reportType ? `; ${h.reportType}` : ''})`);
  }
  if (h.xFailedRecipients !== undefined) return ignore('bounce (X-Failed-Recipients)');
  const envelopeFrom = msg.envelope.mailFrom?.trim();
  if (envelopeFrom !== undefined && (envelopeFrom === '' || envelopeFrom === '<>')) {
    return ignore('bounce (empty envelope sender)');
  }
  if (h.returnPath !== undefined && h.returnPath.replace(/\s+/g, '') === '<>') {
    return ignore('bounce (empty Return-Path)');
  }
  if (BOUNCE_SENDER.test(msg.from.address)) return ignore(`bounce (from ${msg.from.address})`);
  const own = (context.ownAddresses ?? []).map((address) => address.trim().toLowerCase());
  if (own.includes(msg.from.address)) return ignore('mail loop: the message comes from our own address');
  const inbound = context.inboundDomain?.trim().toLowerCase();
  if (inbound && msg.from.address.endsWith(`@${inbound}`)) {
    return ignore('mail loop: the message comes from our reply domain');
  }
  if (h.xLoop.some((value) => own.some((address) => value.toLowerCase().includes(address)))) {
    return ignore('mail loop (X-Loop names our address)');
  }
  const subject = msg.subject.replace(/[\u00a0\u202f]/g, ' ').trim();
  if (AUTO_SUBJECT.test(subject)) return ignore(`automatic message (subject "${subject.slice(0, 80)}")`);
  return OK;
}

// ---------------------------------------------------------------------------------------------
// Limits and attachments

export const MailLimits = z.strictObject({
  /** The whole raw message. */
  maxMessageBytes: z.number().int().positive(),
  /** Files sent (inline images of a signature are not counted). */
  maxAttachments: z.number().int().min(0),
  maxAttachmentBytes: z.number().int().positive(),
  /** An XLSX may inflate to at most this many bytes in total. */
  maxUncompressedBytes: z.number().int().positive(),
  /** ... and to at most this many times its own size. */
  maxCompressionRatio: z.number().positive(),
  /** ... and hold at most this many files. */
  maxArchiveEntries: z.number().int().positive(),
});
export type MailLimits = z.infer<typeof MailLimits>;

/** The limits given to checkLimits are not numbers it can use. */
export class InvalidMailLimits extends Error {
  override name = 'InvalidMailLimits' as const;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = {
  maxMessageBytes: 20 * 1024 * 1024,
  maxAttachments: 10,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxUncompressedBytes: 100 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxArchiveEntries: 2000,
};

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

const ARCHIVE_NAME =
  /\.(zip|zipx|gz|tgz|gzip|bz2|tbz2?|xz|txz|lz|lzma|zst|7z|rar|tar|cab|arj|lzh|ace|iso|img|dmg|jar|war|apk|z)$/i;

/** What the bytes are, from their first bytes (magic numbers). */
export type ContentKind =
  | 'pdf'
  | 'zip'
  | 'gzip'
  | '7z'
  | 'rar'
  | 'bzip2'
  | 'xz'
  | 'zstd'
  | 'tar'
  | 'cab'
  | 'ole'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'executable'
  | 'text'
  | 'binary';

const ARCHIVE_KINDS: ReadonlySet<ContentKind> = new Set([
  'zip',
  'gzip',
  '7z',
  'rar',
  'bzip2',
  'xz',
  'zstd',
  'tar',
  'cab',
]);

function startsWith(bytes: Buffer, signature: readonly number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((byte, index) => bytes[at + index] === byte);
}

function looksLikeText(bytes: Buffer): boolean {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return true; // UTF-16 with BOM
  const sample = bytes.subarray(0, 64 * 1024);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control += 1;
  }
  return control <= sample.length / 100;
}

/** The kind of content, judged by its bytes only. */
export function detectKind(bytes: Buffer): ContentKind {
  // PDF allows up to 1024 bytes of junk before the header.
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'zip';
  if (startsWith(bytes, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(bytes, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return 'rar';
  if (startsWith(bytes, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(bytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(bytes, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(bytes, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar';
  if (startsWith(bytes, [0x4d, 0x53, 0x43, 0x46])) return 'cab';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(bytes, [0x4d, 0x5a]) || startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'executable';
  if (startsWith(bytes, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(bytes, [0xca, 0xfe, 0xba, 0xbe]))
    return 'executable';
  return looksLikeText(bytes) ? 'text' : 'binary';
}

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

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Math.round(mb * 10) / 10} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** A ZIP's central directory entry, as far as the checks need it. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

/** The archive cannot be read as a ZIP, or uses what a workbook never does. */
export class UnreadableArchive extends Error {
  override name = 'UnreadableArchive' as const;
}

/** Reads the central directory of a ZIP (no ZIP64, one disk). Throws UnreadableArchive. */
export function readZipDirectory(bytes: Buffer, maxEntries: number): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at -= 1) {
    if (bytes.readUInt32LE(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new UnreadableArchive('it is not a complete ZIP file (no end of central directory)');
  const disk = bytes.readUInt16LE(eocd + 4);
  const entriesOnDisk = bytes.readUInt16LE(eocd + 8);
  const total = bytes.readUInt16LE(eocd + 10);
  const size = bytes.readUInt32LE(eocd + 12);
  const offset = bytes.readUInt32LE(eocd + 16);
  if (disk !== 0 || entriesOnDisk !== total) throw new UnreadableArchive('it is a multi-part ZIP');
  if (total === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new UnreadableArchive('it is a ZIP64 archive, which a workbook within the size limits never needs');
  }
  if (total > maxEntries)
    throw new UnreadableArchive(`it holds ${total} files; at most ${maxEntries} are accepted`);
  if (offset + size > eocd) throw new UnreadableArchive('its central directory points outside the file');
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let n = 0; n < total; n += 1) {
    if (at + 46 > eocd || bytes.readUInt32LE(at) !== 0x02014b50) {
      throw new UnreadableArchive('its central directory is damaged');
    }
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const uncompressedSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localHeaderOffset = bytes.readUInt32LE(at + 42);
    if (at + 46 + nameLength > eocd) throw new UnreadableArchive('its central directory is damaged');
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    if (
      compressedSize === 0xffffffff ||
      uncompressedSize === 0xffffffff ||
      localHeaderOffset === 0xffffffff
    ) {
      throw new UnreadableArchive(
        'it is a ZIP64 archive, which a workbook within the size limits never needs',
      );
    }
    entries.push({ name, method, flags, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry, inflated to at most `budget` bytes. Throws UnreadableArchive. */
function entryContent(bytes: Buffer, entry: ZipEntry, budget: number): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== 0x04034b50) {
    throw new UnreadableArchive(`the entry ${entry.name} is damaged`);
  }
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length)
    throw new UnreadableArchive(`the entry ${entry.name} runs past the end of the file`);
  const data = bytes.subarray(start, end);
  // Inflate one byte more than the directory declares: more means the sizes lie (a zip bomb).
  const declared = Math.min(entry.uncompressedSize, budget);
  let content: Buffer;
  if (entry.method === 0) {
    content = data;
  } else if (entry.method === 8) {
    try {
      content = inflateRawSync(data, { maxOutputLength: declared + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UnreadableArchive(
          `the entry ${entry.name} inflates to more than the archive declares (a zip bomb?)`,
        );
      }
      throw new UnreadableArchive(`the entry ${entry.name} is damaged`);
    }
  } else {
    throw new UnreadableArchive(
      `the entry ${entry.name} uses compression method ${entry.method}, which workbooks do not use`,
    );
  }
  if (content.length > budget) {
    throw new UnreadableArchive(`the entry ${entry.name} inflates beyond the size limit (a zip bomb?)`);
  }
  if (content.length !== entry.uncompressedSize) {
    throw new UnreadableArchive(`the entry ${entry.name} is not the size the archive declares (a zip bomb?)`);
  }
  if (crc32(content) !== entry.crc32) throw new UnreadableArchive(`the entry ${entry.name} is damaged`);
  return content;
}

const WORKBOOK_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
const MACRO_WORKBOOK_TYPE = 'application/vnd.ms-excel.sheet.macroenabled.main+xml';

/** Why the bytes are not an acceptable XLSX workbook, or undefined when they are. */
export function inspectXlsx(bytes: Buffer, limits: MailLimits): string | undefined {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(bytes, limits.maxArchiveEntries);
  } catch (error) {
    if (error instanceof UnreadableArchive) return error.message;
    throw error;
  }
  const declaredTotal = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  const allowed = Math.min(
    limits.maxUncompressedBytes,
    Math.floor(bytes.length * limits.maxCompressionRatio),
  );
  if (declaredTotal > allowed) {
    return `it unpacks to ${megabytes(declaredTotal)}, more than the ${megabytes(allowed)} allowed for a file of its size (a zip bomb?)`;
  }
  const names = new Set(entries.map((entry) => entry.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) {
    return 'it is a ZIP archive, not an Excel workbook';
  }
  let budget = allowed;
  let contentTypes = '';
  for (const entry of entries) {
    if (entry.flags & 0x1) return 'it is password-protected or encrypted; send it without a password';
    if (entry.name.includes('..') || entry.name.startsWith('/') || entry.name.includes('\\')) {
      return `it holds a file with an unsafe path (${entry.name.slice(0, 80)})`;
    }
    if (/(^|\/)vbaProject\.bin$/i.test(entry.name))
      return 'it contains macros; save it as a plain .xlsx workbook';
    if (ARCHIVE_NAME.test(entry.name) || /^xl\/embeddings\//i.test(entry.name)) {
      return `it has other files packed inside (${entry.name.slice(0, 80)}); send them as separate attachments`;
    }
    let content: Buffer;
    try {
      content = entryContent(bytes, entry, budget);
    } catch (error) {
      if (error instanceof UnreadableArchive) return error.message;
      throw error;
    }
    budget -= content.length;
    const kind = entry.name.endsWith('/') ? 'text' : detectKind(content);
    if (ARCHIVE_KINDS.has(kind) || kind === 'ole' || kind === 'executable') {
      return `it has other files packed inside (${entry.name.slice(0, 80)}); send them as separate attachments`;
    }
    if (entry.name === '[Content_Types].xml') contentTypes = content.toString('utf8').toLowerCase();
  }
  if (contentTypes.includes(MACRO_WORKBOOK_TYPE))
    return 'it is a macro-enabled workbook; save it as a plain .xlsx';
  if (!contentTypes.includes(WORKBOOK_TYPE)) return 'it is a ZIP archive, not an Excel workbook';
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
