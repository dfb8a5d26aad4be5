/**
 * Writes one outbound message as raw MIME (RFC 5322, 2045-2049): the structure mail clients expect
 * from a notice with a text and an HTML version, files, inline images and a calendar invitation.
 * Pure and without dependency; compose.ts validates the message first, so the values here are
 * already safe (addresses are ASCII addresses, no header value holds a line break).
 *
 * The structure, outermost first, each level only where needed:
 * ```
 * multipart/mixed                      when there are files (or an invitation)
 *   multipart/alternative              when there is more than the text
 *     text/plain                       quoted-printable, utf-8
 *     multipart/related                when the HTML shows inline images (cid:)
 *       text/html                      quoted-printable, utf-8
 *       image/... (Content-ID)         base64, inline
 *     text/calendar; method=REQUEST    the invitation calendar clients act on
 *   application/pdf, ...               base64, attachment
 *   application/ics (invite.ics)       the same invitation as a file, for clients that ignore the part
 * ```
 * Boundaries are random and contain `=_`, which neither quoted-printable nor base64 can produce, so
 * no content can end a part early.
 */
import { randomBytes } from 'node:crypto';
import {
  base64Lines,
  CRLF,
  displayName,
  headerField,
  parameter,
  quotedPrintable,
  unstructured,
  withParameters,
} from './mime-encoding.ts';

export interface MimeMailbox {
  readonly name?: string;
  readonly address: string;
}

export interface MimeAttachment {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType: string;
  /** Content-ID of an image the HTML shows as `cid:<cid>`. */
  readonly cid?: string | undefined;
}

export interface MimeCalendar {
  readonly method: 'REQUEST' | 'CANCEL';
  /** The iCalendar text. */
  readonly content: string;
  /** The name of the .ics file attached beside the calendar part. */
  readonly filename: string;
}

export interface MimeMessage {
  readonly from: MimeMailbox;
  readonly to: readonly MimeMailbox[];
  readonly cc: readonly MimeMailbox[];
  readonly replyTo?: MimeMailbox | undefined;
  readonly subject: string;
  readonly date: Date;
  /** With angle brackets, like every message id here. */
  readonly messageId: string;
  readonly inReplyTo?: string | undefined;
  readonly references: readonly string[];
  /** Further header fields, in order (name, one-line value). */
  readonly headers: readonly (readonly [string, string])[];
  readonly text: string;
  /** Absent or empty: the message has the text only. */
  readonly html?: string | undefined;
  readonly attachments: readonly MimeAttachment[];
  readonly calendar?: MimeCalendar | undefined;
}

/** A MIME entity: a leaf with its header fields (folded) and encoded body, or a multipart. */
type Entity =
  | { readonly headers: readonly string[]; readonly body: string }
  | {
      readonly subtype: 'mixed' | 'alternative' | 'related';
      readonly parameters: readonly string[];
      readonly parts: readonly Entity[];
    };

/** The whole message, CRLF line ends. */
export function writeMessage(message: MimeMessage): Buffer {
  const boundaries = boundaryMaker();
  const head = [
    headerField('From', mailboxList([message.from])),
    headerField('To', mailboxList(message.to)),
    ...(message.cc.length ? [headerField('Cc', mailboxList(message.cc))] : []),
    ...(message.replyTo ? [headerField('Reply-To', mailboxList([message.replyTo]))] : []),
    headerField('Subject', unstructured(message.subject)),
    headerField('Date', [rfc5322Date(message.date)]),
    headerField('Message-ID', [message.messageId]),
    ...(message.inReplyTo ? [headerField('In-Reply-To', [message.inReplyTo])] : []),
    ...(message.references.length ? [headerField('References', [...message.references])] : []),
    ...message.headers.map(([name, value]) => headerField(name, unstructured(value))),
    headerField('MIME-Version', ['1.0']),
  ];
  const raw = render(structure(message), boundaries, head);
  // A message ends with a line break (SMTP's DATA needs one before its final dot).
  return Buffer.from(raw.endsWith(CRLF) ? raw : raw + CRLF, 'utf8');
}

/** The entity tree of a message (the diagram at the top of this file). */
function structure(message: MimeMessage): Entity {
  const html = message.html ? message.html : undefined;
  // Inline images belong with the HTML that shows them; without HTML they are plain attachments.
  const inline = html ? message.attachments.filter((attachment) => attachment.cid) : [];
  const attached = message.attachments.filter((attachment) => !inline.includes(attachment));

  const text = textPart('text/plain', message.text);
  const htmlPart = html && textPart('text/html', html);
  const htmlEntity = htmlPart && inline.length ? related(htmlPart, inline.map(attachmentPart)) : htmlPart;
  const alternatives = [
    text,
    ...(htmlEntity ? [htmlEntity] : []),
    ...(message.calendar ? [calendarPart(message.calendar)] : []),
  ];
  const body = alternatives.length > 1 ? multipart('alternative', alternatives) : text;
  const files = [
    ...attached.map(attachmentPart),
    ...(message.calendar ? [calendarFile(message.calendar)] : []),
  ];
  return files.length ? multipart('mixed', [body, ...files]) : body;
}

function textPart(type: 'text/plain' | 'text/html', content: string): Entity {
  return {
    headers: [
      headerField('Content-Type', withParameters(type, ['charset=utf-8'])),
      headerField('Content-Transfer-Encoding', ['quoted-printable']),
    ],
    body: quotedPrintable(content),
  };
}

/** The invitation as the alternative part Outlook, Gmail and Apple Mail show as a meeting. */
function calendarPart(calendar: MimeCalendar): Entity {
  return {
    headers: [
      headerField(
        'Content-Type',
        withParameters('text/calendar', ['charset=utf-8', `method=${calendar.method}`]),
      ),
      headerField('Content-Transfer-Encoding', ['quoted-printable']),
    ],
    body: quotedPrintable(calendar.content),
  };
}

/** The same invitation as an .ics file, for clients that only offer attachments. */
function calendarFile(calendar: MimeCalendar): Entity {
  return attachmentPart({
    filename: calendar.filename,
    content: Buffer.from(calendar.content, 'utf8'),
    contentType: 'application/ics',
  });
}

function attachmentPart(attachment: MimeAttachment): Entity {
  // An image the HTML shows is inline; anything else, even with a Content-ID, is a file to open.
  const disposition = attachment.cid && /^image\//i.test(attachment.contentType) ? 'inline' : 'attachment';
  return {
    headers: [
      headerField(
        'Content-Type',
        withParameters(attachment.contentType, parameter('name', attachment.filename)),
      ),
      headerField('Content-Transfer-Encoding', ['base64']),
      headerField(
        'Content-Disposition',
        withParameters(disposition, parameter('filename', attachment.filename)),
      ),
      ...(attachment.cid ? [headerField('Content-ID', [`<${attachment.cid}>`])] : []),
    ],
    body: base64Lines(attachment.content),
  };
}

function multipart(subtype: 'mixed' | 'alternative', parts: readonly Entity[]): Entity {
  return { subtype, parameters: [], parts };
}

function related(html: Entity, images: readonly Entity[]): Entity {
  return { subtype: 'related', parameters: ['type="text/html"'], parts: [html, ...images] };
}

/** One random base per message; the counter in front keeps one boundary from prefixing another. */
function boundaryMaker(): () => string {
  const base = randomBytes(12).toString('hex');
  let count = 0;
  return () => `=_${(count += 1)}_${base}`;
}

function render(entity: Entity, boundaries: () => string, outer: readonly string[] = []): string {
  if ('body' in entity) return [...outer, ...entity.headers].join(CRLF) + CRLF + CRLF + entity.body;
  const boundary = boundaries();
  const headers = [
    ...outer,
    headerField(
      'Content-Type',
      withParameters(`multipart/${entity.subtype}`, [...entity.parameters, `boundary="${boundary}"`]),
    ),
  ];
  // RFC 2046 5.1.1: the CRLF before each delimiter belongs to the delimiter, not to the part.
  const parts = entity.parts.map((part) => `--${boundary}${CRLF}${render(part, boundaries)}${CRLF}`);
  return headers.join(CRLF) + CRLF + CRLF + parts.join('') + `--${boundary}--${CRLF}`;
}

function mailboxList(mailboxes: readonly MimeMailbox[]): string[] {
  return mailboxes.flatMap((mailbox, index) => {
    const pieces = mailbox.name ? [...displayName(mailbox.name), `<${mailbox.address}>`] : [mailbox.address];
    if (index < mailboxes.length - 1) pieces[pieces.length - 1] += ',';
    return pieces;
  });
}

/** RFC 5322 3.3 date-time, in UTC: `Thu, 01 Oct 2026 08:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
