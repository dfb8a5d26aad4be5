/**
 * What the MIME parser must get right beyond the corpus in test/fixtures/mail: the charsets mail
 * clients still send in bodies and headers, encoded words and RFC 2231 in names, broken MIME
 * structure, forwarded messages, raw 8-bit headers, bare LF line ends, and the limits that keep
 * a hostile message from costing unbounded time or memory.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { parseInbound, UnparseableMail } from '#shared/mail/inbound.ts';
import { PDF, rawMail, replyHeaders } from './builders.ts';

/** A message whose body is given as bytes (a charset other than UTF-8), line ends `eol`. */
function bytesMail(headers: readonly string[], body: Buffer | string, eol = '\r\n'): Buffer {
  return Buffer.concat([
    Buffer.from(`${headers.join(eol)}${eol}${eol}`, 'latin1'),
    typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
  ]);
}

/** The reply headers with Content-Type replaced (and `extra` added). */
function typed(contentType: string, ...extra: string[]): string[] {
  return replyHeaders(...extra).map((header) =>
    header.startsWith('Content-Type') ? `Content-Type: ${contentType}` : header,
  );
}

/** The reply headers with the header `name` replaced by `line`. */
function withHeader(name: string, line: string): string[] {
  return replyHeaders().map((header) => (header.startsWith(`${name}:`) ? line : header));
}

/** A multipart/mixed body of `parts` (each its header lines, a blank line and its body) with boundary `b`. */
function mixed(...parts: string[]): string {
  return `${parts.map((part) => `--b\r\n${part}\r\n`).join('')}--b--\r\n`;
}

const PDF_PART = (disposition: string): string =>
  `Content-Type: application/pdf\r\n${disposition}\r\nContent-Transfer-Encoding: base64\r\n\r\n${PDF.toString('base64')}`;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('parseInbound: what it refuses to spend time or memory on', () => {
  it('refuses MIME parts nested deeper than 32 levels, at once', async () => {
    let body = '';
    for (let level = 0; level < 300; level++) {
      body += `--b${level}\r\nContent-Type: multipart/mixed; boundary=b${level + 1}\r\n\r\n`;
    }
    const raw = bytesMail(typed('multipart/mixed; boundary=b0'), `${body}x\r\n`);
    const started = Date.now();
    await expect(parseInbound(raw)).rejects.toThrow(UnparseableMail);
    await expect(parseInbound(raw)).rejects.toThrow('nesting depth of 32 levels');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a message of more than 1000 parts, and one with more than 1 MiB of headers', async () => {
    const parts = bytesMail(typed('multipart/mixed; boundary=b'), `${'--b\r\n\r\n'.repeat(50_000)}--b--\r\n`);
    await expect(parseInbound(parts)).rejects.toThrow(UnparseableMail);
    await expect(parseInbound(parts)).rejects.toThrow('part count of 1000 parts');
    const filler = Array.from({ length: 20_000 }, (_, i) => `X-Filler-${i}: x`);
    const headers = rawMail(replyHeaders(...filler));
    await expect(parseInbound(headers)).rejects.toThrow(UnparseableMail);
    await expect(parseInbound(headers)).rejects.toThrow('header size');
  });

  it('reads a reply whose text sits 31 levels deep', async () => {
    let body = '';
    for (let level = 0; level < 30; level++) {
      body += `--b${level}\r\nContent-Type: multipart/mixed; boundary=b${level + 1}\r\n\r\n`;
    }
    const raw = bytesMail(
      typed('multipart/mixed; boundary=b0'),
      `${body}--b30\r\nContent-Type: text/plain\r\n\r\ndeep\r\n`,
    );
    const msg = await parseInbound(raw);
    expect(msg.text.trim()).toBe('deep');
  });
});

describe('parseInbound: charsets', () => {
  it.each([
    ['Shift_JIS', '82b182f182c982bf82cd', 'こんにちは'],
    ['ISO-2022-JP', '1b244224332473244b2441244f1b2842', 'こんにちは'],
    ['GB18030', 'c4e3bac3', '你好'],
    ['Big5', 'a741a66e', '你好'],
    ['EUC-KR', 'bec8b3e7', '안녕'],
    ['KOI8-R', 'f0d2c9d7c5d4', 'Привет'],
    ['windows-1251', 'cff0e8e2e5f2', 'Привет'],
    ['ISO-8859-2', 'b3f3b6e6', 'łóść'],
  ])('decodes a %s body', async (charset, hex, expected) => {
    const body = Buffer.concat([Buffer.from(hex, 'hex'), Buffer.from('\r\n')]);
    const msg = await parseInbound(bytesMail(typed(`text/plain; charset=${charset}`), body));
    expect(msg.text).toBe(`${expected}\n`);
    expect(msg.textSource).toBe('plain');
  });

  it('reads windows-1252 bytes 0x80-0x9F as the euro sign, curly quotes and dashes, under every label that means it', async () => {
    const body = Buffer.from([0x80, 0x35, 0x20, 0x93, 0x71, 0x94, 0x20, 0x96, 0x20, 0x99, 0x0d, 0x0a]);
    for (const charset of ['windows-1252', 'iso-8859-1', 'us-ascii']) {
      const msg = await parseInbound(bytesMail(typed(`text/plain; charset=${charset}`), body));
      expect(msg.text, charset).toBe('€5 “q” – ™\n');
    }
    const html = await parseInbound(
      bytesMail(
        typed('text/html; charset=windows-1252'),
        Buffer.from([0x3c, 0x70, 0x3e, 0x80, 0x39, 0x3c, 0x2f, 0x70, 0x3e]),
      ),
    );
    expect(html.text).toBe('€9');
    const headers = await parseInbound(
      rawMail(
        withHeader('From', 'From: =?windows-1252?Q?Ren=E9e_=93R=94?= <renee@example.com>').map((header) =>
          header.startsWith('Subject:') ? 'Subject: =?iso-8859-1?Q?Budget_=80_45=2C000?=' : header,
        ),
      ),
    );
    expect(headers.from).toEqual({ address: 'renee@example.com', name: 'Renée “R”' });
    expect(headers.subject).toBe('Budget € 45,000');
  });

  it('decodes encoded words in the subject and in display names, in any charset', async () => {
    const msg = await parseInbound(
      rawMail(
        replyHeaders().map((header) =>
          header.startsWith('From:')
            ? 'From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <Yamada@Example.jp>'
            : header.startsWith('Subject:')
              ? 'Subject: =?Shift_JIS?B?grGC8YLJgr+CzQ==?= =?utf-8?q?_caf=C3=A9?='
              : header,
        ),
      ),
    );
    expect(msg.from).toEqual({ address: 'yamada@example.jp', name: '山田' });
    expect(msg.subject).toBe('こんにちは café');
  });

  it('reads raw 8-bit headers as UTF-8, and as windows-1252 where they are not UTF-8', async () => {
    const utf8 = await parseInbound(
      rawMail(withHeader('From', 'From: Jürgen Müller <juergen@example.de>').concat('Subject: Größe')),
    );
    expect(utf8.from.name).toBe('Jürgen Müller');
    const latin1 = await parseInbound(
      bytesMail(['From: J\xfcrgen <j@example.de>', 'Subject: Gr\xf6\xdfe', 'To: a@example.com'], 'x\r\n'),
    );
    expect(latin1.from).toEqual({ address: 'j@example.de', name: 'Jürgen' });
    expect(latin1.subject).toBe('Größe');
  });
});

describe('parseInbound: attachment names and structure', () => {
  it('reads RFC 2231 filenames (charset, continuations) and encoded-word filenames', async () => {
    const raw = bytesMail(
      typed('multipart/mixed; boundary=b'),
      mixed(
        'Content-Type: text/plain\r\n\r\nSee attached.',
        PDF_PART("Content-Disposition: attachment; filename*=UTF-8''Bericht%20%C3%BCber%20Q3.pdf"),
        PDF_PART(
          'Content-Disposition: attachment;\r\n filename*0*=iso-8859-1\'\'R%E9sum%E9;\r\n filename*1=".pdf"',
        ),
        PDF_PART('Content-Disposition: attachment; filename="=?utf-8?B?5aCx5ZGK5pu4LnBkZg==?="'),
        PDF_PART("Content-Disposition: attachment; filename*=windows-1252''%80%20Budget.pdf"),
      ),
    );
    const msg = await parseInbound(raw);
    expect(msg.text).toBe('See attached.');
    expect(msg.attachments.map((attachment) => attachment.filename)).toEqual([
      'Bericht über Q3.pdf',
      'Résumé.pdf',
      '報告書.pdf',
      '€ Budget.pdf',
    ]);
    for (const attachment of msg.attachments) {
      expect(attachment).toMatchObject({ contentType: 'application/pdf', size: PDF.length, inline: false });
      expect(attachment.sha256).toBe(sha256(PDF));
    }
  });

  it('keeps a 0-byte attachment, with the digest of nothing', async () => {
    const raw = bytesMail(
      typed('multipart/mixed; boundary=b'),
      mixed(
        'Content-Type: text/plain\r\n\r\nhi',
        'Content-Type: application/pdf; name=empty.pdf\r\nContent-Disposition: attachment; filename=empty.pdf\r\n',
      ),
    );
    const msg = await parseInbound(raw);
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]).toMatchObject({
      filename: 'empty.pdf',
      size: 0,
      sha256: sha256(Buffer.alloc(0)),
    });
  });

  it('reads a message with bare LF line ends as one with CRLF', async () => {
    const body = mixed(
      'Content-Type: text/plain\r\n\r\nline one\r\nline two',
      PDF_PART('Content-Disposition: attachment; filename=r.pdf'),
    );
    const crlf = await parseInbound(bytesMail(typed('multipart/mixed; boundary=b'), body));
    const lf = await parseInbound(
      bytesMail(typed('multipart/mixed; boundary=b'), body.replace(/\r\n/g, '\n'), '\n'),
    );
    expect(lf.text).toBe('line one\nline two');
    expect(lf.attachments.map(({ filename, size, sha256: digest }) => ({ filename, size, digest }))).toEqual(
      crlf.attachments.map(({ filename, size, sha256: digest }) => ({ filename, size, digest })),
    );
    expect(lf.from).toEqual(crlf.from);
    expect(lf.date).toBe(crlf.date);
  });

  it('survives broken boundaries: a multipart without one reads as text, one that never matches yields nothing, an unterminated one ends with the message', async () => {
    const none = await parseInbound(rawMail(typed('multipart/mixed'), 'hello there\n'));
    expect(none.text).toBe('hello there\n');
    expect(none.headers.contentType).toBe('multipart/mixed');
    const wrong = await parseInbound(
      bytesMail(typed('multipart/mixed; boundary="zz"'), mixed('Content-Type: text/plain\r\n\r\nhi')),
    );
    expect(wrong.textSource).toBe('none');
    expect(wrong.attachments).toEqual([]);
    const unterminated = await parseInbound(
      bytesMail(
        typed('multipart/mixed; boundary=b'),
        '--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8',
      ),
    );
    expect(unterminated.text).toBe('hi');
    expect(unterminated.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['a.pdf', 'hello'],
    ]);
  });

  it('keeps a forwarded message (message/rfc822) as one attachment: its text and files are not the reply', async () => {
    const inner =
      'From: Other <other@example.org>\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n' +
      '--c\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--c\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=x.csv\r\n\r\na,b\r\n--c--';
    for (const disposition of [
      '',
      'Content-Disposition: attachment; filename=fw.eml\r\n',
      'Content-Disposition: inline\r\n',
    ]) {
      const msg = await parseInbound(
        bytesMail(
          typed('multipart/mixed; boundary=b'),
          mixed(
            'Content-Type: text/plain\r\n\r\nsee forwarded',
            `Content-Type: message/rfc822\r\n${disposition}\r\n${inner}`,
          ),
        ),
      );
      expect(msg.text, disposition).toBe('see forwarded');
      expect(
        msg.attachments.map((a) => a.contentType),
        disposition,
      ).toEqual(['message/rfc822']);
      expect(msg.attachments[0]?.content.toString(), disposition).toBe(inner);
    }
  });

  it('reads the delivery status of a multipart/report as text, and keeps the returned message as an attachment', async () => {
    const raw = bytesMail(
      typed('multipart/report; report-type="Delivery-Status"; boundary=b'),
      mixed(
        'Content-Type: text/plain\r\n\r\nDelivery failed.',
        'Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; bob@example.org\r\nStatus: 5.1.1',
        'Content-Type: message/rfc822\r\n\r\nFrom: me <me@example.com>\r\nSubject: original\r\n\r\noriginal body',
      ),
    );
    const msg = await parseInbound(raw);
    expect(msg.headers).toMatchObject({ contentType: 'multipart/report', reportType: 'delivery-status' });
    expect(msg.text).toBe(
      'Delivery failed.\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; bob@example.org\nStatus: 5.1.1',
    );
    expect(msg.attachments.map((a) => a.contentType)).toEqual(['message/rfc822']);
  });

  it('takes the text/plain of an alternative and never the script of its HTML', async () => {
    const raw = bytesMail(
      typed('multipart/alternative; boundary=b'),
      mixed(
        'Content-Type: text/plain\r\n\r\nDONE',
        'Content-Type: text/html\r\n\r\n<p>DONE</p><script>steal()</script>',
      ),
    );
    const msg = await parseInbound(raw);
    expect(msg).toMatchObject({ text: 'DONE', textSource: 'plain' });
    const siblings = await parseInbound(
      bytesMail(
        typed('multipart/mixed; boundary=b'),
        mixed(
          'Content-Type: text/plain\r\n\r\nDONE',
          'Content-Type: text/html\r\n\r\n<p>also</p><script>steal()</script>',
        ),
      ),
    );
    expect(siblings.text.startsWith('DONE')).toBe(true);
    expect(siblings.text).not.toContain('steal');
  });
});

describe('parseInbound: raw headers as forgers write them', () => {
  it('counts every From header, and one written "From :" too; the first is the author', async () => {
    const two = await parseInbound(rawMail(replyHeaders('From: Mallory <m@evil.example>')));
    expect(two.from.address).toBe('priya.shah@example.com');
    expect(two.fromMailboxes).toMatchObject({ headers: 2, group: false });
    const spaced = await parseInbound(rawMail(replyHeaders('From : Mallory <m@evil.example>')));
    expect(spaced.fromMailboxes.headers).toBe(2);
    const group = await parseInbound(
      rawMail(withHeader('From', 'From: Team: a@example.com, b@example.com;')),
    );
    expect(group.fromMailboxes).toEqual({
      all: [
        { address: 'a@example.com', name: '' },
        { address: 'b@example.com', name: '' },
      ],
      headers: 1,
      group: true,
    });
  });

  it('gives a Sender that names no mailbox, or comes twice, a mailbox no one has', async () => {
    const unreadable = await parseInbound(rawMail(replyHeaders('Sender: ???')));
    expect(unreadable.sender).toEqual([{ address: 'unreadable@sender.invalid', name: '' }]);
    const twice = await parseInbound(rawMail(replyHeaders('Sender: a@example.com', 'Sender: b@example.com')));
    expect(twice.sender).toEqual([
      { address: 'a@example.com', name: '' },
      { address: 'unreadable@sender.invalid', name: '' },
    ]);
    const one = await parseInbound(rawMail(replyHeaders('Sender: "Assistant" <PA@Example.com>')));
    expect(one.sender).toEqual([{ address: 'pa@example.com', name: 'Assistant' }]);
  });

  it('reads the d= of every DKIM-Signature, folded or not, each domain once', async () => {
    const msg = await parseInbound(
      rawMail(
        replyHeaders(
          'DKIM-Signature: v=1; a=rsa-sha256; d=Example.com; s=s1;\r\n\tbh=abc; b=def',
          'DKIM-Signature: v=1; a=rsa-sha256; s=s2;\r\n d=mailer.example.net.; bh=x; b=y',
          'DKIM-Signature: v=1; d=example.com; s=s3; b=z',
        ),
      ),
    );
    expect(msg.dkimDomains).toEqual(['example.com', 'mailer.example.net']);
  });

  it('ends the headers at a line without a colon, as verifiers do: what follows is body', async () => {
    const raw = rawMail([
      'From: Priya Shah <priya.shah@example.com>',
      'To: review+abc@reply.example.com',
      'This line has no colon',
      'From: Mallory <m@evil.example>',
      'Date: Tue, 6 Oct 2026 09:41:02 +0200',
    ]);
    const msg = await parseInbound(raw);
    expect(msg.fromMailboxes.headers).toBe(1);
    expect(msg.from.address).toBe('priya.shah@example.com');
    expect(msg.date).toBeUndefined();
    expect(msg.text).toContain('This line has no colon');
    const first = rawMail(['This line has no colon', 'From: Priya Shah <priya.shah@example.com>']);
    await expect(parseInbound(first)).rejects.toThrow('the message has no headers');
  });

  it('reads References over several headers and lines, ids without brackets given brackets', async () => {
    const msg = await parseInbound(
      rawMail(
        replyHeaders(
          'References: <a.1@isms.example.com>\r\n <b.2@isms.example.com>',
          'References: c.3@isms.example.com',
          'In-Reply-To: b.2@isms.example.com',
        ),
      ),
    );
    expect(msg.references).toEqual([
      '<a.1@isms.example.com>',
      '<b.2@isms.example.com>',
      '<c.3@isms.example.com>',
    ]);
    expect(msg.inReplyTo).toBe('<b.2@isms.example.com>');
    expect(msg.messageId).toBe('<reply.1@example.com>');
  });

  it('reads a Date with a comment, and leaves one that is no date undefined', async () => {
    const commented = await parseInbound(
      rawMail(withHeader('Date', 'Date: Tue, 6 Oct 2026 09:41:02 +0200 (CEST)')),
    );
    expect(commented.date).toBe('2026-10-06T07:41:02.000Z');
    for (const value of ['32 Foo 2026 99:99', '(only a comment)', '']) {
      const msg = await parseInbound(rawMail(withHeader('Date', `Date: ${value}`)));
      expect(msg.date, value).toBeUndefined();
    }
  });

  it('writes a punycode domain as people write it', async () => {
    const msg = await parseInbound(rawMail(withHeader('From', 'From: <a@xn--mller-kva.example>')));
    expect(msg.from).toEqual({ address: 'a@müller.example', name: '' });
  });
});
