import fc from 'fast-check';
import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage, InvalidMessageSpec, type MessageSpec } from '#shared/mail/compose.ts';

function spec(overrides: Partial<MessageSpec> = {}): MessageSpec {
  return {
    from: { name: 'ISMS review', address: 'review@isms.example.org' },
    to: [{ name: 'Carol Risk', address: 'carol@example.com' }],
    subject: 'Input needed for the Q4 2026 management review',
    text: 'Please reply with your input.',
    ...overrides,
  };
}

async function rejection(overrides: Record<string, unknown>): Promise<InvalidMessageSpec> {
  const error = await composeMessage(spec(overrides as Partial<MessageSpec>)).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidMessageSpec);
  return error as InvalidMessageSpec;
}

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((entry) =>
    entry.value.map((mailbox) => mailbox.address),
  );

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//isms-review//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:C-20261001T0800Z-Q@isms.example.org',
  'DTSTART:20261105T100000Z',
  'SUMMARY:Management review',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('composeMessage: refuses what could inject headers or is not mail', () => {
  it('a subject with CR or LF (header injection)', async () => {
    const error = await rejection({ subject: 'Hello\r\nBcc: victim@example.com' });
    expect(error.message).toContain('subject');
    expect(error.issues.join()).toContain('no CR or LF');
    await rejection({ subject: 'Hello\nX-Evil: 1' });
    await rejection({ subject: 'Hello\rX-Evil: 1' });
  });

  it('an empty or blank subject, or an empty text part', async () => {
    await rejection({ subject: '' });
    await rejection({ subject: '   ' });
    await rejection({ text: ' \n ' });
  });

  it('a display name or a custom header value with a line break', async () => {
    await rejection({ to: [{ name: 'Carol\r\nBcc: x@example.com', address: 'carol@example.com' }] });
    await rejection({ headers: { 'X-Isms-Cycle': 'C-1\r\nBcc: x@example.com' } });
  });

  it('a custom header that would replace one the composer sets', async () => {
    const error = await rejection({ headers: { 'Auto-Submitted': 'no' } });
    expect(error.message).toContain('headers');
    await rejection({ headers: { 'x-auto-response-suppress': 'None' } });
    await rejection({ headers: { Bcc: 'x@example.com' } });
    await rejection({ headers: { 'Bad Header': 'x' } });
  });

  it('addresses that are not addresses, and a message to nobody', async () => {
    await rejection({ to: ['carol'] });
    await rejection({ to: [] });
    await rejection({ from: 'review@' });
    await rejection({ cc: ['a@b@c'] });
    await rejection({ replyTo: 'in+token' });
  });

  it('a file name with a path or a line break, and a bad content type', async () => {
    const attachment = { filename: 'a.csv', content: Buffer.from('a'), contentType: 'text/csv' };
    await rejection({ attachments: [{ ...attachment, filename: '../etc/passwd' }] });
    await rejection({ attachments: [{ ...attachment, filename: 'a\r\n.csv' }] });
    await rejection({ attachments: [{ ...attachment, contentType: 'text/csv\r\nX: y' }] });
    await rejection({ attachments: [{ ...attachment, content: 'not a buffer' }] });
  });

  it('a calendar invitation whose METHOD does not match, or that is not a calendar', async () => {
    await rejection({ icalEvent: { method: 'CANCEL', content: ICS } });
    await rejection({ icalEvent: { method: 'REQUEST', content: 'METHOD:REQUEST' } });
  });

  it('a malformed In-Reply-To or Message-ID', async () => {
    await rejection({ inReplyTo: 'no-brackets@example.com' });
    await rejection({ messageId: '<a b@example.org>' });
    await rejection({ references: ['<ok@example.org>', 'bad'] });
  });
});

describe('composeMessage', () => {
  it('always marks the message as automatic, so robots do not answer it', async () => {
    const { raw } = await composeMessage(spec());
    const head = raw.toString().split('\r\n\r\n')[0] as string;
    expect(head).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(head).toMatch(/^X-Auto-Response-Suppress: All$/m);
  });

  it('gives a Message-ID <uuid@from-domain>, or keeps the one given', async () => {
    const made = await composeMessage(spec({ from: 'Review@ISMS.Example.org' }));
    expect(made.messageId).toMatch(
      /^<[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@isms\.example\.org>$/,
    );
    expect((await simpleParser(made.raw)).messageId).toBe(made.messageId);

    const kept = await composeMessage(spec({ messageId: '<fixed-1@isms.example.org>' }));
    expect(kept.messageId).toBe('<fixed-1@isms.example.org>');
    expect((await simpleParser(kept.raw)).messageId).toBe('<fixed-1@isms.example.org>');
  });

  it('writes every part a mail client reads: addresses, subject, text, HTML, attachments, invitation, threading', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\nbinary\x00\xff', 'latin1');
    const { raw } = await composeMessage(
      spec({
        cc: ['ciso@example.com', { name: 'Dana "The Chair" O\'Neil', address: 'ceo@example.com' }],
        replyTo: 'in+tok3n@reply.isms.example.org',
        subject: 'Décision requise: revue de direction T4 — 👩🏽‍💼',
        text: 'Bonjour Carol,\nÉchéance: vendredi 16 octobre 2026, 17:00 (Europe/London).',
        html: '<p>Bonjour Carol,</p>',
        attachments: [
          { filename: 'package.pdf', content: pdf, contentType: 'application/pdf' },
          { filename: 'données.csv', content: Buffer.from('a;b\n1;2\n'), contentType: 'text/csv' },
        ],
        icalEvent: { method: 'REQUEST', content: ICS },
        headers: { 'X-Isms-Cycle': 'C-20261001T0800Z-Q' },
        inReplyTo: '<original@mail.example.com>',
        references: ['<first@mail.example.com>', '<original@mail.example.com>'],
        date: new Date('2026-10-01T08:00:00.000Z'),
      }),
    );
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ name: 'ISMS review', address: 'review@isms.example.org' }]);
    expect(addresses(mail.to)).toEqual(['carol@example.com']);
    expect(addresses(mail.cc)).toEqual(['ciso@example.com', 'ceo@example.com']);
    expect((Array.isArray(mail.cc) ? [] : (mail.cc?.value ?? []))[1]?.name).toBe('Dana "The Chair" O\'Neil');
    expect(mail.replyTo?.value[0]?.address).toBe('in+tok3n@reply.isms.example.org');
    expect(mail.subject).toBe('Décision requise: revue de direction T4 — 👩🏽‍💼');
    expect(mail.text).toContain('Échéance: vendredi 16 octobre 2026, 17:00 (Europe/London).');
    expect(mail.html).toContain('<p>Bonjour Carol,</p>');
    expect(mail.date?.toISOString()).toBe('2026-10-01T08:00:00.000Z');
    expect(mail.inReplyTo).toBe('<original@mail.example.com>');
    expect(mail.references).toEqual(['<first@mail.example.com>', '<original@mail.example.com>']);
    expect(mail.headers.get('x-isms-cycle')).toBe('C-20261001T0800Z-Q');

    const files = mail.attachments.filter(
      (attachment) =>
        attachment.contentType !== 'text/calendar' && attachment.contentType !== 'application/ics',
    );
    expect(files.map((file) => [file.filename, file.contentType])).toEqual([
      ['package.pdf', 'application/pdf'],
      ['données.csv', 'text/csv'],
    ]);
    expect(files[0]?.content.equals(pdf)).toBe(true);
    // The invitation is an alternative part Outlook and Gmail show as a meeting, method REQUEST.
    expect(raw.toString()).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    expect(raw.toString()).not.toMatch(/^Bcc:/m);
  });

  it('never reads a file or a URL named in an attachment', async () => {
    await expect(
      composeMessage(
        spec({
          attachments: [
            { filename: 'p', content: { path: '/etc/passwd' } as never, contentType: 'text/plain' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidMessageSpec);
  });

  it('keeps any one-line subject exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
          .filter((text) => !CONTROL.test(text) && text.trim() === text && text.length > 0)
          .filter((text) => !/\s{2,}/.test(text)),
        async (subject) => {
          const mail = await simpleParser((await composeMessage(spec({ subject }))).raw);
          expect(mail.subject).toBe(subject);
        },
      ),
      { numRuns: 60 },
    );
  });
});
