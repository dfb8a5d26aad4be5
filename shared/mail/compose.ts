/**
 * Composes one outbound message as raw MIME (what SES SendRawEmail takes), with our own writer
 * (mime.ts): text and HTML alternatives, attachments, an optional calendar invitation.
 *
 * Every message carries `Auto-Submitted: auto-generated` (RFC 3834; `auto-replied` when the caller
 * says it answers a person's message) and
 * `X-Auto-Response-Suppress: All` (Exchange/Outlook), so out-of-office robots do not answer our
 * notices and two robots can never loop. The Message-ID is `<uuid@from-domain>`, or the one the
 * caller gives (the outbox keeps it stable across a resend, so a client that already has the
 * message shows it once).
 *
 * The spec is validated first: addresses must be addresses, and no header value (subject,
 * display names, custom headers) may hold CR or LF, which would let text inject headers.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { writeMessage } from './mime.ts';

export class InvalidMessageSpec extends Error {
  override name = 'InvalidMessageSpec' as const;
  constructor(readonly issues: readonly string[]) {
    super(`The message cannot be composed: ${issues.join('; ')}`);
  }
}

const NO_LINE_BREAK = /^[^\r\n]*$/;
const noLineBreak = (what: string) =>
  z.string().regex(NO_LINE_BREAK, { error: `${what} must be on one line (no CR or LF)` });

const EmailAddress = z.email({ error: 'expected an email address like name@example.org' });

/** A mailbox: a bare address, or a display name and an address. */
export const Mailbox = z.union([
  EmailAddress,
  z.strictObject({
    name: noLineBreak('a display name').max(200, { error: 'a display name is at most 200 characters' }),
    address: EmailAddress,
  }),
]);
export type Mailbox = z.infer<typeof Mailbox>;

const MessageIdHeader = z
  .string()
  .regex(/^<[^<>\s@]+@[^<>\s@]+>$/, { error: 'expected a Message-ID like <id@example.org>' });

/** Headers we set ourselves; a custom header may not replace them. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
  'x-auto-response-suppress',
]);

const HeaderName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,75}$/, { error: 'a header name is letters, digits and -' })
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
    error: 'this header is set by the composer and cannot be given',
  });

export const Attachment = z.strictObject({
  filename: noLineBreak('a file name')
    .min(1, { error: 'a file name must not be empty' })
    .max(200, { error: 'a file name is at most 200 characters' })
    .refine((name) => !/[/\\]/.test(name), { error: 'a file name has no / or \\' }),
  content: z.instanceof(Buffer, { error: 'attachment content must be a Buffer' }),
  contentType: z
    .string()
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/i, { error: 'expected a content type like application/pdf' }),
  /** Content-ID of an inline image the HTML shows as `cid:<cid>` (multipart/related). */
  cid: z
    .string()
    .regex(/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$/, { error: 'expected a Content-ID like chart-d1@example.org' })
    .optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const IcalEvent = z
  .strictObject({
    method: z.enum(['REQUEST', 'CANCEL']),
    /** The iCalendar text (BEGIN:VCALENDAR ... END:VCALENDAR). */
    content: z.string(),
  })
  .refine((event) => /^BEGIN:VCALENDAR\r?$/m.test(event.content), {
    error: 'the calendar content must start a VCALENDAR',
    path: ['content'],
  })
  .refine((event) => new RegExp(`^METHOD:${event.method}\\r?$`, 'm').test(event.content), {
    error: 'the calendar content must declare the same METHOD as the invitation',
    path: ['content'],
  });
export type IcalEvent = z.infer<typeof IcalEvent>;

export const MessageSpec = z.strictObject({
  from: Mailbox,
  to: z.array(Mailbox).min(1, { error: 'a message needs at least one recipient in To' }),
  cc: z.array(Mailbox).default([]),
  replyTo: Mailbox.optional(),
  subject: noLineBreak('the subject')
    .refine((subject) => subject.trim().length > 0, { error: 'the subject must not be empty' })
    .refine((subject) => subject.length <= 250, { error: 'the subject is at most 250 characters' }),
  /** The plain-text part: it must stand on its own. */
  text: z.string().refine((text) => text.trim().length > 0, { error: 'the text part must not be empty' }),
  html: z.string().optional(),
  attachments: z.array(Attachment).default([]),
  icalEvent: IcalEvent.optional(),
  headers: z
    .record(
      HeaderName,
      noLineBreak('a header value').max(900, { error: 'a header value is at most 900 characters' }),
    )
    .default({}),
  inReplyTo: MessageIdHeader.optional(),
  references: z.array(MessageIdHeader).default([]),
  /** RFC 3834: `auto-replied` for the answer to a person's message; default `auto-generated`. */
  autoSubmitted: z.enum(['auto-generated', 'auto-replied']).default('auto-generated'),
  /** Absent: `<uuid@from-domain>` is generated. */
  messageId: MessageIdHeader.optional(),
  /** The Date header; absent: now. Pass the injected clock's time. */
  date: z.date().optional(),
});
/** What the caller writes (defaults optional). */
export type MessageSpec = z.input<typeof MessageSpec>;

export interface ComposedMessage {
  /** The whole message as sent: headers and body, CRLF line ends. */
  raw: Buffer;
  /** The Message-ID header value, with its angle brackets: `<uuid@example.org>`. */
  messageId: string;
}

/** The bare address of a mailbox. */
export function addressOf(mailbox: Mailbox): string {
  return typeof mailbox === 'string' ? mailbox : mailbox.address;
}

/** The domain of a mailbox's address, lower case. */
export function domainOf(mailbox: Mailbox): string {
  const address = addressOf(mailbox);
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** A new Message-ID for mail from `from`: `<uuid@from-domain>`. */
export function newMessageId(from: Mailbox, uuid: string = randomUUID()): string {
  return `<${uuid}@${domainOf(from)}>`;
}

/** Validates a spec; throws InvalidMessageSpec naming every problem. */
export function parseMessageSpec(spec: unknown): z.output<typeof MessageSpec> {
  const parsed = MessageSpec.safeParse(spec);
  if (!parsed.success) {
    throw new InvalidMessageSpec(
      parsed.error.issues.map(
        (issue) => `${issue.path.length ? issue.path.join('.') : 'message'}: ${issue.message}`,
      ),
    );
  }
  return parsed.data;
}

export async function composeMessage(spec: MessageSpec): Promise<ComposedMessage> {
  const message = parseMessageSpec(spec);
  const messageId = message.messageId ?? newMessageId(message.from);
  const raw = writeMessage({
    from: asMailbox(message.from),
    to: message.to.map(asMailbox),
    cc: message.cc.map(asMailbox),
    replyTo: message.replyTo ? asMailbox(message.replyTo) : undefined,
    subject: message.subject,
    date: message.date ?? new Date(),
    messageId,
    inReplyTo: message.inReplyTo,
    references: message.references,
    headers: [
      ...Object.entries(message.headers),
      // RFC 3834: an answer to a person's message is `auto-replied`; everything else `auto-generated`.
      ['Auto-Submitted', message.autoSubmitted],
      ['X-Auto-Response-Suppress', 'All'],
    ],
    text: message.text,
    html: message.html,
    attachments: message.attachments,
    calendar: message.icalEvent && {
      ...message.icalEvent,
      filename: message.icalEvent.method === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
    },
  });
  return { raw, messageId };
}

const asMailbox = (mailbox: Mailbox) => (typeof mailbox === 'string' ? { address: mailbox } : mailbox);
