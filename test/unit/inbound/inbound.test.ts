import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  htmlToText,
  InvalidInboundOptions,
  MailTooLarge,
  MissingSender,
  parseInbound,
  UnparseableMail,
} from '#shared/mail/inbound.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { PDF, rawMail, replyHeaders } from './builders.ts';

const LIMITS = { maxRawBytes: 100_000, maxHtmlChars: 10_000 };
const PASS = { status: 'PASS' as const };
const VERDICTS: SesVerdicts = {
  spamVerdict: PASS,
  virusVerdict: PASS,
  spfVerdict: PASS,
  dkimVerdict: PASS,
  dmarcVerdict: PASS,
};

describe('parseInbound: what it refuses', () => {
  it('refuses empty input, non-buffers and garbage without headers', async () => {
    await expect(parseInbound(Buffer.alloc(0))).rejects.toThrow(UnparseableMail);
    await expect(parseInbound('From: a@b' as unknown as Buffer)).rejects.toThrow('the message is empty');
    await expect(parseInbound(Buffer.from([0, 1, 2, 255, 10, 13, 10, 99]))).rejects.toThrow(
      'the message has no headers',
    );
  });

  it('refuses a message above the size limit before parsing it', async () => {
    const raw = rawMail(replyHeaders(), 'x'.repeat(LIMITS.maxRawBytes));
    await expect(parseInbound(raw, LIMITS)).rejects.toThrow(MailTooLarge);
    await expect(parseInbound(raw, LIMITS)).rejects.toThrow(
      `messages above ${LIMITS.maxRawBytes} bytes are not read`,
    );
  });

  it('refuses a message with no From address it can use', async () => {
    const noFrom = replyHeaders().filter((header) => !header.startsWith('From:'));
    await expect(parseInbound(rawMail(noFrom))).rejects.toThrow(MissingSender);
    const group = replyHeaders().map((header) =>
      header.startsWith('From:') ? 'From: undisclosed-recipients:;' : header,
    );
    await expect(parseInbound(rawMail(group))).rejects.toThrow(MissingSender);
    const noAt = replyHeaders().map((header) => (header.startsWith('From:') ? 'From: Priya Shah' : header));
    await expect(parseInbound(rawMail(noAt))).rejects.toThrow(MissingSender);
  });

  it('refuses options that are not what the receiving server gives', async () => {
    const raw = rawMail(replyHeaders());
    await expect(parseInbound(raw, { maxRawBytes: 0, maxHtmlChars: 1 })).rejects.toThrow(
      InvalidInboundOptions,
    );
    await expect(
      parseInbound(raw, undefined, { envelope: { recipients: 'x' } as unknown as { recipients: string[] } }),
    ).rejects.toThrow('envelope');
    await expect(
      parseInbound(raw, undefined, {
        verdicts: { ...VERDICTS, spamVerdict: { status: 'OK' } } as unknown as SesVerdicts,
      }),
    ).rejects.toThrow('verdicts');
  });
});

describe('parseInbound: what it reads', () => {
  it('reads addresses, ids, date, envelope and verdicts', async () => {
    const raw = rawMail(
      replyHeaders(
        'Cc: "Becker, Tom" <Tom.Becker@Example.com>, Team: a@example.com, b@example.com;',
        'Reply-To: Priya <p@example.com>',
        'In-Reply-To: <req.1@isms.example.com>',
        'References: <a.1@isms.example.com>\r\n <req.1@isms.example.com>',
        'X-Loop: one@example.com',
        'X-Loop: two@example.com',
      ),
    );
    const msg = await parseInbound(raw, LIMITS, {
      envelope: { mailFrom: 'priya.shah@example.com', recipients: ['Review+ABC@Reply.Example.com'] },
      verdicts: { ...VERDICTS, dmarcPolicy: 'NONE', extra: 'ignored' } as unknown as SesVerdicts,
    });
    expect(msg.from).toEqual({ address: 'priya.shah@example.com', name: 'Priya Shah' });
    expect(msg.cc).toEqual([
      { address: 'tom.becker@example.com', name: 'Becker, Tom' },
      { address: 'a@example.com', name: '' },
      { address: 'b@example.com', name: '' },
    ]);
    expect(msg.replyTo).toEqual([{ address: 'p@example.com', name: 'Priya' }]);
    expect(msg.inReplyTo).toBe('<req.1@isms.example.com>');
    expect(msg.references).toEqual(['<a.1@isms.example.com>', '<req.1@isms.example.com>']);
    expect(msg.date).toBe('2026-10-06T07:41:02.000Z');
    expect(msg.envelope).toEqual({
      mailFrom: 'priya.shah@example.com',
      recipients: ['review+abc@reply.example.com'],
    });
    expect(msg.verdicts).toEqual({ ...VERDICTS, dmarcPolicy: 'NONE' });
    expect(msg.headers.xLoop).toEqual(['one@example.com', 'two@example.com']);
    expect(msg.headers.contentType).toBe('text/plain');
    expect(msg.size).toBe(raw.length);
    expect(msg.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(msg.text).toBe('Hello\n');
    expect(msg.textSource).toBe('plain');
  });

  it('leaves a missing or unreadable date and Message-ID undefined', async () => {
    const headers = replyHeaders()
      .filter((header) => !header.startsWith('Message-ID'))
      .map((header) => (header.startsWith('Date:') ? 'Date: sometime last week' : header));
    const msg = await parseInbound(rawMail(headers));
    expect(msg.date).toBeUndefined();
    expect(msg.messageId).toBeUndefined();
    expect(msg.verdicts).toBeUndefined();
  });

  it('reads attachments with their digest and whether they are inline', async () => {
    const boundary = 'b1';
    const headers = replyHeaders().map((header) =>
      header.startsWith('Content-Type') ? `Content-Type: multipart/mixed; boundary="${boundary}"` : header,
    );
    const body = [
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'See attached.',
      `--${boundary}`,
      'Content-Type: application/pdf; name="r.pdf"',
      'Content-Disposition: attachment; filename="r.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      PDF.toString('base64'),
      `--${boundary}`,
      'Content-Type: image/png',
      'Content-Disposition: inline; filename="logo.png"',
      'Content-ID: <logo@x>',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      `--${boundary}--`,
      '',
    ].join('\n');
    const msg = await parseInbound(rawMail(headers, body));
    expect(msg.text).toBe('See attached.');
    expect(
      msg.attachments.map(({ filename, contentType, size, sha256, inline }) => ({
        filename,
        contentType,
        size,
        sha256,
        inline,
      })),
    ).toEqual([
      {
        filename: 'r.pdf',
        contentType: 'application/pdf',
        size: PDF.length,
        sha256: createHash('sha256').update(PDF).digest('hex'),
        inline: false,
      },
      {
        filename: 'logo.png',
        contentType: 'image/png',
        size: 8,
        sha256: createHash('sha256').update(Buffer.from('iVBORw0KGgo=', 'base64')).digest('hex'),
        inline: true,
      },
    ]);
  });

  it('turns an HTML-only body into text, reading only up to the HTML limit', async () => {
    const headers = replyHeaders().map((header) =>
      header.startsWith('Content-Type') ? 'Content-Type: text/html; charset=utf-8' : header,
    );
    const msg = await parseInbound(rawMail(headers, '<p>DONE&nbsp;it</p><script>x()</script>'));
    expect(msg.textSource).toBe('html');
    expect(msg.text).toBe('DONE\u00a0it');
    expect(msg.htmlTruncated).toBe(false);
    const long = await parseInbound(rawMail(headers, `<p>DONE it</p>${'<p>more</p>'.repeat(2000)}`), LIMITS);
    expect(long.htmlTruncated).toBe(true);
    expect(long.text.startsWith('DONE it\nmore')).toBe(true);
    const empty = await parseInbound(rawMail(headers, '<html><body> </body></html>'));
    expect(empty.textSource).toBe('html');
    expect(empty.text).toBe('');
  });
});

describe('htmlToText', () => {
  it('drops scripts, styles and other non-text elements with their content, in any case, even unterminated', () => {
    expect(htmlToText('a<script>alert(1)</script>b')).toBe('ab');
    expect(htmlToText('a<SCRIPT type="x">alert(1)</SCRIPT >b')).toBe('ab');
    expect(htmlToText('a<style>p{}</style><head><title>t</title></head>b')).toBe('ab');
    expect(htmlToText('a<iframe src=x>frame</iframe><noscript>ns</noscript><svg><text>s</text></svg>b')).toBe(
      'ab',
    );
    expect(htmlToText('a<script>never closed')).toBe('a');
    expect(htmlToText('a<!-- hidden --->b<!-- never closed')).toBe('ab');
    expect(htmlToText('a<script/>b')).toBe('ab');
  });

  it('keeps text that only looks like markup, and reads attributes that contain ">"', () => {
    expect(htmlToText('1 < 2 and 3 > 2')).toBe('1 < 2 and 3 > 2');
    expect(htmlToText('<a title="x > y" href=\'a>b\'>link</a> text')).toBe('link text');
    expect(htmlToText('a <b')).toBe('a');
    expect(htmlToText('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe('<script>alert(1)</script>');
  });

  it('decodes entities: named, numeric, without semicolon where clients omit it, and refuses invalid code points', () => {
    expect(htmlToText('&amp;&lt;&gt;&quot;&apos;&nbsp;&euro;&uuml;&hellip;&rsquo;')).toBe(
      '&<>"\'\u00a0\u20ac\u00fc\u2026\u2019',
    );
    expect(htmlToText('&#65;&#x42;&#X43;&#0;&#xD800;&#x110000;')).toBe('ABC\ufffd\ufffd\ufffd');
    expect(htmlToText('AT&amp T &nbsp x')).toBe('AT& T \u00a0 x');
    expect(htmlToText('&unknown; &copy &copy;')).toBe('&unknown; &copy \u00a9');
  });

  it('writes block elements and <br> as lines, blockquotes as "> " lines, keeps <pre> as it is', () => {
    expect(htmlToText('<div>one</div><div>two<br>three</div><div><br></div><div>four</div>')).toBe(
      'one\ntwo\nthree\n\nfour',
    );
    expect(
      htmlToText('<p class=MsoNormal>Hi<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p>Bye</p>'),
    ).toBe('Hi\n\nBye');
    expect(htmlToText('mine<blockquote>q1<blockquote>q2</blockquote>q3</blockquote>after')).toBe(
      'mine\n> q1\n>> q2\n> q3\nafter',
    );
    expect(htmlToText('<pre>a  b\n  c</pre>d   e\n f')).toBe('a  b\n  c\nd e f');
    expect(htmlToText('<ul><li>one</li><li>two</li></ul><hr>x')).toBe(
      '- one\n- two\n________________________________\nx',
    );
    expect(htmlToText('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>')).toBe('a b\nc');
    expect(
      htmlToText('\n\n<div>\n  spaced   out \n</div>\n\n<div></div><div></div><p></p><br><br><br><br>end'),
    ).toBe('spaced out\n\nend');
  });

  it('is linear on hostile input (no backtracking)', () => {
    const hostile = [
      '<'.repeat(300_000),
      '<a '.repeat(100_000),
      '<!--'.repeat(100_000),
      '&#'.repeat(200_000),
      '<a title="'.repeat(50_000),
    ];
    const started = Date.now();
    for (const html of hostile) htmlToText(html);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('returns plain text unchanged apart from collapsed white space (property)', () => {
    const plain = fc.string({
      unit: fc.constantFrom(...'abcXYZ019 .,;:!?()-_\'"\t\n'.split('')),
      maxLength: 200,
    });
    fc.assert(
      fc.property(plain, (text) => {
        expect(htmlToText(`<div>${text}</div>`)).toBe(text.replace(/[ \t\n]+/g, ' ').trim());
      }),
      { numRuns: 300 },
    );
  });

  it('never lets script or style content through (property)', () => {
    // Text before the element holds no "<": an open tag there would take the script's start tag
    // into itself, as browsers do, and then there is no script element.
    const before = fc.string({ unit: fc.constantFrom(...'ab >/="\'!-&;#'.split('')), maxLength: 40 });
    const after = fc.string({ unit: fc.constantFrom(...'ab <>/="\'!-&;#'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(
        before,
        after,
        fc.constantFrom('script', 'SCRIPT', 'style', 'Style'),
        (before, after, tag) => {
          const out = htmlToText(`${before}<${tag}>SECRET</${tag}>${after}`);
          expect(out).not.toContain('SECRET');
        },
      ),
      { numRuns: 500 },
    );
  });
});
