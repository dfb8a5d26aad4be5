/**
 * Each decision of the inbound pipeline on its own: dedupe key, screening, finding our reply
 * address, token checks, sender checks, the rejection cap, and reading the SES receipt event.
 */
import { describe, expect, it } from 'vitest';
import { ingestFromSes, InvalidSesEvent, SesReceiptEvent } from '#functions/ingest-email.ts';
import { toProblem } from '#shared/ingest/answer.ts';
import type { IngestDeps } from '#shared/ingest/pipeline.ts';
import { InvalidIngestRequest } from '#shared/ingest/pipeline.ts';
import {
  checkLinkedToken,
  checkSender,
  checkToken,
  dedupeKey,
  MAX_THREAD_LOOKUPS,
  rejectionSlotKeys,
  replyAddressCandidates,
  screen,
  threadMessageIds,
} from '#shared/ingest/steps.ts';
import { parseInbound, type SesVerdicts } from '#shared/mail/inbound.ts';
import { encodeReplyAddress } from '#shared/mail/reply-address.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import type { ReplyTokenRecord } from '#shared/model/records.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { parseEvent } from '#shared/wiring/handler.ts';
import { theProgramme } from '#test/unit/minutes/support.ts';

const KEY = Buffer.alloc(32, 9);
const KEYS = singleKeyring(KEY);
const PASS: SesVerdicts = {
  spamVerdict: { status: 'PASS' },
  virusVerdict: { status: 'PASS' },
  spfVerdict: { status: 'PASS' },
  dkimVerdict: { status: 'PASS' },
  dmarcVerdict: { status: 'PASS' },
};
const NOW = new Date('2026-10-06T08:00:00.000Z');

function programme(): Programme {
  const p = theProgramme();
  return { ...p, inputs: { ...p.inputs, delegates: [{ for: 'auditor', delegate: 'alice' }] } } as Programme;
}

const token: ReplyTokenRecord = {
  tokenId: 'abcdefghij',
  cycleId: 'C-20261001T0800Z-Q',
  purpose: 'inputs',
  recipientId: 'auditor',
  issuedAt: '2026-10-01T08:00:00.000Z',
  expiresAt: '2026-12-01T00:00:00.000Z',
};

function address(overrides: { purpose?: string; recipient?: string; key?: Buffer; localPart?: string } = {}) {
  return encodeReplyAddress({
    localPart: overrides.localPart ?? 'review',
    id: token.tokenId,
    key: overrides.key ?? KEY,
    purpose: overrides.purpose ?? 'inputs',
    recipient: overrides.recipient ?? 'auditor@example.com',
    domain: 'reply.example.com',
  });
}

function mail(headers: Record<string, string>, body = 'hello'): Buffer {
  const lines = Object.entries({ From: 'auditor@example.com', Subject: 'Re: request', ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return Buffer.from([...lines, '', body, ''].join('\r\n'));
}

async function message(headers: Record<string, string>, options: Parameters<typeof parseInbound>[2] = {}) {
  return parseInbound(mail(headers), undefined, { verdicts: PASS, ...options });
}

describe('dedupeKey', () => {
  it('uses the raw digest when there is no Message-ID, and the Message-ID otherwise', () => {
    expect(dedupeKey({ messageId: undefined, sha256: 'f'.repeat(64) })).toBe(
      `<sha256.${'f'.repeat(64)}@raw.invalid>`,
    );
    expect(dedupeKey({ messageId: ' <a@b> ', sha256: 'f'.repeat(64) })).toBe('<a@b>');
  });
});

describe('screen', () => {
  it('drops spam and virus, defers what could not be scanned, ignores automatic mail first', async () => {
    const plain = await message({});
    expect(screen({ ...plain, verdicts: { ...PASS, virusVerdict: { status: 'FAIL' } } }, {})).toMatchObject({
      outcome: 'dropped',
    });
    expect(screen({ ...plain, verdicts: { ...PASS, spamVerdict: { status: 'FAIL' } } }, {})).toMatchObject({
      outcome: 'dropped',
    });
    expect(screen({ ...plain, verdicts: { ...PASS, virusVerdict: { status: 'GRAY' } } }, {})).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('scanned for viruses'),
    });
    // Authentication is not screened here: checkAuthentication holds such mail (mail-checks.ts).
    expect(screen({ ...plain, verdicts: { ...PASS, dmarcVerdict: { status: 'FAIL' } } }, {})).toEqual({
      ok: true,
    });
    const auto = await message({ 'Auto-Submitted': 'auto-replied' });
    expect(screen({ ...auto, verdicts: { ...PASS, spamVerdict: { status: 'FAIL' } } }, {})).toMatchObject({
      outcome: 'ignored',
    });
    const loop = await message({ From: 'isms-review@example.com' });
    expect(screen(loop, { ownAddresses: ['isms-review@example.com'] })).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('loop'),
    });
    const exchange = await message({ 'X-Auto-Response-Suppress': 'All' });
    expect(screen(exchange, {})).toEqual({ ok: true });
    expect(screen(plain, {})).toEqual({ ok: true });
  });
});

describe('replyAddressCandidates', () => {
  it('skips foreign and malformed addresses and finds ours in the envelope, To or Cc, once', async () => {
    const ours = address();
    const msg = await message(
      {
        To: 'someone@example.com, review@reply.example.com',
        Cc: `${ours.toUpperCase()}, review+bad@reply.example.com`,
      },
      { envelope: { recipients: [ours], mailFrom: 'auditor@example.com' }, verdicts: PASS },
    );
    const found = replyAddressCandidates(msg, 'Reply.Example.com');
    expect(found).toEqual([
      { address: ours, localPart: 'review', parts: { id: token.tokenId, mac: ours.slice(18, 34) } },
    ]);
    expect(
      replyAddressCandidates(await message({ To: 'other+abc@example.com' }), 'reply.example.com'),
    ).toEqual([]);
  });
});

describe('threadMessageIds (the fallback when the +token part is lost)', () => {
  it('names In-Reply-To first, then References from the newest, once each, only well-formed ids', async () => {
    const msg = await message({
      To: 'review@reply.example.com',
      'In-Reply-To': '<request-2@isms.example.com>',
      References: '<request-1@isms.example.com> not-an-id <request-2@isms.example.com> <a@b>',
    });
    expect(threadMessageIds(msg, 'Reply.Example.com')).toEqual([
      '<request-2@isms.example.com>',
      '<a@b>',
      '<request-1@isms.example.com>',
    ]);
  });

  it('looks nothing up for mail not addressed to our inbound domain, or without a thread', async () => {
    const elsewhere = await message({
      To: 'review@example.org',
      'In-Reply-To': '<request-2@isms.example.com>',
    });
    expect(threadMessageIds(elsewhere, 'reply.example.com')).toEqual([]);
    expect(threadMessageIds(await message({ To: 'review@reply.example.com' }), 'reply.example.com')).toEqual(
      [],
    );
  });

  it('bounds the look-ups, however long References is', async () => {
    const references = Array.from({ length: 500 }, (_, n) => `<m${n}@x.example.com>`).join(' ');
    const msg = await message({ To: 'review@reply.example.com', References: references });
    expect(threadMessageIds(msg, 'reply.example.com')).toHaveLength(MAX_THREAD_LOOKUPS);
    expect(threadMessageIds(msg, 'reply.example.com')[0]).toBe('<m499@x.example.com>');
  });
});

describe('checkLinkedToken', () => {
  it('rejects an unknown token or one naming nobody of the programme, and an expired one; accepts a valid one', () => {
    const p = programme();
    expect(checkLinkedToken({ record: undefined, programme: p, now: NOW })).toMatchObject({
      ok: false,
      outcome: 'rejected',
      reason: expect.stringContaining('answers no request we sent'),
    });
    expect(
      checkLinkedToken({ record: { ...token, recipientId: 'nobody' }, programme: p, now: NOW }),
    ).toMatchObject({ ok: false });
    expect(
      checkLinkedToken({ record: token, programme: p, now: new Date('2026-12-01T00:00:00.000Z') }),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/until 2026-12-01.*latest/) });
    expect(checkLinkedToken({ record: token, programme: p, now: NOW })).toEqual({ ok: true });
  });
});

describe('checkToken', () => {
  const candidateOf = async (addr: string) =>
    replyAddressCandidates(await message({ To: addr }), 'reply.example.com')[0]!;

  it('rejects an unknown token, a forged MAC, another purpose, another key, another local part', async () => {
    const p = programme();
    const good = await candidateOf(address());
    expect(
      checkToken({ candidate: good, record: undefined, programme: p, keys: KEYS, now: NOW }),
    ).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('not one we issued') });
    for (const addr of [
      address({ purpose: 'minutes' }),
      address({ key: Buffer.alloc(32, 1) }),
      address({ recipient: 'ciso@example.com' }),
      address({ localPart: 'other' }),
    ]) {
      const candidate = await candidateOf(addr);
      expect(checkToken({ candidate, record: token, programme: p, keys: KEYS, now: NOW }).ok).toBe(false);
    }
  });

  it('says an expired token expired and points to the latest request; accepts a valid one', async () => {
    const candidate = await candidateOf(address());
    const expired = checkToken({
      candidate,
      record: { ...token, expiresAt: '2026-10-05T00:00:00.000Z' },
      programme: programme(),
      keys: KEYS,
      now: NOW,
    });
    expect(expired).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired on 2026-10-05.*latest/),
    });
    expect(checkToken({ candidate, record: token, programme: programme(), keys: KEYS, now: NOW })).toEqual({
      ok: true,
    });
  });
});

describe('checkSender', () => {
  it('holds a stranger, another programme member, and a Sender who may not answer', () => {
    const p = programme();
    expect(checkSender(p, token, 'mallory@example.net')).toMatchObject({
      ok: false,
      outcome: 'held',
      reason: expect.stringContaining('Ann Auditor'),
    });
    expect(checkSender(p, token, 'cto@example.com')).toMatchObject({ ok: false, outcome: 'held' });
    // From is the owner, Sender a stranger: the stranger sent it.
    expect(
      checkSender(p, token, 'auditor@example.com', [{ address: 'mallory@example.net', name: '' }]),
    ).toMatchObject({
      ok: false,
      outcome: 'held',
      reason: expect.stringContaining('its Sender is mallory@example.net'),
    });
    // An unreadable Sender (parseInbound's marker) never passes.
    expect(
      checkSender(p, token, 'auditor@example.com', [{ address: 'unreadable@sender.invalid', name: '' }]).ok,
    ).toBe(false);
    // Another member of the programme is not a delegate either.
    expect(checkSender(p, token, 'auditor@example.com', [{ address: 'cto@example.com', name: '' }]).ok).toBe(
      false,
    );
  });

  it('accepts the recipient and a registered delegate, as From or as Sender, compared normalised', () => {
    const p = programme();
    expect(checkSender(p, token, 'AUDITOR@example.com')).toEqual({
      ok: true,
      senderId: 'auditor',
      onBehalfOf: undefined,
    });
    expect(checkSender(p, token, ' <Auditor@Example.COM.> ')).toMatchObject({
      ok: true,
      senderId: 'auditor',
    });
    expect(checkSender(p, token, 'alice@example.com')).toEqual({
      ok: true,
      senderId: 'alice',
      onBehalfOf: 'auditor',
    });
    // The delegate sends for the owner (From owner, Sender delegate), and the same mailbox twice.
    expect(
      checkSender(p, token, 'auditor@example.com', [{ address: 'ALICE@example.com', name: 'Alice' }]),
    ).toMatchObject({ ok: true, senderId: 'auditor' });
    expect(
      checkSender(p, token, 'auditor@example.com', [{ address: 'Auditor@Example.com', name: '' }]),
    ).toMatchObject({ ok: true, senderId: 'auditor' });
  });
});

describe('rejection cap', () => {
  it('gives a sender a fixed number of slots per UTC day, different the next day', () => {
    const today = rejectionSlotKeys('a@example.com', NOW, 5);
    expect(today).toHaveLength(5);
    expect(new Set(today).size).toBe(5);
    expect(rejectionSlotKeys('A@example.com', NOW, 5)).toEqual(today);
    expect(rejectionSlotKeys('a@example.com', new Date('2026-10-07T00:00:00Z'), 5)).not.toEqual(today);
    for (const key of today) expect(key).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:#-]{0,199}$/);
  });
});

describe('toProblem', () => {
  it('splits what is wrong from how to fix it', () => {
    expect(
      toProblem("input d1: 'period' is missing; write it as period: 2026-07-01 to 2026-09-30", 'input d1'),
    ).toEqual({
      where: 'input d1',
      problem: "input d1: 'period' is missing",
      fix: 'Write it as period: 2026-07-01 to 2026-09-30',
    });
    expect(toProblem('no reason given').fix).toContain('reply again');
  });
});

describe('ingestFromSes', () => {
  const deps = { rawMail: { get: async () => Buffer.from('x') } } as unknown as IngestDeps & {
    rawMail: { get: (key: string) => Promise<Buffer> };
  };

  /** An SES receipt event as the receipt rule's Lambda action sends it (AWS's documented example). */
  const sesEvent = (overrides: { mail?: object; receipt?: object } = {}) => ({
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: '2026-10-06T08:00:00.000Z',
            source: 'a@example.com',
            messageId: 'o3vrnil0e2ic28tr',
            destination: ['review+x@reply.example.com'],
            headersTruncated: false,
            headers: [{ name: 'From', value: 'a@example.com' }],
            commonHeaders: { from: ['a@example.com'], to: ['review+x@reply.example.com'] },
            ...overrides.mail,
          },
          receipt: {
            timestamp: '2026-10-06T08:00:00.000Z',
            processingTimeMillis: 574,
            recipients: ['review+x@reply.example.com'],
            ...PASS,
            action: {
              type: 'Lambda',
              invocationType: 'Event',
              functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ingest-email',
            },
            ...overrides.receipt,
          },
        },
      },
    ],
  });
  const parse = (event: unknown) => parseEvent(SesReceiptEvent, event, InvalidSesEvent);

  it('refuses an event that is not an SES receipt', () => {
    expect(() => parse({})).toThrow(InvalidSesEvent);
    expect(() => parse({ Records: [] })).toThrow(/not an SES receipt event: Records/);
    expect(() => parse(sesEvent({ mail: { messageId: '../x' } }))).toThrow(
      /messageId: expected an SES message id/,
    );
    expect(() => parse({ Records: [{ ...sesEvent().Records[0], eventSource: 'aws:sns' }] })).toThrow(
      /eventSource/,
    );
  });

  it('reads what SES sends: DISABLED scans, no DMARC policy, headers it summarises its own way', () => {
    const event = parse(
      sesEvent({
        mail: { commonHeaders: { from: ['a@example.com'] } },
        receipt: { virusVerdict: { status: 'DISABLED' }, dmarcPolicy: undefined },
      }),
    );
    expect(event.Records[0]!.ses.receipt.virusVerdict).toEqual({ status: 'DISABLED' });
    expect(event.Records[0]!.ses.receipt.dmarcPolicy).toBeUndefined();
    expect(parse(sesEvent({ receipt: { dmarcPolicy: 'reject' } })).Records[0]!.ses.receipt.dmarcPolicy).toBe(
      'reject',
    );
  });

  it('reads the raw message from inbound/<messageId> and passes the receipt verdicts on', async () => {
    const keys: string[] = [];
    const reading = {
      settings: { inboundDomain: 'reply.example.com', ownAddresses: [] },
      rawMail: {
        get: async (key: string) => {
          keys.push(key);
          return Buffer.alloc(0);
        },
      },
    };
    // Empty bytes are not a message: ignored, never answered, nothing else touched.
    const result = await ingestFromSes(reading as never, parse(sesEvent()));
    expect(result).toMatchObject({
      outcome: 'ignored',
      answer: 'none',
      reason: expect.stringContaining('UnparseableMail'),
    });
    expect(keys).toEqual(['inbound/o3vrnil0e2ic28tr']);
  });

  it('refuses a request without a receipt time', async () => {
    const { ingest } = await import('#shared/ingest/pipeline.ts');
    await expect(
      ingest(deps, { raw: Buffer.from('x'), rawS3Key: 'inbound/x', receivedAt: 'yesterday' }),
    ).rejects.toBeInstanceOf(InvalidIngestRequest);
  });
});
