/**
 * The MIME writer (shared/mail/mime.ts) on the wire: what every message must respect whatever it
 * holds (CRLF only, 7-bit, line lengths, boundaries no content can contain), the structure calendar
 * clients need, and, read back with mailparser, any valid message exactly as it was specified.
 */
import fc from 'fast-check';
import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage, Mailbox, type MessageSpec } from '#shared/mail/compose.ts';
import { encodedWords, parameter, quotedPrintable } from '#shared/mail/mime-encoding.ts';
import { base, binary, corpus, ics } from './mime-corpus.ts';

const spec = (overrides: Partial<MessageSpec> = {}): MessageSpec => ({ ...base, ...overrides });
const compose = async (overrides: Partial<MessageSpec> = {}) => (await composeMessage(spec(overrides))).raw;

const mailboxes = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((entry) => entry.value);

/** The header block and, for each leaf part, its headers and body lines. */
function anatomy(raw: Buffer) {
  const text = raw.toString('latin1');
  const [head] = text.split('\r\n\r\n', 1);
  const boundaries = [...text.matchAll(/boundary="([^"]+)"/g)].map((match) => match[1]!);
  const delimiter = new RegExp(
    `\\r\\n--(?:${boundaries.map((b) => b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?:--)?\\r\\n`,
  );
  const leaves = (boundaries.length ? text.split(delimiter) : [text])
    .map((chunk) => chunk.split('\r\n\r\n'))
    .filter(([headers]) => /^Content-Transfer-Encoding: /im.test(headers ?? ''))
    .map(([headers, ...body]) => ({ headers: headers!, lines: body.join('\r\n\r\n').split('\r\n') }));
  return { head: head!, boundaries, leaves };
}

describe('the wire format, whatever the message holds', () => {
  it.each(Object.entries(corpus))(
    '%s: CRLF only, 7-bit, lines within their limits',
    async (_name, overrides) => {
      const raw = await compose(overrides);
      const text = raw.toString('latin1');
      // No bare CR or LF (SMTP and SES refuse or rewrite them), no 8-bit byte, no NUL.
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect([...raw].every((byte) => byte > 0 && byte < 0x80)).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);

      const { head, boundaries, leaves } = anatomy(raw);
      // Header lines: at most 78 characters unless one word (a token) is longer, never over 998; a
      // continuation line is never blank.
      const headerLine = (line: string) => {
        expect(line.length, line).toBeLessThanOrEqual(998);
        if (line.length > 78) expect(line.trim().split(' ').length, line).toBeLessThanOrEqual(2);
        expect(line.trim(), 'a whitespace-only continuation line').not.toBe('');
      };
      head.split('\r\n').forEach(headerLine);
      for (const leaf of leaves) {
        leaf.headers.split('\r\n').forEach(headerLine);
        for (const line of leaf.lines) expect(line.length, line).toBeLessThanOrEqual(76);
        if (/quoted-printable/i.test(leaf.headers)) {
          // A line starting with "." or "From " would be altered by SMTP dot handling or an mbox writer.
          for (const line of leaf.lines) expect(line).not.toMatch(/^(\.|From )/);
          // Trailing white space is stripped by some relays: it is encoded.
          for (const line of leaf.lines) expect(line).not.toMatch(/[ \t]$/);
        }
      }
      // A boundary is never a prefix of another, and no content line starts with a delimiter.
      for (const boundary of boundaries) {
        expect(boundary).toMatch(/=_/);
        expect(boundaries.filter((other) => other.startsWith(boundary))).toEqual([boundary]);
      }
    },
  );

  it('a subject, a display name or a file name that looks like an encoded-word is kept literally', async () => {
    const mail = await simpleParser(
      await compose({
        subject: '=?UTF-8?Q?Approved?= by the chair',
        to: [{ name: '=?UTF-8?B?QWxpY2U=?=', address: 'mallory@example.com' }],
        attachments: [
          { filename: '=?UTF-8?Q?invoice?=.pdf', content: Buffer.from('x'), contentType: 'application/pdf' },
        ],
      }),
    );
    expect(mail.subject).toBe('=?UTF-8?Q?Approved?= by the chair');
    expect(mailboxes(mail.to)[0]?.name).toBe('=?UTF-8?B?QWxpY2U=?=');
    expect(mail.attachments[0]?.filename).toBe('=?UTF-8?Q?invoice?=.pdf');
  });

  it('a custom header token longer than a line is kept whole, as the program that reads it expects', async () => {
    const sha256 = 'a8aa26770f4d320e818e5422911bfc1fad62e0d4361235de4130f5b02b0b2c87';
    const raw = await compose({ headers: { 'X-Isms-Review-Package-Sha256': sha256 } });
    expect(raw.toString()).toContain(`\r\nX-Isms-Review-Package-Sha256: ${sha256}\r\n`);
  });

  it('text that contains a delimiter-like line stays in its part', async () => {
    const first = anatomy(await compose({ html: '<p>x</p>' })).boundaries[0]!;
    const text = `--${first}\r\n--${first}--\r\nContent-Type: text/html\r\n\r\n<b>injected</b>`;
    const mail = await simpleParser(await compose({ text, html: '<p>x</p>' }));
    expect(mail.text).toBe(text.replace(/\r\n/g, '\n'));
    expect(mail.html).toBe('<p>x</p>');
  });

  it('boundaries are random: two messages never share one', async () => {
    const one = anatomy(await compose({ html: '<p>x</p>' })).boundaries;
    const two = anatomy(await compose({ html: '<p>x</p>' })).boundaries;
    expect(one).toHaveLength(1);
    expect(two[0]).not.toBe(one[0]);
  });
});

describe('the calendar invitation, as calendar clients need it', () => {
  it('REQUEST: a text/calendar alternative with its method, and the .ics file beside the text', async () => {
    const raw = await compose({
      html: '<p>Package attached.</p>',
      attachments: [{ filename: 'package.pdf', content: binary, contentType: 'application/pdf' }],
      icalEvent: { method: 'REQUEST', content: ics('REQUEST', 'Revue — T4') },
    });
    const types = [...raw.toString().matchAll(/^Content-Type: ([^\r\n]+)/gm)].map((match) => match[1]);
    expect(types).toEqual([
      expect.stringMatching(/^multipart\/mixed; boundary=/),
      expect.stringMatching(/^multipart\/alternative; boundary=/),
      'text/plain; charset=utf-8',
      'text/html; charset=utf-8',
      'text/calendar; charset=utf-8; method=REQUEST',
      'application/pdf; name="package.pdf"',
      'application/ics; name="invite.ics"',
    ]);
    const mail = await simpleParser(raw);
    const part = mail.attachments.find((attachment) => attachment.contentType === 'text/calendar');
    const file = mail.attachments.find((attachment) => attachment.contentType === 'application/ics');
    expect(part?.content.toString('utf8')).toBe(ics('REQUEST', 'Revue — T4'));
    expect(file?.content.toString('utf8')).toBe(ics('REQUEST', 'Revue — T4'));
    expect(file?.filename).toBe('invite.ics');
    expect(file?.contentDisposition).toBe('attachment');
  });

  it('CANCEL: method=CANCEL and cancel.ics', async () => {
    const raw = (await compose({ icalEvent: { method: 'CANCEL', content: ics('CANCEL') } })).toString();
    expect(raw).toMatch(/^Content-Type: text\/calendar; charset=utf-8; method=CANCEL\r$/m);
    expect(raw).toMatch(/^Content-Type: application\/ics; name="cancel.ics"\r$/m);
    expect(raw).toMatch(/^Content-Disposition: attachment; filename="cancel.ics"\r$/m);
  });

  it('a calendar written with bare LF goes out with the CRLF iCalendar requires', async () => {
    const mail = await simpleParser(
      await compose({ icalEvent: { method: 'REQUEST', content: ics('REQUEST').replace(/\r\n/g, '\n') } }),
    );
    const part = mail.attachments.find((attachment) => attachment.contentType === 'text/calendar');
    expect(part?.content.toString('utf8')).toBe(ics('REQUEST'));
  });
});

describe('the encodings', () => {
  it('quoted-printable: soft breaks never split an escape, trailing white space and leading dots are encoded', () => {
    const encoded = quotedPrintable(`${'é'.repeat(40)}\n.\nFrom me \nend\t`);
    const lines = encoded.split('\r\n');
    expect(lines.every((line) => line.length <= 76)).toBe(true);
    // With the soft breaks removed, every `=` starts a whole escape: none was split by a break.
    for (const line of encoded.replace(/=\r\n/g, '').split('\r\n'))
      expect(line).toMatch(/^(?:[^=]|=[0-9A-F]{2})*$/);
    expect(lines.slice(-3)).toEqual(['=2E', '=46rom me=20', 'end=09']);
  });

  it('encoded-words: at most 60 characters, whole characters only', () => {
    const words = encodedWords('👩🏽‍💼'.repeat(20));
    expect(words.every((word) => word.length <= 60 && /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/.test(word))).toBe(
      true,
    );
    for (const word of words) {
      const bytes = Buffer.from(word.slice(10, -2), 'base64');
      expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(true);
    }
  });

  it('RFC 2231 parameters: short ASCII quoted, the rest percent-encoded in numbered sections', () => {
    expect(parameter('filename', 'a "b".csv')).toEqual(['filename="a \\"b\\".csv"']);
    expect(parameter('filename', 'données.csv')).toEqual(["filename*=utf-8''donn%C3%A9es.csv"]);
    const name = `${'é'.repeat(30)} «rapport».txt`;
    const long = parameter('filename', name);
    expect(long.length).toBeGreaterThan(1);
    expect(long[0]).toMatch(/^filename\*0\*=utf-8''/);
    long
      .slice(1)
      .forEach((section, index) => expect(section).toMatch(new RegExp(`^filename\\*${index + 1}\\*=`)));
    // Each section holds whole %XX escapes and fits a folded line; together they spell the name.
    expect(long.every((section) => section.length <= 70)).toBe(true);
    const values = long.map((section) => section.replace(/^filename\*\d+\*=(utf-8'')?/, ''));
    expect(values.map((value) => decodeURIComponent(value)).join('')).toBe(name);
  });
});

const oneLine = (maxLength: number) =>
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength })
    .map((text) => text.replace(/[\r\n]/g, ' ').trim())
    .filter((text) => text.length > 0);

const address = fc
  .stringMatching(/^[a-z0-9]([a-z0-9._+-]{0,12}[a-z0-9])?@([a-z0-9]{1,8}\.){1,2}(org|com|example)$/)
  .filter((value) => Mailbox.safeParse(value).success);

const mailbox = fc.oneof(address, fc.record({ name: oneLine(200), address }));

const body = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.constantFrom('\n', '\r\n', '\r', '.', 'From ', '=', ' ', '\t', '--', '=?UTF-8?Q?x?='),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((pieces) => pieces.join(''))
  .filter((text) => text.trim().length > 0);

const attachment = fc.record(
  {
    filename: oneLine(200).filter((name) => !/[/\\]/.test(name)),
    content: fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
    contentType: fc.constantFrom('application/pdf', 'text/csv', 'application/octet-stream', 'image/png'),
  },
  { requiredKeys: ['filename', 'content', 'contentType'] },
);

/** Line breaks as a reader gets them: every CRLF, CR or LF is one line break. */
const lines = (text: string) => text.replace(/\r\n|\r/g, '\n');

describe('any valid message reads back as it was specified (property)', () => {
  it('addresses, subject, bodies, files, threading and custom headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            from: mailbox,
            to: fc.array(mailbox, { minLength: 1, maxLength: 4 }),
            cc: fc.array(mailbox, { maxLength: 3 }),
            replyTo: mailbox,
            subject: oneLine(250),
            text: body,
            html: body,
            attachments: fc.array(attachment, { maxLength: 4 }),
            references: fc.array(fc.stringMatching(/^<[a-z0-9.-]{1,20}@[a-z0-9.]{1,12}>$/), { maxLength: 4 }),
            headers: fc.dictionary(
              fc.stringMatching(/^X-Prop-[A-Za-z]{1,8}$/),
              // As a program reads a custom header: printable ASCII, never decoded (so no `=?`).
              fc
                .string({ unit: fc.constantFrom(...'abc XYZ 0123 =?_-:;"\\,.'.split('')), maxLength: 120 })
                .filter((value) => !value.includes('=?')),
              { maxKeys: 3 },
            ),
          },
          { requiredKeys: ['from', 'to', 'subject', 'text'] },
        ),
        async (drawn) => {
          const given = { ...drawn, date: new Date('2026-10-01T08:00:00.000Z') } as MessageSpec;
          const { raw, messageId } = await composeMessage(given);
          const mail = await simpleParser(raw);
          const expected = (list: readonly Mailbox[] = []) =>
            list.map((m) =>
              typeof m === 'string' ? { address: m, name: '' } : { address: m.address, name: m.name.trim() },
            );
          expect(mailboxes(mail.from)).toEqual(expected([given.from]));
          expect(mailboxes(mail.to)).toEqual(expected(given.to));
          expect(mailboxes(mail.cc)).toEqual(expected(given.cc));
          expect(mailboxes(mail.replyTo)).toEqual(expected(given.replyTo ? [given.replyTo] : []));
          expect(mail.subject).toBe(given.subject);
          expect(mail.messageId).toBe(messageId);
          expect(mail.date?.toISOString()).toBe('2026-10-01T08:00:00.000Z');
          const references = given.references ?? [];
          expect(mail.references ?? []).toEqual(references.length === 1 ? references[0] : references);
          for (const [name, value] of Object.entries(given.headers ?? {})) {
            expect(mail.headers.get(name.toLowerCase()) ?? '').toBe(value.trim());
          }
          const alone = !given.html && !given.attachments?.length;
          const text = lines(given.text);
          expect(lines(mail.text ?? '')).toBe(alone && !text.endsWith('\n') ? `${text}\n` : text);
          if (given.html) expect(lines(mail.html || '')).toBe(lines(given.html));
          expect(
            // The declared type: mailparser's contentType guesses from the name for application/octet-stream.
            mail.attachments.map((file) => [
              file.filename,
              (file.headers.get('content-type') as { value: string }).value,
              file.content.toString('base64'),
            ]),
          ).toEqual(
            (given.attachments ?? []).map((file) => [
              file.filename,
              file.contentType,
              file.content.toString('base64'),
            ]),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
