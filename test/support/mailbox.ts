/**
 * Reads what the local SES (aws-ses-v2-local) has "sent".
 *
 * The emulator keeps one record per message, parsed from the MIME we send with SendRawEmail:
 * from, reply-to, to/cc/bcc, subject, text, html and attachments. It does not keep the raw
 * message or its other headers, so `headers` is present only for mail sent with the SES v2 API
 * and custom headers.
 *
 * The mailbox is shared by every test in the run: find your messages by a unique recipient
 * or subject (`listSentMail(endpoint, { to })`). `clearMailbox` empties it for everyone, so
 * use it only where no other test runs against the same emulator (e.g. a stack of your own).
 */
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';

export class MailboxUnavailable extends Error {
  override name = 'MailboxUnavailable' as const;
}

export class MailNotFound extends Error {
  override name = 'MailNotFound' as const;
}

const storedEmail = z.object({
  messageId: z.string(),
  from: z.string(),
  replyTo: z.array(z.string()).default([]),
  destination: z.object({
    to: z.array(z.string()).default([]),
    cc: z.array(z.string()).default([]),
    bcc: z.array(z.string()).default([]),
  }),
  subject: z.string(),
  body: z.object({ text: z.string().optional(), html: z.string().optional() }),
  attachments: z
    .array(
      z.object({
        filename: z.string().optional(),
        contentType: z.string(),
        size: z.number(),
        content: z.string(),
      }),
    )
    .default([]),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  at: z.number(),
});

const storeResponse = z.object({ emails: z.array(storedEmail) });

export interface SentAttachment {
  filename: string | undefined;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface SentMail {
  /** The id SES returned to the sender. */
  messageId: string;
  /** The bare From address, lower case. */
  from: string;
  /** The From header as the emulator parsed it, e.g. `"ISMS review" <review@example.org>`. */
  fromHeader: string;
  /** Bare addresses, lower case, from the To, Cc, Bcc and Reply-To headers. */
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text: string | undefined;
  html: string | undefined;
  attachments: SentAttachment[];
  /** Only for mail sent through the SES v2 API with custom headers (see above). */
  headers: Record<string, string> | undefined;
  /** When the emulator received it (second precision). */
  sentAt: Date;
}

export interface MailFilter {
  /** A recipient address (To, Cc or Bcc), compared case-insensitively. */
  to?: string;
  subjectIncludes?: string;
  since?: Date;
}

function addresses(fields: string[]): string[] {
  const flat = (list: ReturnType<typeof addressparser>): string[] =>
    list.flatMap((entry) =>
      entry.group ? flat(entry.group) : entry.address ? [entry.address.toLowerCase()] : [],
    );
  return fields.flatMap((field) => flat(addressparser(field)));
}

/** Every message the local SES holds, oldest first, optionally filtered. */
export async function listSentMail(sesEndpoint: string, filter: MailFilter = {}): Promise<SentMail[]> {
  const url = new URL('/store', sesEndpoint);
  if (filter.since) url.searchParams.set('since', String(Math.floor(filter.since.getTime() / 1000)));
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new MailboxUnavailable(
      `The local SES mailbox at ${url.href} did not answer: ${(error as Error).message}`,
    );
  }
  const parsed = storeResponse.safeParse(body);
  if (!parsed.success) {
    throw new MailboxUnavailable(
      `The local SES mailbox answered in an unexpected shape: ${parsed.error.message}`,
    );
  }
  const wanted = filter.to?.toLowerCase();
  return parsed.data.emails
    .map((email): SentMail => ({
      messageId: email.messageId,
      from: addresses([email.from])[0] ?? email.from,
      fromHeader: email.from,
      to: addresses(email.destination.to),
      cc: addresses(email.destination.cc),
      bcc: addresses(email.destination.bcc),
      replyTo: addresses(email.replyTo),
      subject: email.subject,
      text: email.body.text,
      html: email.body.html,
      attachments: email.attachments.map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.size,
        content: Buffer.from(attachment.content, 'base64'),
      })),
      headers:
        email.headers && Object.fromEntries(email.headers.map((header) => [header.name, header.value])),
      sentAt: new Date(email.at * 1000),
    }))
    .filter(
      (mail) =>
        (wanted === undefined || [...mail.to, ...mail.cc, ...mail.bcc].includes(wanted)) &&
        (filter.subjectIncludes === undefined || mail.subject.includes(filter.subjectIncludes)),
    );
}

/** The one message matching the filter; throws MailNotFound if there is none or more than one. */
export async function theOnlyMail(sesEndpoint: string, filter: MailFilter): Promise<SentMail> {
  const found = await listSentMail(sesEndpoint, filter);
  if (found.length !== 1) {
    throw new MailNotFound(
      `Expected exactly one message matching ${JSON.stringify(filter)}, found ${found.length}.`,
    );
  }
  return found[0] as SentMail;
}

/** Empties the mailbox for every test using this emulator (see the note above). */
export async function clearMailbox(sesEndpoint: string): Promise<void> {
  const url = new URL('/clear-store', sesEndpoint);
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(5000) }).catch(
    (error: Error) => {
      throw new MailboxUnavailable(`The local SES mailbox at ${url.href} did not answer: ${error.message}`);
    },
  );
  if (!response.ok)
    throw new MailboxUnavailable(`Clearing the local SES mailbox failed: HTTP ${response.status}`);
}
