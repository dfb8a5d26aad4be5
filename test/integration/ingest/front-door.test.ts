/**
 * The front door, through the real SMTP path: each message is sent with nodemailer to the local
 * SMTP server (infra/local/emulators/smtp.ts), which stores it in S3, computes its local verdicts
 * (the envelope sender aligned with From, or not) and runs the same ingest pipeline the SES receipt
 * rule runs, against DynamoDB Local and the local SES. Every reply address is valid.
 *
 * First the replies people really send, in the shapes real clients give them: every one is
 * recorded with the same content. Then forged, ambiguous, unauthenticated, look-alike, unauthorised
 * and automatic mail: each is held or ignored, nothing is recorded, nothing is sent to anyone, and
 * no message that leaves the system names the owner, the ISMS manager, the cycle or its dates to
 * anyone but the owner. The lists are a sample of each class, not the whole of it.
 */
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type RunningSmtp } from '#infra/local/emulators/smtp.ts';
import { ingestFromSmtp } from '#infra/local/ingest.ts';
import { ingest, type IngestResult } from '#shared/ingest/pipeline.ts';
import type { InputSubmission } from '#shared/model/input.ts';
import { freshBucket, localStack, s3Client } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { issueToken, NOW, PASS, snapshot, world, type World } from './support.ts';

let smtp: RunningSmtp;
let current: World | undefined;
const results = new Map<string, IngestResult>();

beforeAll(async () => {
  const { bucket } = await freshBucket('front-door-raw');
  smtp = await startSmtp({
    port: 0,
    s3: s3Client(),
    bucket,
    clock: { now: () => NOW },
    onInbound: async (mail) => {
      if (!current) throw new Error('no world to ingest into');
      const result = await ingestFromSmtp(current.deps, mail);
      results.set(mail.key, result);
      results.set('last', result);
    },
  });
});

afterAll(async () => {
  await smtp?.stop();
});

/** Sends a raw message through SMTP with the given envelope; resolves with the pipeline's result. */
async function deliver(raw: string, envelope: { from: string; to: string }): Promise<IngestResult> {
  results.delete('last');
  const transport = createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw: crlf(raw) });
  } finally {
    transport.close();
  }
  const result = results.get('last');
  if (!result) throw new Error('the SMTP server did not run the pipeline');
  return result;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** Quoted-printable (RFC 2045) of UTF-8 text, soft line breaks at 76. */
function qp(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let encoded = '';
      for (const byte of Buffer.from(line, 'utf8')) {
        const char = String.fromCharCode(byte);
        encoded +=
          byte === 0x3d || byte > 0x7e || (byte < 0x20 && byte !== 0x09)
            ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
            : char;
      }
      encoded = encoded.replace(
        /[ \t]$/,
        (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
      );
      const out: string[] = [];
      while (encoded.length > 75) {
        let cut = 75;
        const escape = encoded.lastIndexOf('=', cut);
        if (escape > cut - 3) cut = escape;
        out.push(`${encoded.slice(0, cut)}=`);
        encoded = encoded.slice(cut);
      }
      out.push(encoded);
      return out.join('\n');
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// The answer, and the clients that send it

const SUMMARY =
  'Four nonconformities were open at the end of the quarter, two of them from the July internal audit (access reviews, supplier onboarding); seven were closed.';
/** The figures the catalogue requires for d1, as the request pre-labels them, and one of the owner's own. */
const METRICS = [
  { name: 'Nonconformities opened', value: 5, unit: 'count' },
  { name: 'Nonconformities closed', value: 7, unit: 'count' },
  { name: 'Nonconformities overdue', value: 1, unit: 'count' },
  { name: 'Open nonconformities', value: 4, unit: 'count' },
];

interface Case {
  readonly w: World;
  readonly to: string;
  readonly owner: { name: string; email: string };
  readonly period: { from: string; to: string };
  readonly requestId: string;
}

function answerBlock(c: Case, wrap?: (summary: string) => string): string {
  return [
    '[input d1] Input d1',
    `period: ${c.period.from} to ${c.period.to}`,
    `summary: ${wrap ? wrap(SUMMARY) : SUMMARY}`,
    ...METRICS.map((metric) => `metric: ${metric.name} = ${metric.value}`),
    '[end]',
  ].join('\n');
}

/** The request as it is quoted back: its blank block, so only the reply's own block may count. */
function quotedRequest(c: Case, prefix: string): string {
  return [
    'Please send your input for the Q3 2026 management review.',
    '',
    '[input d1] Input d1',
    `period: ${c.period.from} to ${c.period.to}`,
    'summary:',
    '[end]',
  ]
    .map((line) => `${prefix}${line}`.trimEnd())
    .join('\n');
}

/** Wraps at `width` columns (words kept whole); `soft` adds the trailing space of format=flowed. */
function wrapAt(width: number, soft = false) {
  return (text: string): string => {
    const lines: string[] = [];
    let line = 'summary: ';
    for (const word of text.split(' ')) {
      if (line.length + word.length > width) {
        lines.push(soft ? `${line.trimEnd()} ` : line.trimEnd());
        line = '';
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
    return lines.join('\n').slice('summary: '.length);
  };
}

function headers(
  c: Case,
  from: string,
  extra: string[] = [],
  messageId = `<${randomUUID()}@mail.example.com>`,
) {
  return [
    `From: ${from}`,
    `To: ${c.to}`,
    'Subject: Re: [Q3 2026 management review] Input requested: d1',
    'Date: Tue, 06 Oct 2026 09:41:02 +0200',
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${c.requestId}`,
    `References: ${c.requestId}`,
    'MIME-Version: 1.0',
    ...extra,
  ];
}

type Style = (c: Case) => { raw: string; envelopeFrom: string };

const owner = (c: Case) => `${c.owner.name} <${c.owner.email}>`;

const STYLES: Record<string, Style> = {
  'Gmail (multipart/alternative, quoted-printable, top-posted)': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(
        c,
        owner(c),
        [
          'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=google; h=from:to:subject; bh=Xk1d2W0pZ6hVvX9v0dX3vQ=; b=T3Jm2Vq0',
          'Content-Type: multipart/alternative; boundary="000000000000a1b2c3"',
        ],
        `<CAJx8mX0${randomUUID().replace(/-/g, '')}@mail.gmail.com>`,
      ),
      '',
      '--000000000000a1b2c3',
      'Content-Type: text/plain; charset="UTF-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(
        `${answerBlock(c)}\n\nThanks,\nAnn\n\nOn Mon, 5 Oct 2026 at 10:00, Acme Ltd management review <isms-review@example.com> wrote:\n\n${quotedRequest(c, '> ')}`,
      ),
      '--000000000000a1b2c3',
      'Content-Type: text/html; charset="UTF-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(
        `<div dir="ltr">${answerBlock(c)
          .split('\n')
          .map((l) => `<div>${l}</div>`)
          .join(
            '',
          )}<div>Thanks,</div><div>Ann</div></div><br><div class="gmail_quote"><blockquote class="gmail_quote">${quotedRequest(c, '').split('\n').join('<br>')}</blockquote></div>`,
      ),
      '--000000000000a1b2c3--',
      '',
    ].join('\n'),
  }),
  'Outlook desktop (windows-1252, separator line and header block)': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), [
        'Thread-Topic: [Q3 2026 management review] Input requested: d1',
        'Thread-Index: AQHZ8k3mR2zQ1b5n6c4xAAAAAAAAAA==',
        'Content-Language: en-GB',
        'X-MS-Has-Attach:',
        'X-MS-TNEF-Correlator:',
        'Content-Type: multipart/alternative; boundary="_000_AM0PR01MB1234_"',
      ]),
      '',
      '--_000_AM0PR01MB1234_',
      'Content-Type: text/plain; charset="Windows-1252"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(
        `${answerBlock(c)}\n\nKind regards\nAnn Auditor\n\n________________________________\nFrom: Acme Ltd management review <isms-review@example.com>\nSent: Monday, October 5, 2026 10:00 AM\nTo: ${c.owner.name} <${c.owner.email}>\nSubject: [Q3 2026 management review] Input requested: d1\n\n${quotedRequest(c, '')}`,
      ),
      '--_000_AM0PR01MB1234_',
      'Content-Type: text/html; charset="Windows-1252"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(
        `<html><head><style>p{margin:0}</style></head><body><div>${answerBlock(c)
          .split('\n')
          .map((l) => `<p class="MsoNormal">${l}</p>`)
          .join(
            '',
          )}</div><hr><div id="divRplyFwdMsg"><b>From:</b> Acme Ltd management review</div><div>${quotedRequest(c, '').split('\n').join('<br>')}</div></body></html>`,
      ),
      '--_000_AM0PR01MB1234_--',
      '',
    ].join('\n'),
  }),
  'Outlook/Exchange with X-Auto-Response-Suppress: All': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), [
        'X-Auto-Response-Suppress: All',
        'X-MS-Exchange-Organization-AuthAs: Internal',
        'X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com',
        'X-MS-Exchange-Organization-SCL: -1',
        'Thread-Index: AQHZ8k3mR2zQ1b5n6c4xBBBBBBBBBB==',
        'Content-Type: text/plain; charset="us-ascii"',
        'Content-Transfer-Encoding: quoted-printable',
      ]),
      '',
      qp(
        `${answerBlock(c)}\n\nAnn\n\n-----Original Message-----\nFrom: Acme Ltd management review <isms-review@example.com>\nSent: 05 October 2026 10:00\nSubject: [Q3 2026 management review] Input requested: d1\n\n${quotedRequest(c, '')}`,
      ),
      '',
    ].join('\n'),
  }),
  'Apple Mail on an iPhone (top-posted, "Sent from my iPhone")': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), [
        'X-Mailer: iPhone Mail (21A351)',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
      ]),
      '',
      qp(
        `${answerBlock(c)}\n\nSent from my iPhone\n\n> On 5 Oct 2026, at 10:00, Acme Ltd management review <isms-review@example.com> wrote:\n>\n${quotedRequest(c, '> ')}`,
      ),
      '',
    ].join('\n'),
  }),
  'Thunderbird, bottom-posted, format=flowed': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), [
        'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.3.1',
        'Content-Language: en-GB',
        'Content-Type: text/plain; charset=UTF-8; format=flowed',
        'Content-Transfer-Encoding: 7bit',
      ]),
      '',
      `On 05/10/2026 10:00, Acme Ltd management review wrote:\n${quotedRequest(c, '> ')}\n\n${answerBlock(c, wrapAt(72, true))}\n\n-- \nAnn Auditor\nInternal Audit\n`,
    ].join('\n'),
  }),
  'HTML only (a web client)': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), [
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
      ]),
      '',
      qp(
        `<html><body><div style="font-family:Calibri">${answerBlock(c)
          .split('\n')
          .map((l) => `<div>${l.replace(/&/g, '&amp;')}</div>`)
          .join(
            '',
          )}<div><br></div><div>Ann</div></div><div id="appendonsend"></div><hr><blockquote>${quotedRequest(c, '').split('\n').join('<br>')}</blockquote></body></html>`,
      ),
      '',
    ].join('\n'),
  }),
  'hard-wrapped at 72 columns (plain, mutt)': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), [
        'User-Agent: Mutt/2.2.12 (2023-09-09)',
        'Content-Type: text/plain; charset=us-ascii',
        'Content-Disposition: inline',
      ]),
      '',
      `${answerBlock(c, wrapAt(72))}\n\n-- \nAnn\n\nOn Mon, Oct 05, 2026 at 10:00:00AM +0000, Acme Ltd management review wrote:\n${quotedRequest(c, '> ')}\n`,
    ].join('\n'),
  }),
  'hard-wrapped, format=flowed with delsp': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), ['Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no']),
      '',
      `${answerBlock(c, wrapAt(40, true))}\n\nAnn\n`,
    ].join('\n'),
  }),
  'with a CSV attachment': (c) => ({
    envelopeFrom: c.owner.email,
    raw: [
      ...headers(c, owner(c), ['Content-Type: multipart/mixed; boundary="mixed-1"']),
      '',
      '--mixed-1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `${answerBlock(c)}\n\nThe detail is attached.\nAnn`,
      '--mixed-1',
      'Content-Type: text/csv; name="nonconformities.csv"',
      'Content-Disposition: attachment; filename="nonconformities.csv"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('id,opened,status\nNC-1,2026-07-03,open\nNC-2,2026-07-20,open\n').toString('base64'),
      '--mixed-1--',
      '',
    ].join('\n'),
  }),
  'upper-case sender address (From and envelope)': (c) => ({
    envelopeFrom: c.owner.email.toUpperCase(),
    raw: [
      ...headers(c, `"ANN AUDITOR" <${c.owner.email.toUpperCase()}>`, [
        'Content-Type: text/plain; charset=utf-8',
      ]),
      '',
      `${answerBlock(c)}\n\nAnn\n`,
    ].join('\n'),
  }),
};

async function newCase(): Promise<Case> {
  const w = await world({ inputs: [{ key: 'd1', owner: 'auditor' }] });
  current = w;
  const token = await issueToken(w, 'auditor');
  const request = (await w.repo.getInputRequest(w.cycle.id, 'd1'))!;
  const person = w.programme.people.find((p) => p.id === 'auditor')!;
  return {
    w,
    to: `review+${token}@reply.example.com`,
    owner: { name: person.name, email: person.email },
    period: request.periodCovered,
    requestId: `<${w.cycle.id}.input.auditor.1@example.com>`,
  };
}

const normalised = (s: InputSubmission) => ({
  period: s.periodCovered,
  summary: s.summary.replace(/\s+/g, ' ').trim(),
  metrics: s.metrics,
});

describe('the front door: what people send is recorded, with the same content', () => {
  it.each(Object.keys(STYLES))('%s', async (style) => {
    const c = await newCase();
    const { raw, envelopeFrom } = STYLES[style]!(c);
    const result = await deliver(raw, { from: envelopeFrom, to: c.to });
    expect({ outcome: result.outcome, reason: result.reason }).toMatchObject({ outcome: 'accepted' });
    const [submission, ...more] = await c.w.repo.listSubmissions(c.w.cycle.id, 'd1');
    expect(more).toEqual([]);
    expect(submission).toMatchObject({ submitterId: 'auditor', source: { channel: 'email' } });
    expect(normalised(submission!)).toEqual({
      period: c.period,
      summary: SUMMARY,
      metrics: METRICS,
    });
    if (style === 'with a CSV attachment') {
      expect(submission!.attachments.map((a) => a.name)).toEqual(['nonconformities.csv']);
    } else {
      expect(submission!.attachments).toEqual([]);
    }
    // The confirmation goes to the owner's own mailbox, as an RFC 3834 auto-reply, threaded.
    const [sent] = await c.w.outboxStore.listSent(c.w.cycle.id);
    expect(sent!.recipients).toEqual([c.owner.email]);
    const rawAnswer = (await c.w.deps.evidence.get(sent!.rawKey!)).toString('utf8');
    expect(rawAnswer).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect((await c.w.repo.listEvents(c.w.cycle.id)).map((e) => e.type)).toEqual([
      'cycle.opened',
      'input.submitted',
      'mail.received',
    ]);
  });

  it('a second delivery (an SMTP retry) records nothing more and answers once', async () => {
    const c = await newCase();
    const { raw, envelopeFrom } = STYLES['Apple Mail on an iPhone (top-posted, "Sent from my iPhone")']!(c);
    const first = await deliver(raw, { from: envelopeFrom, to: c.to });
    const again = await deliver(raw, { from: envelopeFrom, to: c.to });
    expect(first.outcome).toBe('accepted');
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'duplicate', answer: 'none' });
    expect(await c.w.repo.listSubmissions(c.w.cycle.id, 'd1')).toHaveLength(1);
    expect(await c.w.outboxStore.listSent(c.w.cycle.id)).toHaveLength(1);
  });

  it('the owner, and only the owner, is told what to fix in a reply that cannot be recorded', async () => {
    const c = await newCase();
    const raw = [
      ...headers(c, owner(c), ['Content-Type: text/plain; charset=utf-8']),
      '',
      'Here are my numbers: 4 open.',
      '',
    ].join('\n');
    const result = await deliver(raw, { from: c.owner.email, to: c.to });
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    const [sent] = await c.w.outboxStore.listSent(c.w.cycle.id);
    expect(sent!.recipients).toEqual([c.owner.email]);
  });
});

// ---------------------------------------------------------------------------------------------
// Everyone else

interface Hostile {
  readonly name: string;
  /** The message, and the envelope sender; `strangers` are the addresses that must learn nothing. */
  readonly build: (c: Case, stranger: string) => { raw: string; envelopeFrom: string; envelopeTo?: string };
  readonly outcome: 'held' | 'ignored';
  readonly reasonIncludes: string;
}

const NEVER_ISSUED = 'review+aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb@reply.example.com';

const plain = (c: Case, from: string, extra: string[] = [], body = answerBlock(c)) =>
  [...headers(c, from, ['Content-Type: text/plain; charset=utf-8', ...extra]), '', body, ''].join('\n');

const HOSTILE: Hostile[] = [
  {
    name: 'forged: From the owner, sent from a stranger’s server',
    build: (c, stranger) => ({ raw: plain(c, owner(c)), envelopeFrom: stranger }),
    outcome: 'held',
    reasonIncludes: 'could not be authenticated',
  },
  {
    name: 'ambiguous: two From mailboxes, the owner and a stranger',
    build: (c, stranger) => ({
      raw: plain(c, `${owner(c)}, Mallory <${stranger}>`),
      envelopeFrom: c.owner.email,
    }),
    outcome: 'held',
    reasonIncludes: 'names 2 mailboxes',
  },
  {
    name: 'ambiguous: two From headers',
    build: (c, stranger) => ({
      raw: plain(c, owner(c), [`From: Mallory <${stranger}>`]),
      envelopeFrom: c.owner.email,
    }),
    outcome: 'held',
    reasonIncludes: '2 From headers',
  },
  {
    name: 'ambiguous: From the owner, Sender a stranger',
    build: (c, stranger) => ({
      raw: plain(c, owner(c), [`Sender: <${stranger}>`]),
      envelopeFrom: c.owner.email,
    }),
    outcome: 'held',
    reasonIncludes: 'its Sender is',
  },
  {
    name: 'ambiguous: From the owner, Sender and envelope a stranger',
    build: (c, stranger) => ({ raw: plain(c, owner(c), [`Sender: <${stranger}>`]), envelopeFrom: stranger }),
    outcome: 'held',
    reasonIncludes: 'could not be authenticated',
  },
  {
    name: 'look-alike domain: examp1e.com writes as the owner',
    build: (c) => {
      const lookAlike = c.owner.email.replace('@example.com', '@examp1e.com');
      return { raw: plain(c, `${c.owner.name} <${lookAlike}>`), envelopeFrom: lookAlike };
    },
    outcome: 'held',
    reasonIncludes: 'is neither them nor a delegate',
  },
  {
    name: 'look-alike subdomain: example.com.attacker.example.net',
    build: (c) => {
      const lookAlike = c.owner.email.replace('@example.com', '@example.com.attacker.example.net');
      return { raw: plain(c, owner(c)), envelopeFrom: lookAlike };
    },
    outcome: 'held',
    reasonIncludes: 'could not be authenticated',
  },
  {
    name: 'a stranger who authenticates as themselves',
    build: (c, stranger) => ({ raw: plain(c, `Mallory <${stranger}>`), envelopeFrom: stranger }),
    outcome: 'held',
    reasonIncludes: 'is neither them nor a delegate',
  },
  {
    name: 'a colleague of the programme who is not a delegate',
    build: (c) => {
      const cto = c.w.email('cto');
      return { raw: plain(c, `Tom Tech <${cto}>`), envelopeFrom: cto };
    },
    outcome: 'held',
    reasonIncludes: 'is neither them nor a delegate',
  },
  {
    name: 'a reply address we never issued',
    build: (c) => ({
      raw: plain(c, owner(c)).replace(c.to, NEVER_ISSUED),
      envelopeFrom: c.owner.email,
      envelopeTo: NEVER_ISSUED,
    }),
    outcome: 'held',
    reasonIncludes: 'not addressed to a reply address',
  },
  {
    name: 'a reply address with its signature altered',
    build: (c) => {
      const forged = c.to.replace(/(.)@/, (_m, last: string) => `${last === 'a' ? 'b' : 'a'}@`);
      return {
        raw: plain(c, owner(c)).replace(c.to, forged),
        envelopeFrom: c.owner.email,
        envelopeTo: forged,
      };
    },
    outcome: 'held',
    reasonIncludes: 'not one we issued',
  },
  ...(
    [
      ['Auto-Submitted: auto-replied', 'Auto-Submitted: auto-replied'],
      ['Auto-Submitted: auto-generated', 'Auto-Submitted: auto-generated'],
      ['Auto-Submitted: auto-notified', 'Auto-Submitted: auto-notified'],
      ['Precedence: bulk', 'Precedence: bulk'],
      ['Precedence: list', 'Precedence: list'],
      ['Precedence: junk', 'Precedence: junk'],
      ['X-Autoreply: yes', 'X-Autoreply'],
      ['X-Autorespond: Out of office', 'X-Autorespond'],
      ['Return-Path: <>', 'empty Return-Path'],
      ['List-Id: <audit.lists.example.com>', 'List-Id'],
    ] as const
  ).map(([header, reason]): Hostile => ({
    name: `automatic: ${header}`,
    build: (c) => ({ raw: plain(c, owner(c), [header]), envelopeFrom: c.owner.email }),
    outcome: 'ignored',
    reasonIncludes: reason,
  })),
  {
    name: 'automatic: a delivery status report',
    build: (c) => ({
      raw: [
        ...headers(c, `Mail Delivery System <mailer-daemon@example.com>`, [
          'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"',
        ]),
        '',
        '--r1',
        'Content-Type: text/plain',
        '',
        answerBlock(c),
        '--r1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.com',
        '--r1--',
        '',
      ].join('\n'),
      envelopeFrom: c.owner.email,
    }),
    outcome: 'ignored',
    reasonIncludes: 'delivery or read report',
  },
  {
    name: 'automatic: a read receipt',
    build: (c) => ({
      raw: [
        ...headers(c, owner(c), [
          'Content-Type: multipart/report; report-type=disposition-notification; boundary="r2"',
        ]),
        '',
        '--r2',
        'Content-Type: text/plain',
        '',
        'Your message was read.',
        '--r2',
        'Content-Type: message/disposition-notification',
        '',
        'Disposition: manual-action/MDN-sent-manually; displayed',
        '--r2--',
        '',
      ].join('\n'),
      envelopeFrom: c.owner.email,
    }),
    outcome: 'ignored',
    reasonIncludes: 'disposition-notification',
  },
];

/** What nobody but the owner may learn: the owner, the ISMS manager, the cycle and its dates. */
function secretsOf(c: Case): string[] {
  const manager = c.w.programme.people.find((p) => p.id === c.w.programme.roles.ismsManager)!;
  const dates = [c.w.cycle.plannedMeetingAt, c.w.cycle.openedAt, c.period.from, c.period.to]
    .filter((d): d is string => typeof d === 'string')
    .map((d) => d.slice(0, 10));
  const long = dates.map((d) =>
    new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    }),
  );
  return [c.owner.name, c.owner.email, manager.name, manager.email, c.w.cycle.id, ...dates, ...long];
}

describe('the front door: forged, ambiguous, unauthenticated, unauthorised and automatic mail', () => {
  it.each(HOSTILE.map((h) => [h.name, h] as const))('%s', async (_name, hostile) => {
    const c = await newCase();
    const stranger = `mallory.${randomUUID().slice(0, 8)}@attacker.example.net`;
    const before = await snapshot(c.w);
    const { raw, envelopeFrom, envelopeTo } = hostile.build(c, stranger);
    const result = await deliver(raw, { from: envelopeFrom, to: envelopeTo ?? c.to });
    expect({ outcome: result.outcome, reason: result.reason }).toMatchObject({ outcome: hostile.outcome });
    expect(result.reason).toContain(hostile.reasonIncludes);
    expect(result.answer).toBe('none');
    // Nothing recorded, nothing in the cycle's chain, nothing sent by the cycle to anyone.
    expect(await snapshot(c.w)).toEqual(before);
    expect((await c.w.repo.listEvents(c.w.cycle.id)).map((e) => e.type)).toEqual(['cycle.opened']);
    expect(await c.w.outboxStore.listSent(c.w.cycle.id)).toEqual([]);
    if (hostile.outcome === 'held') {
      const held = await c.w.repo.getHeldMessage(result.heldId!);
      expect(held).toMatchObject({ status: 'held', reason: result.reason });
    }
    // No mail at all reached the stranger, the envelope sender or the look-alike: and none of what
    // did leave (nothing, here) names the owner, the ISMS manager, the cycle or its dates.
    const watched = [stranger, envelopeFrom.toLowerCase()].filter((a) => a !== c.owner.email);
    const leaked = (
      await Promise.all(watched.map((to) => listSentMail(localStack().endpoints.ses, { to })))
    ).flat();
    for (const mail of leaked) {
      const text = `${mail.subject}\n${mail.text ?? ''}\n${mail.html ?? ''}`;
      for (const secret of secretsOf(c)) expect(text, `mail to ${mail.to.join(', ')}`).not.toContain(secret);
    }
    expect(leaked).toEqual([]);
  });

  it('on AWS verdicts: the attacker’s own SPF and DKIM pass under a domain without DMARC is held', async () => {
    const c = await newCase();
    const before = await snapshot(c.w);
    const raw = plain(c, owner(c), [
      'DKIM-Signature: v=1; a=rsa-sha256; d=attacker.example.net; s=s1; h=from; bh=x; b=y',
    ]);
    const result = await ingest(c.w.deps, {
      raw: Buffer.from(crlf(raw)),
      rawS3Key: 'inbound/aws-gray',
      envelope: { mailFrom: 'bounce@attacker.example.net', rcptTo: [c.to] },
      sesVerdicts: { ...PASS, dmarcVerdict: { status: 'GRAY' } },
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(await snapshot(c.w)).toEqual(before);
    expect(await c.w.outboxStore.listSent(c.w.cycle.id)).toEqual([]);
  });
});
