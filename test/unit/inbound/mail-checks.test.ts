import { describe, it, expect } from 'vitest';
import { gzipSync } from 'node:zlib';
import { parseInbound, VERDICT_STATUSES } from '#shared/mail/inbound.ts';
import type { InboundAttachment, InboundMessage, SesVerdicts } from '#shared/mail/inbound.ts';
import {
  aligned,
  attachmentProblem,
  checkAuthentication,
  checkLimits,
  checkSingleFrom,
  checkVerdicts,
  domainOf,
  organisationalDomain,
  DEFAULT_MAIL_LIMITS,
  detectKind,
  inspectXlsx,
  InvalidMailLimits,
  isAutomated,
  readZipDirectory,
  UnreadableArchive,
} from '#shared/mail/mail-checks.ts';
import type { CheckDecision, MailLimits } from '#shared/mail/mail-checks.ts';
import {
  attachment,
  PDF,
  PNG,
  rawMail,
  replyHeaders,
  workbook,
  workbookEntries,
  XLSM_MAIN,
  XLSX_TYPE,
  zip,
} from './builders.ts';

const LIMITS: MailLimits = {
  maxMessageBytes: 1_048_576,
  maxAttachments: 3,
  maxAttachmentBytes: 200_000,
  maxUncompressedBytes: 2_000_000,
  maxCompressionRatio: 100,
  maxArchiveEntries: 50,
};

const PASS = { status: 'PASS' as const };
const ALL_PASS: SesVerdicts = {
  spamVerdict: PASS,
  virusVerdict: PASS,
  spfVerdict: PASS,
  dkimVerdict: PASS,
  dmarcVerdict: PASS,
};

function reason(decision: CheckDecision): string {
  expect(decision.ok, 'expected the check to refuse').toBe(false);
  return decision.ok ? '' : `${decision.action}: ${decision.reason}`;
}

async function message(headers: string[], body?: string): Promise<InboundMessage> {
  return parseInbound(rawMail(headers, body));
}

function withAttachments(attachments: InboundAttachment[], size = 10_000): InboundMessage {
  return {
    from: { address: 'priya.shah@example.com', name: 'Priya Shah' },
    fromMailboxes: {
      all: [{ address: 'priya.shah@example.com', name: 'Priya Shah' }],
      headers: 1,
      group: false,
    },
    sender: [],
    dkimDomains: ['example.com'],
    replyTo: [],
    to: [],
    cc: [],
    envelope: { mailFrom: 'priya.shah@example.com', recipients: [] },
    subject: 'Re: input',
    messageId: '<m@example.com>',
    inReplyTo: undefined,
    references: [],
    date: undefined,
    text: '',
    textSource: 'none',
    htmlTruncated: false,
    attachments,
    headers: {
      autoSubmitted: undefined,
      precedence: undefined,
      xAutoreply: undefined,
      xAutorespond: undefined,
      xAutoResponseSuppress: undefined,
      listId: undefined,
      listUnsubscribe: undefined,
      returnPath: undefined,
      xFailedRecipients: undefined,
      xLoop: [],
      contentType: 'multipart/mixed',
      reportType: undefined,
    },
    verdicts: ALL_PASS,
    size,
    sha256: '0'.repeat(64),
  };
}

describe('checkVerdicts', () => {
  it('drops spam and viruses, rejects what could not be scanned, leaves authentication to checkAuthentication', () => {
    expect(reason(checkVerdicts({ ...ALL_PASS, spamVerdict: { status: 'FAIL' } }))).toBe(
      'drop: the message was classified as spam',
    );
    expect(reason(checkVerdicts({ ...ALL_PASS, virusVerdict: { status: 'FAIL' } }))).toBe(
      'drop: the message contains a virus',
    );
    expect(reason(checkVerdicts({ ...ALL_PASS, virusVerdict: { status: 'PROCESSING_FAILED' } }))).toContain(
      'reject: the message could not be scanned for viruses',
    );
    expect(checkVerdicts({ ...ALL_PASS, dmarcVerdict: { status: 'FAIL' } })).toEqual({ ok: true });
    expect(checkVerdicts(undefined)).toEqual({ ok: true });
  });

  it('follows the rules on every combination of verdicts', () => {
    let combinations = 0;
    for (const spam of VERDICT_STATUSES)
      for (const virus of VERDICT_STATUSES)
        for (const spf of VERDICT_STATUSES)
          for (const dkim of VERDICT_STATUSES)
            for (const dmarc of VERDICT_STATUSES) {
              combinations += 1;
              const verdicts: SesVerdicts = {
                spamVerdict: { status: spam },
                virusVerdict: { status: virus },
                spfVerdict: { status: spf },
                dkimVerdict: { status: dkim },
                dmarcVerdict: { status: dmarc },
              };
              const decision = checkVerdicts(verdicts);
              const dropped = spam === 'FAIL' || virus === 'FAIL';
              expect(!decision.ok && decision.action === 'drop').toBe(dropped);
              if (decision.ok) expect(virus === 'PASS' || virus === 'DISABLED').toBe(true);
              // Authentication: aligned with example.com through the envelope and the DKIM signer.
              const auth = checkAuthentication({ ...authMessage, verdicts });
              const expected = dmarc === 'PASS' || (dmarc !== 'FAIL' && (spf === 'PASS' || dkim === 'PASS'));
              expect(auth.ok, `spf ${spf} dkim ${dkim} dmarc ${dmarc}`).toBe(expected);
              // ... and not aligned (the stranger's own domain signed and sent it): DMARC PASS only.
              const stranger = checkAuthentication({
                ...authMessage,
                verdicts,
                envelope: { mailFrom: 'bounce@attacker.example.net', recipients: [] },
                dkimDomains: ['attacker.example.net'],
              });
              expect(stranger.ok).toBe(dmarc === 'PASS');
            }
    expect(combinations).toBe(3125);
  });
});

const authMessage = {
  from: { address: 'priya.shah@example.com', name: 'Priya Shah' },
  envelope: { mailFrom: 'priya.shah@example.com', recipients: [] },
  headers: { returnPath: undefined },
  dkimDomains: ['example.com'],
  verdicts: ALL_PASS,
} as unknown as Parameters<typeof checkAuthentication>[0];

const GRAY = { status: 'GRAY' as const };
const FAIL = { status: 'FAIL' as const };

describe('checkAuthentication', () => {
  it('holds a message without verdicts, with DMARC FAIL, or with nothing aligned that passed', () => {
    expect(checkAuthentication({ ...authMessage, verdicts: undefined })).toMatchObject({
      ok: false,
      action: 'hold',
      reason: expect.stringContaining('no SPF, DKIM or DMARC verdicts'),
    });
    expect(
      checkAuthentication({
        ...authMessage,
        verdicts: { ...ALL_PASS, dmarcVerdict: FAIL, dmarcPolicy: 'REJECT' },
      }),
    ).toMatchObject({
      ok: false,
      reason: 'the message failed DMARC (policy REJECT): it does not prove it comes from example.com',
    });
    // DMARC FAIL is never excused by an exception.
    expect(
      checkAuthentication(
        { ...authMessage, verdicts: { ...ALL_PASS, dmarcVerdict: FAIL } },
        { exceptions: [{ domain: 'example.com', reason: 'partner' }] },
      ).ok,
    ).toBe(false);
    // GRAY DMARC (no record) and the attacker's own SPF and DKIM pass: not aligned, held.
    const attacker = {
      ...authMessage,
      envelope: { mailFrom: 'x@attacker.example.net', recipients: [] },
      dkimDomains: ['attacker.example.net'],
      verdicts: { ...ALL_PASS, dmarcVerdict: GRAY },
    };
    const decision = checkAuthentication(attacker);
    expect(decision).toMatchObject({ ok: false, action: 'hold' });
    expect(decision.ok ? '' : decision.reason).toBe(
      'the sender could not be authenticated (SPF PASS, DKIM PASS, DMARC GRAY): nothing that passed is aligned with example.com (envelope sender domain attacker.example.net, signed by attacker.example.net)',
    );
    // A look-alike domain is another organisation.
    expect(
      checkAuthentication({
        ...attacker,
        envelope: { mailFrom: 'x@examp1e.com', recipients: [] },
        dkimDomains: ['example.com.attacker.example.net'],
      }).ok,
    ).toBe(false);
    // The forger's own valid signature beside a broken one in our name: SES says PASS, whose unknown.
    expect(
      checkAuthentication({
        ...attacker,
        envelope: { mailFrom: 'x@attacker.example.net', recipients: [] },
        dkimDomains: ['example.com', 'attacker.example.net'],
      }).ok,
    ).toBe(false);
    // No envelope at all, and an empty Return-Path: nothing aligns.
    expect(
      checkAuthentication({
        ...attacker,
        envelope: { mailFrom: undefined, recipients: [] },
        headers: { returnPath: '<>' },
        dkimDomains: [],
      } as unknown as Parameters<typeof checkAuthentication>[0]).ok,
    ).toBe(false);
  });

  it('accepts DMARC PASS, or SPF or DKIM passing aligned (relaxed), or a named exception', () => {
    expect(checkAuthentication(authMessage)).toEqual({ ok: true, by: 'dmarc', domain: 'example.com' });
    const gray = { ...ALL_PASS, dmarcVerdict: GRAY };
    expect(
      checkAuthentication({
        ...authMessage,
        verdicts: { ...gray, dkimVerdict: FAIL },
        envelope: { mailFrom: 'bounces@mail.example.com', recipients: [] },
      }),
    ).toMatchObject({ ok: true, by: 'spf-aligned' });
    expect(
      checkAuthentication({
        ...authMessage,
        verdicts: { ...gray, spfVerdict: FAIL },
        dkimDomains: ['eu.example.com'],
      }),
    ).toMatchObject({ ok: true, by: 'dkim-aligned' });
    // The Return-Path header stands in for a missing envelope.
    expect(
      checkAuthentication({
        ...authMessage,
        verdicts: { ...gray, dkimVerdict: FAIL },
        envelope: { mailFrom: undefined, recipients: [] },
        headers: { returnPath: '<priya.shah@example.com>' },
      } as unknown as Parameters<typeof checkAuthentication>[0]),
    ).toMatchObject({ ok: true, by: 'spf-aligned' });
    const partner = {
      ...authMessage,
      from: { address: 'ops@partner.example.org', name: '' },
      verdicts: { ...gray, spfVerdict: GRAY, dkimVerdict: GRAY },
    };
    expect(checkAuthentication(partner).ok).toBe(false);
    expect(
      checkAuthentication(partner, {
        exceptions: [{ domain: 'Partner.Example.org', reason: 'no DMARC yet' }],
      }),
    ).toMatchObject({ ok: true, by: 'exception' });
    // An exception names one domain exactly, not its subdomains.
    expect(
      checkAuthentication(
        { ...partner, from: { address: 'ops@eu.partner.example.org', name: '' } },
        { exceptions: [{ domain: 'partner.example.org', reason: 'no DMARC yet' }] },
      ).ok,
    ).toBe(false);
  });

  it('knows organisational domains under two-label public suffixes', () => {
    expect(organisationalDomain('mail.eu.example.com')).toBe('example.com');
    expect(organisationalDomain('smtp.example.co.uk')).toBe('example.co.uk');
    expect(organisationalDomain('Example.COM.')).toBe('example.com');
    expect(aligned('bounce.example.co.uk', 'example.co.uk')).toBe(true);
    expect(aligned('other.co.uk', 'example.co.uk')).toBe(false);
    expect(aligned('com', 'com')).toBe(false);
    // Second levels of a ccTLD and shared hosting domains are public suffixes: two organisations.
    expect(aligned('evil.com.pt', 'victim.com.pt')).toBe(false);
    expect(aligned('mail.victim.com.pt', 'victim.com.pt')).toBe(true);
    expect(aligned('evil.herokuapp.com', 'victim.herokuapp.com')).toBe(false);
    expect(aligned('evil.github.io', 'victim.github.io')).toBe(false);
    expect(aligned('a.example.test', 'example.test')).toBe(true);
    expect(aligned('', '')).toBe(false);
    expect(domainOf('<Priya@Example.COM>')).toBe('example.com');
    expect(domainOf('')).toBe('');
  });
});

describe('checkSingleFrom', () => {
  it('holds two From mailboxes, two From headers, a group, or two Senders', async () => {
    const two = await message(
      replyHeaders().map((h) =>
        h.startsWith('From:')
          ? 'From: Priya Shah <priya.shah@example.com>, Mallory <m@attacker.example.net>'
          : h,
      ),
    );
    expect(reason(checkSingleFrom(two))).toBe(
      'hold: the From header names 2 mailboxes (priya.shah@example.com, m@attacker.example.net); a reply is written by one person',
    );
    const twoHeaders = await message([...replyHeaders(), 'From: Mallory <m@attacker.example.net>']);
    expect(reason(checkSingleFrom(twoHeaders))).toBe(
      'hold: the message has 2 From headers; a reply is written by one person',
    );
    const group = await message(
      replyHeaders().map((h) => (h.startsWith('From:') ? 'From: Review team: priya.shah@example.com;' : h)),
    );
    expect(reason(checkSingleFrom(group))).toContain('hold: the From header is a group');
    const senders = await message(replyHeaders('Sender: a@example.com, b@example.com'));
    expect(reason(checkSingleFrom(senders))).toContain('hold: the Sender header');
    const unreadableSender = await message(replyHeaders('Sender: nobody'));
    expect(unreadableSender.sender.map((a) => a.address)).toEqual(['unreadable@sender.invalid']);
  });

  it('passes one author, with or without a Sender, and reads the DKIM signers', async () => {
    expect(checkSingleFrom(await message(replyHeaders()))).toEqual({ ok: true });
    const withSender = await message(
      replyHeaders(
        'Sender: PA <Assistant@Example.com>',
        'DKIM-Signature: v=1; a=rsa-sha256; d=Example.com; s=s1; b=abc',
        'DKIM-Signature: v=1; d=relay.example.net; s=x; b=def',
      ),
    );
    expect(checkSingleFrom(withSender)).toEqual({ ok: true });
    expect(withSender.sender).toEqual([{ address: 'assistant@example.com', name: 'PA' }]);
    expect(withSender.dkimDomains).toEqual(['example.com', 'relay.example.net']);
    const upper = await message(
      replyHeaders().map((h) => (h.startsWith('From:') ? 'From: PRIYA SHAH <PRIYA.SHAH@EXAMPLE.COM>' : h)),
    );
    expect(upper.from.address).toBe('priya.shah@example.com');
    expect(checkSingleFrom(upper)).toEqual({ ok: true });
  });
});

describe('isAutomated', () => {
  it('ignores each kind of automatic message, naming what gave it away', async () => {
    const cases: [string[], string][] = [
      [['Auto-Submitted: auto-replied'], 'Auto-Submitted: auto-replied'],
      [['Auto-Submitted: Auto-Generated; type=dsn'], 'Auto-Submitted: auto-generated'],
      [['Precedence: bulk'], 'Precedence: bulk'],
      [['Precedence: Junk'], 'Precedence: junk'],
      [['Precedence: list'], 'Precedence: list'],
      [['Precedence: auto_reply'], 'Precedence: auto_reply'],
      [['X-Autoreply: yes'], 'X-Autoreply'],
      [['X-Autorespond: x'], 'X-Autorespond'],
      [['List-Id: <team.lists.example.com>'], 'List-Id'],
      [['List-Unsubscribe: <mailto:u@lists.example.com>'], 'List-Unsubscribe'],
      [['Return-Path: <>'], 'empty Return-Path'],
      [['X-Failed-Recipients: bob@example.org'], 'X-Failed-Recipients'],
    ];
    for (const [extra, expected] of cases) {
      expect(reason(isAutomated(await message(replyHeaders(...extra)))), extra[0]).toContain(`ignore: `);
      expect(reason(isAutomated(await message(replyHeaders(...extra)))), extra[0]).toContain(expected);
    }
  });

  it('ignores delivery reports, bounces by sender or envelope, and its own mail', async () => {
    const report = await message(
      [
        ...replyHeaders().filter((h) => !h.startsWith('Content-Type')),
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"',
      ],
      '--b\nContent-Type: text/plain\n\nread\n--b--\n',
    );
    expect(reason(isAutomated(report))).toBe(
      'ignore: delivery or read report (multipart/report; disposition-notification)',
    );
    const daemon = await message(
      replyHeaders().map((h) => (h.startsWith('From:') ? 'From: postmaster@mx.example.org' : h)),
    );
    expect(reason(isAutomated(daemon))).toBe('ignore: bounce (from postmaster@mx.example.org)');
    const plain = await message(replyHeaders());
    for (const mailFrom of ['', '<>', ' ']) {
      expect(reason(isAutomated({ ...plain, envelope: { mailFrom, recipients: [] } }))).toBe(
        'ignore: bounce (empty envelope sender)',
      );
    }
    const own = await message(
      replyHeaders().map((h) => (h.startsWith('From:') ? 'From: ISMS <ISMS@example.com>' : h)),
    );
    expect(reason(isAutomated(own, { ownAddresses: ['isms@example.com'] }))).toBe(
      'ignore: mail loop: the message comes from our own address',
    );
    const fromReplyDomain = await message(
      replyHeaders().map((h) => (h.startsWith('From:') ? 'From: review+x@reply.example.com' : h)),
    );
    expect(reason(isAutomated(fromReplyDomain, { inboundDomain: 'Reply.Example.com' }))).toContain(
      'our reply domain',
    );
    const looped = await message(replyHeaders('X-Loop: isms@example.com'));
    expect(reason(isAutomated(looped, { ownAddresses: ['isms@example.com'] }))).toBe(
      'ignore: mail loop (X-Loop names our address)',
    );
  });

  it('ignores auto-reply subjects in several languages', async () => {
    for (const subject of [
      'Automatic reply: [ISMS review] Input requested',
      'Auto-Reply: hello',
      'Out of Office: back on Monday',
      'Abwesenheitsnotiz: Input',
      'Automatische Antwort: Input',
      'Réponse automatique : Input',
      'Undeliverable: Input',
      'Delivery Status Notification (Failure)',
      'Mail delivery failed: returning message to sender',
    ]) {
      const msg = await message(
        replyHeaders().map((h) => (h.startsWith('Subject:') ? `Subject: ${subject}` : h)),
      );
      expect(reason(isAutomated(msg)), subject).toContain('ignore: automatic message (subject');
    }
  });

  it('lets a person’s reply through, even about an out-of-office plan', async () => {
    expect(isAutomated(await message(replyHeaders()))).toEqual({ ok: true });
    expect(isAutomated(await message(replyHeaders('Auto-Submitted: no', 'Precedence: first-class')))).toEqual(
      {
        ok: true,
      },
    );
    const subject = await message(
      replyHeaders().map((h) =>
        h.startsWith('Subject:') ? 'Subject: Re: Out of office cover for the audit' : h,
      ),
    );
    expect(isAutomated(subject)).toEqual({ ok: true });
    // Exchange and Outlook add X-Auto-Response-Suppress to ordinary mail people write.
    for (const value of ['All', 'DR, RN, NRN, OOF, AutoReply', 'OOF']) {
      expect(isAutomated(await message(replyHeaders(`X-Auto-Response-Suppress: ${value}`)))).toEqual({
        ok: true,
      });
    }
    const loopFromOthers = await message(replyHeaders('X-Loop: helpdesk@example.com'));
    expect(isAutomated(loopFromOthers, { ownAddresses: ['isms@example.com'] })).toEqual({ ok: true });
  });
});

describe('detectKind', () => {
  it('knows the file kinds by their first bytes', () => {
    expect(detectKind(PDF)).toBe('pdf');
    expect(detectKind(Buffer.concat([Buffer.from('junk before the header\n'), PDF]))).toBe('pdf');
    expect(detectKind(workbook())).toBe('zip');
    expect(detectKind(gzipSync('x'))).toBe('gzip');
    expect(detectKind(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]))).toBe('7z');
    expect(detectKind(Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'))).toBe('rar');
    expect(detectKind(Buffer.from('BZh91AY&SY'))).toBe('bzip2');
    expect(detectKind(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(detectKind(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectKind(Buffer.concat([Buffer.alloc(257, 0x41), Buffer.from('ustar\0')]))).toBe('tar');
    expect(detectKind(Buffer.from('MSCF\0\0\0\0'))).toBe('cab');
    expect(detectKind(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe('ole');
    expect(detectKind(PNG)).toBe('png');
    expect(detectKind(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectKind(Buffer.from('GIF89a'))).toBe('gif');
    expect(detectKind(Buffer.from('MZ\x90\0', 'latin1'))).toBe('executable');
    expect(detectKind(Buffer.from('\x7fELF', 'latin1'))).toBe('executable');
    expect(detectKind(Buffer.from('a,b\r\n1,2\r\n'))).toBe('text');
    expect(detectKind(Buffer.from('\ufeffa;b\n', 'utf16le'))).toBe('text');
    expect(detectKind(Buffer.from('caf\xe9,1\n', 'latin1'))).toBe('text');
    expect(detectKind(Buffer.from([1, 2, 3, 0, 5]))).toBe('binary');
  });
});

describe('readZipDirectory and inspectXlsx', () => {
  it('refuses archives it cannot read', () => {
    expect(() => readZipDirectory(Buffer.from('not a zip at all, not even close'), 10)).toThrow(
      UnreadableArchive,
    );
    const good = workbook();
    expect(() => readZipDirectory(good.subarray(0, good.length - 30), 10)).toThrow('not a complete ZIP file');
    expect(() => readZipDirectory(good, 2)).toThrow('it holds 4 files; at most 2 are accepted');
    const zip64 = Buffer.from(good);
    zip64.writeUInt16LE(0xffff, zip64.length - 12);
    zip64.writeUInt16LE(0xffff, zip64.length - 14);
    expect(() => readZipDirectory(zip64, 100_000)).toThrow('ZIP64');
    const lyingCount = zip(workbookEntries(), { entryCount: 9 });
    expect(() => readZipDirectory(lyingCount, 100)).toThrow('damaged');
  });

  it('accepts a plain workbook, stored or deflated', () => {
    expect(inspectXlsx(workbook(), LIMITS)).toBeUndefined();
    expect(inspectXlsx(zip(workbookEntries().map((e) => ({ ...e, store: true }))), LIMITS)).toBeUndefined();
  });

  it('refuses what is not a plain workbook', () => {
    const entries = workbookEntries();
    expect(inspectXlsx(zip([{ name: 'report.pdf', content: PDF }]), LIMITS)).toBe(
      'it is a ZIP archive, not an Excel workbook',
    );
    expect(inspectXlsx(zip([...entries, { name: 'xl/vbaProject.bin', content: 'x' }]), LIMITS)).toContain(
      'macros',
    );
    expect(inspectXlsx(workbook({ main: XLSM_MAIN }), LIMITS)).toBe(
      'it is a macro-enabled workbook; save it as a plain .xlsx',
    );
    expect(
      inspectXlsx(zip([...entries, { name: 'xl/embeddings/oleObject1.bin', content: 'x' }]), LIMITS),
    ).toContain('other files packed inside (xl/embeddings/oleObject1.bin)');
    expect(inspectXlsx(zip([...entries, { name: 'xl/media/data.gz', content: 'x' }]), LIMITS)).toContain(
      'other files packed inside',
    );
    expect(
      inspectXlsx(zip([...entries, { name: 'xl/media/image1.png', content: gzipSync('x') }]), LIMITS),
    ).toContain('other files packed inside (xl/media/image1.png)');
    expect(inspectXlsx(zip([...entries, { name: '../../etc/passwd', content: 'x' }]), LIMITS)).toContain(
      'unsafe path',
    );
    expect(inspectXlsx(zip(entries.map((e, i) => (i === 3 ? { ...e, flags: 1 } : e))), LIMITS)).toContain(
      'password-protected or encrypted',
    );
    expect(inspectXlsx(zip(entries.map((e, i) => (i === 3 ? { ...e, method: 12 } : e))), LIMITS)).toContain(
      'compression method 12',
    );
    const damaged = workbook();
    damaged.writeUInt32LE(0, readZipDirectory(damaged, 10)[1]!.localHeaderOffset);
    expect(inspectXlsx(damaged, LIMITS)).toBe('the entry _rels/.rels is damaged');
    const flipped = zip(entries.map((e, i) => (i === 3 ? { ...e, store: true } : e)));
    const sheet = readZipDirectory(flipped, 10)[3]!;
    const at = sheet.localHeaderOffset + 30 + sheet.name.length + 5;
    flipped.writeUInt8(flipped.readUInt8(at) ^ 0xff, at);
    expect(inspectXlsx(flipped, LIMITS)).toBe('the entry xl/worksheets/sheet1.xml is damaged');
  });

  it('refuses zip bombs by declared size, by ratio, and by what they really inflate to', () => {
    const spaces = Buffer.alloc(3_000_000, 0x20);
    expect(inspectXlsx(workbook({ sheet: spaces }), LIMITS)).toMatch(
      /^it unpacks to 2\.9 MB, more than the .* allowed/,
    );
    const ratio = Buffer.alloc(500_000, 0x20); // inflates ~1000x, under the absolute limit
    expect(inspectXlsx(workbook({ sheet: ratio }), LIMITS)).toContain('(a zip bomb?)');
    const lying = zip(
      workbookEntries({ sheet: spaces }).map((e, i) => (i === 3 ? { ...e, declaredSize: 100 } : e)),
    );
    expect(inspectXlsx(lying, LIMITS)).toBe(
      'the entry xl/worksheets/sheet1.xml inflates to more than the archive declares (a zip bomb?)',
    );
    const shortLie = zip(workbookEntries().map((e, i) => (i === 3 ? { ...e, declaredSize: 10_000 } : e)));
    expect(inspectXlsx(shortLie, LIMITS)).toBe(
      'the entry xl/worksheets/sheet1.xml is not the size the archive declares (a zip bomb?)',
    );
  });
});

describe('attachmentProblem', () => {
  it('refuses archives, attached emails and unknown types', () => {
    expect(
      attachmentProblem(
        attachment('evidence.zip', 'application/zip', zip([{ name: 'a.pdf', content: PDF }])),
        LIMITS,
      ),
    ).toBe(
      '"evidence.zip" is an archive; archives are not accepted, attach the CSV, XLSX or PDF files themselves',
    );
    expect(
      attachmentProblem(attachment('data.7z', 'application/octet-stream', Buffer.from('x')), LIMITS),
    ).toContain('is an archive');
    expect(
      attachmentProblem(attachment('notes', 'application/octet-stream', gzipSync('x')), LIMITS),
    ).toContain('is an archive');
    expect(
      attachmentProblem(attachment(undefined, 'application/octet-stream', workbook()), LIMITS),
    ).toContain('the unnamed application/octet-stream attachment is an archive');
    expect(
      attachmentProblem(attachment('fwd.eml', 'message/rfc822', Buffer.from('From: a@b\r\n\r\nx')), LIMITS),
    ).toContain('is an attached email');
    expect(attachmentProblem(attachment('notes.docx', 'application/msword', Buffer.from('x')), LIMITS)).toBe(
      '"notes.docx" is not an accepted file type; attach CSV, XLSX or PDF files only',
    );
    expect(
      attachmentProblem(
        attachment('big.csv', 'text/csv', Buffer.alloc(LIMITS.maxAttachmentBytes + 1, 0x41)),
        LIMITS,
      ),
    ).toContain('each file may be at most');
  });

  it('refuses files whose bytes or declared type do not match their name', () => {
    expect(
      attachmentProblem(
        attachment('report.pdf', 'application/pdf', Buffer.from('MZ\x90\0', 'latin1')),
        LIMITS,
      ),
    ).toBe('"report.pdf" is named .pdf but is not a PDF file');
    expect(attachmentProblem(attachment('report.pdf', 'image/png', PDF), LIMITS)).toBe(
      '"report.pdf" is named as PDF but sent as image/png; attach the file itself, unchanged',
    );
    expect(
      attachmentProblem(attachment('data.csv', 'text/csv', Buffer.from([0x61, 0, 0x62])), LIMITS),
    ).toContain('is not a text (CSV) file');
    expect(attachmentProblem(attachment('kpi.xlsx', XLSX_TYPE, PDF), LIMITS)).toBe(
      '"kpi.xlsx" is named .xlsx but is not an Excel workbook',
    );
    expect(
      attachmentProblem(
        attachment('kpi.xlsx', XLSX_TYPE, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0])),
        LIMITS,
      ),
    ).toContain('password-protected');
    expect(attachmentProblem(attachment('kpi.xlsx', XLSX_TYPE, workbook({ main: XLSM_MAIN })), LIMITS)).toBe(
      '"kpi.xlsx" is refused: it is a macro-enabled workbook; save it as a plain .xlsx',
    );
  });

  it('accepts PDF, CSV and XLSX files under their usual declared types', () => {
    const accepted: InboundAttachment[] = [
      attachment('report.pdf', 'application/pdf', PDF),
      attachment('report.PDF', 'application/octet-stream', PDF),
      attachment(undefined, 'application/pdf', PDF),
      attachment('data.csv', 'text/csv', Buffer.from('a,b\n1,2\n')),
      attachment('data.csv', 'application/vnd.ms-excel', Buffer.from('a;b\r\n1;2\r\n')),
      attachment('data.csv', 'text/plain', Buffer.from('\ufeffa,b\n', 'utf16le')),
      attachment('KPI Q3.xlsx', XLSX_TYPE, workbook()),
      attachment('KPI Q3.xlsx', 'application/octet-stream', workbook()),
    ];
    for (const file of accepted) expect(attachmentProblem(file, LIMITS), file.filename).toBeUndefined();
  });
});

describe('checkLimits', () => {
  it('refuses limits that are not numbers it can use', () => {
    expect(() => checkLimits(withAttachments([]), { ...LIMITS, maxAttachments: -1 })).toThrow(
      InvalidMailLimits,
    );
    expect(() => checkLimits(withAttachments([]), { ...LIMITS, maxMessageBytes: 0 })).toThrow(
      InvalidMailLimits,
    );
  });

  it('refuses a message that is too large or has too many files', () => {
    expect(reason(checkLimits(withAttachments([], 1_200_000), LIMITS))).toBe(
      'reject: the message is 1.1 MB; the limit is 1 MB. Send fewer or smaller files, or put a link to them in the text',
    );
    const four = Array.from({ length: 4 }, (_, i) =>
      attachment(`s${i}.csv`, 'text/csv', Buffer.from('a,b\n')),
    );
    expect(reason(checkLimits(withAttachments(four), LIMITS))).toBe(
      'reject: the message has 4 attachments; at most 3 are accepted. Send the rest in another reply',
    );
    expect(checkLimits(withAttachments(four.slice(0, 3)), LIMITS)).toEqual({ ok: true });
  });

  it('lists every refused file in one reason', () => {
    const decision = checkLimits(
      withAttachments([
        attachment('a.zip', 'application/zip', zip([{ name: 'x', content: 'x' }])),
        attachment('ok.pdf', 'application/pdf', PDF),
        attachment('b.pdf', 'application/pdf', Buffer.from('nope')),
      ]),
      LIMITS,
    );
    expect(reason(decision)).toBe(
      'reject: "a.zip" is an archive; archives are not accepted, attach the CSV, XLSX or PDF files themselves; "b.pdf" is named .pdf but is not a PDF file',
    );
  });

  it('does not count inline images of a signature as files, but limits their size', () => {
    const logos = Array.from({ length: 5 }, (_, i) => attachment(`image00${i}.png`, 'image/png', PNG, true));
    expect(
      checkLimits(withAttachments([...logos, attachment('r.pdf', 'application/pdf', PDF)]), LIMITS),
    ).toEqual({
      ok: true,
    });
    const hugeLogo = attachment(
      'image001.png',
      'image/png',
      Buffer.concat([PNG, Buffer.alloc(LIMITS.maxAttachmentBytes)]),
      true,
    );
    expect(reason(checkLimits(withAttachments([hugeLogo]), LIMITS))).toContain('an image in the message is');
    const inlineZip = attachment('image001.png', 'image/png', zip([{ name: 'x', content: 'x' }]), true);
    expect(reason(checkLimits(withAttachments([inlineZip]), LIMITS))).toContain(
      '"image001.png" is an archive',
    );
  });

  it('has production defaults that accept an ordinary reply', () => {
    expect(checkLimits(withAttachments([attachment('KPI.xlsx', XLSX_TYPE, workbook())]))).toEqual({
      ok: true,
    });
    expect(DEFAULT_MAIL_LIMITS.maxCompressionRatio).toBeGreaterThan(1);
  });
});
