/**
 * composeMessage writes MIME itself (shared/mail/mime.ts). nodemailer stays installed for the SMTP
 * tests and the demo, so its MailComposer serves here as the reference: for each message of a corpus,
 * both are parsed back with mailparser and must carry the same addresses, headers, bodies, files
 * and calendar parts, in the same MIME structure.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage, parseMessageSpec, type MessageSpec } from '#shared/mail/compose.ts';
import { base, corpus } from './mime-corpus.ts';

/** What composeMessage built with MailComposer, kept as the reference. */
async function nodemailerCompose(spec: MessageSpec, messageId: string): Promise<Buffer> {
  const message = parseMessageSpec(spec);
  const composer = new MailComposer({
    from: message.from,
    to: message.to,
    cc: message.cc.length ? message.cc : undefined,
    replyTo: message.replyTo,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments.map((attachment) => ({ ...attachment })),
    icalEvent: message.icalEvent && {
      method: message.icalEvent.method,
      content: message.icalEvent.content,
      filename: message.icalEvent.method === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
    },
    headers: {
      ...message.headers,
      'Auto-Submitted': message.autoSubmitted,
      'X-Auto-Response-Suppress': 'All',
    },
    inReplyTo: message.inReplyTo,
    references: message.references.length ? message.references : undefined,
    messageId,
    date: message.date ?? new Date(),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

const mailboxes = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((entry) => entry.value);

const lines = (text: string | undefined) => text?.replace(/\r\n|\r|\n/g, '\n');

/** Content types in the order they appear: the MIME tree, flattened. */
const structure = (raw: Buffer) =>
  [...raw.toString('latin1').matchAll(/^Content-Type:\s*([^;\r\n]+)/gim)].map((match) =>
    match[1]!.toLowerCase(),
  );

/** Everything a recipient's client reads from a parsed message. */
function reading(mail: ParsedMail, headerNames: readonly string[]) {
  return {
    from: mailboxes(mail.from),
    to: mailboxes(mail.to),
    cc: mailboxes(mail.cc),
    replyTo: mailboxes(mail.replyTo),
    subject: mail.subject,
    date: mail.date?.toISOString(),
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    headers: Object.fromEntries(headerNames.map((name) => [name, mail.headers.get(name)])),
    text: lines(mail.text),
    html: mail.html === false ? false : lines(mail.html),
    attachments: mail.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      disposition: attachment.contentDisposition,
      cid: attachment.cid,
      // The calendar part's method and charset are what calendar clients act on.
      params: attachment.contentType === 'text/calendar' ? attachment.headers.get('content-type') : undefined,
      content:
        attachment.contentType === 'text/calendar'
          ? lines(attachment.content.toString('utf8'))
          : attachment.content.toString('base64'),
    })),
  };
}

const HEADERS = [
  'auto-submitted',
  'x-auto-response-suppress',
  'x-isms-cycle',
  'x-isms-review-evidence-key',
  'x-isms-note',
];

describe('composeMessage writes what nodemailer wrote, as mailparser reads it', () => {
  it.each(Object.entries(corpus))('%s', async (_name, overrides) => {
    const spec = { ...base, ...overrides };
    const ours = await composeMessage(spec);
    const reference = await nodemailerCompose(spec, ours.messageId);

    const [mine, theirs] = await Promise.all([simpleParser(ours.raw), simpleParser(reference)]);
    expect(reading(mine, HEADERS)).toEqual(reading(theirs, HEADERS));
    expect(structure(ours.raw)).toEqual(structure(reference));
  });
});
