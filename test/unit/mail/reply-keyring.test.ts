/**
 * The reply keyring and addresses that name their key: reading the stored forms, rotation, and
 * verification with the key an address names for as long as its tokens live.
 */
import { describe, expect, it } from 'vitest';
import { checkToken, replyAddressCandidates } from '#shared/ingest/steps.ts';
import { parseInbound } from '#shared/mail/inbound.ts';
import {
  decodeReplyAddress,
  encodeReplyAddress,
  MAX_REPLY_LOCAL_PREFIX,
  signReplyAddress,
  verifyReplyAddress,
} from '#shared/mail/reply-address.ts';
import {
  generationOf,
  InvalidReplyKeyring,
  LEGACY_REPLY_KEY_ID,
  MAX_REPLY_TOKEN_DAYS,
  parseReplyKeyring,
  replyKeyIdOf,
  rotateReplyKeyring,
  serializeReplyKeyring,
  signingKey,
  singleKeyring,
  type ReplyKeyring,
} from '#shared/mail/reply-keyring.ts';
import type { ReplyTokenRecord } from '#shared/model/records.ts';
import { theProgramme } from '#test/unit/minutes/support.ts';

const DAY = 86_400_000;
const HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const OURS = { localPart: 'review', domain: 'reply.example.com' };
const SIGNED = { id: 'k7qd3mzx2a', purpose: 'inputs', recipient: 'auditor@example.com' };
const T0 = new Date('2026-01-01T00:00:00.000Z');

/** Deterministic but distinct key bytes per call. */
function counter(): (size: number) => Buffer {
  let n = 0;
  return (size) => Buffer.alloc(size, (n += 1));
}

function rotated(ring: ReplyKeyring, times: number, start: Date, everyDays = 90, random = counter()) {
  let out = ring;
  for (let i = 0; i < times; i += 1) {
    out = rotateReplyKeyring(out, { now: new Date(start.getTime() + i * everyDays * DAY), random });
  }
  return out;
}

describe('reading a keyring', () => {
  it('refuses what is not a keyring, naming the problem and never the key', () => {
    const bad = [
      '',
      'abcdef',
      'a'.repeat(33),
      '{not json',
      JSON.stringify({ format: 'other', current: 'b', keys: [{ id: 'b', key: HEX }] }),
      JSON.stringify({ format: 'isms-review/reply-keyring@1', current: 'c', keys: [{ id: 'b', key: HEX }] }),
      JSON.stringify({
        format: 'isms-review/reply-keyring@1',
        current: 'b',
        keys: [
          { id: 'b', key: HEX },
          { id: 'b', key: HEX },
        ],
      }),
      JSON.stringify({
        format: 'isms-review/reply-keyring@1',
        current: 'b',
        keys: [{ id: 'b', key: HEX, retiredAt: '2026-01-01T00:00:00.000Z' }],
      }),
      JSON.stringify({ format: 'isms-review/reply-keyring@1', current: 'b', keys: [{ id: 'b', key: 'ab' }] }),
      JSON.stringify({ format: 'isms-review/reply-keyring@1', current: '1', keys: [{ id: '1', key: HEX }] }),
      JSON.stringify({ format: 'isms-review/reply-keyring@1', current: 'b', keys: [] }),
    ];
    for (const text of bad) {
      let error: unknown;
      try {
        parseReplyKeyring(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(InvalidReplyKeyring);
      expect((error as Error).message).not.toContain(HEX);
    }
    expect(() => parseReplyKeyring('abcdef')).toThrow('too short');
    expect(() =>
      parseReplyKeyring(
        JSON.stringify({
          format: 'isms-review/reply-keyring@1',
          current: 'c',
          keys: [{ id: 'b', key: HEX }],
        }),
      ),
    ).toThrow('no key has the current id "c"');
  });

  it('reads the single hex key stacks stored before rotation as generation 1, in any case', () => {
    const ring = parseReplyKeyring(`  ${HEX.toUpperCase()}\n`);
    expect(ring.current).toBe(LEGACY_REPLY_KEY_ID);
    expect(ring.keys).toHaveLength(1);
    expect(signingKey(ring)).toEqual({ id: 'b', key: Buffer.from(HEX, 'hex') });
  });

  it('writes and reads back the JSON form', () => {
    const ring = rotated(parseReplyKeyring(HEX), 3, T0);
    const text = serializeReplyKeyring(ring);
    expect(JSON.parse(text).format).toBe('isms-review/reply-keyring@1');
    expect(parseReplyKeyring(text)).toEqual(ring);
  });

  it('numbers key ids by generation in base32, one or two characters', () => {
    expect(() => replyKeyIdOf(0)).toThrow(InvalidReplyKeyring);
    expect(() => replyKeyIdOf(1024)).toThrow(InvalidReplyKeyring);
    expect(() => generationOf('abc')).toThrow(InvalidReplyKeyring);
    expect([1, 2, 31, 32, 33, 1023].map(replyKeyIdOf)).toEqual(['b', 'c', '7', 'ba', 'bb', '77']);
    for (const n of [1, 2, 31, 32, 33, 500, 1023]) expect(generationOf(replyKeyIdOf(n))).toBe(n);
  });
});

describe('rotation', () => {
  it('publishes a key one rotation before it signs, and retires the key it replaces', () => {
    const first = rotateReplyKeyring(parseReplyKeyring(HEX), { now: T0, random: counter() });
    expect(first.current).toBe('b');
    expect(first.keys.map((k) => k.id)).toEqual(['b', 'c']);
    expect(first.keys[1]).toMatchObject({ createdAt: T0.toISOString() });

    const at = new Date(T0.getTime() + 90 * DAY);
    const second = rotateReplyKeyring(first, { now: at, random: counter() });
    expect(second.current).toBe('c');
    expect(second.keys.map((k) => [k.id, k.retiredAt])).toEqual([
      ['b', at.toISOString()],
      ['c', undefined],
      ['d', undefined],
    ]);
  });

  it('drops a retired key only once every token it can have signed has expired', () => {
    const ring = rotated(parseReplyKeyring(HEX), 2, T0); // b retired at T0 + 90 days
    const retired = Date.parse(ring.keys.find((k) => k.id === 'b')!.retiredAt!);
    const justBefore = rotateReplyKeyring(ring, {
      now: new Date(retired + MAX_REPLY_TOKEN_DAYS * DAY - 1),
      random: counter(),
    });
    expect(justBefore.keys.map((k) => k.id)).toContain('b');
    const after = rotateReplyKeyring(justBefore, {
      now: new Date(retired + MAX_REPLY_TOKEN_DAYS * DAY),
      random: counter(),
    });
    expect(after.keys.map((k) => k.id)).not.toContain('b');
  });

  it('refuses a random source that gives too few bytes', () => {
    expect(() =>
      rotateReplyKeyring(singleKeyring(Buffer.alloc(32, 1)), { now: T0, random: () => Buffer.alloc(8) }),
    ).toThrow('too few bytes');
  });
});

describe('addresses that name their key', () => {
  const ring = rotated(parseReplyKeyring(HEX), 1, T0);

  it('refuses an address that names a key the keyring does not hold, or whose key id was changed', () => {
    const address = signReplyAddress({ ...OURS, ...SIGNED, keys: ring });
    const parts = decodeReplyAddress(address, OURS);
    expect(parts.keyId).toBe('b');
    expect(verifyReplyAddress({ ...SIGNED, keys: ring, parts: { ...parts, keyId: 'z' } })).toBe(false);
    // 'c' is in the keyring, but it did not sign this address: the key id is part of what is signed.
    expect(verifyReplyAddress({ ...SIGNED, keys: ring, parts: { ...parts, keyId: 'c' } })).toBe(false);
    expect(() => decodeReplyAddress(address.replace('+b.', '+bcd.'), OURS)).toThrow('key id');
    expect(verifyReplyAddress({ ...SIGNED, keys: ring, parts })).toBe(true);
  });

  it('signs with the current key and writes <local>+<key id>.<id>.<mac>', () => {
    const address = signReplyAddress({ ...OURS, ...SIGNED, keys: ring });
    expect(address).toMatch(/^review\+b\.k7qd3mzx2a\.[a-z2-7]{16}@reply\.example\.com$/);
  });

  it('still verifies addresses written before key ids, with generation 1 only', () => {
    const legacy = encodeReplyAddress({ ...OURS, ...SIGNED, key: Buffer.from(HEX, 'hex') });
    const parts = decodeReplyAddress(legacy, OURS);
    expect(parts.keyId).toBeUndefined();
    expect(verifyReplyAddress({ ...SIGNED, keys: ring, parts })).toBe(true);
    const withoutFirst = rotated(ring, 1, new Date(T0.getTime() + 90 * DAY));
    const dropped = rotateReplyKeyring(withoutFirst, {
      now: new Date(T0.getTime() + (90 + MAX_REPLY_TOKEN_DAYS + 1) * DAY),
      random: counter(),
    });
    expect(dropped.keys.map((k) => k.id)).not.toContain('b');
    expect(verifyReplyAddress({ ...SIGNED, keys: dropped, parts })).toBe(false);
  });

  it('stays within 64 characters at the longest local part and a two-character key id', () => {
    const longest = encodeReplyAddress({
      ...SIGNED,
      localPart: 'r'.repeat(MAX_REPLY_LOCAL_PREFIX),
      domain: OURS.domain,
      keyId: '77',
      key: Buffer.from(HEX, 'hex'),
    });
    expect(longest.split('@')[0]).toHaveLength(64);
    expect(
      decodeReplyAddress(longest, { ...OURS, localPart: 'r'.repeat(MAX_REPLY_LOCAL_PREFIX) }),
    ).toMatchObject({
      keyId: '77',
      id: SIGNED.id,
    });
  });
});

describe('a token signed before a rotation', () => {
  const programme = theProgramme();
  const auditor = programme.people.find((p) => p.id === 'auditor')!;
  const record: ReplyTokenRecord = {
    tokenId: SIGNED.id,
    cycleId: 'C-20261001T0800Z-Q',
    purpose: 'inputs',
    recipientId: auditor.id,
    issuedAt: T0.toISOString(),
    expiresAt: new Date(T0.getTime() + 120 * DAY).toISOString(),
  };
  const before = rotated(parseReplyKeyring(HEX), 1, new Date(T0.getTime() - DAY)); // b signs, c published

  async function candidate(address: string) {
    const msg = await parseInbound(
      Buffer.from(
        `From: ${auditor.email}\r\nTo: ${address}\r\nMessage-ID: <a@b>\r\nSubject: x\r\n\r\nhi\r\n`,
      ),
    );
    return replyAddressCandidates(msg, OURS.domain)[0]!;
  }

  it('verifies with generation 1 after rotation to generation 2, until the token expires', async () => {
    const address = signReplyAddress({
      ...OURS,
      id: SIGNED.id,
      purpose: 'inputs',
      recipient: auditor.email,
      keys: before,
    });
    const after = rotated(before, 1, new Date(T0.getTime() + 30 * DAY));
    expect(after.current).toBe('c');
    const c = await candidate(address);
    expect(
      checkToken({ candidate: c, record, programme, keys: after, now: new Date(T0.getTime() + 100 * DAY) }),
    ).toEqual({
      ok: true,
    });
    expect(
      checkToken({ candidate: c, record, programme, keys: after, now: new Date(T0.getTime() + 120 * DAY) }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('expired') });
  });

  it('refuses an address naming a key id the keyring does not hold, as one we did not issue', async () => {
    const stranger = signReplyAddress({
      ...OURS,
      id: SIGNED.id,
      purpose: 'inputs',
      recipient: auditor.email,
      keys: singleKeyring(Buffer.alloc(32, 3), 'q'),
    });
    const decision = checkToken({
      candidate: await candidate(stranger),
      record,
      programme,
      keys: before,
      now: new Date(T0.getTime() + DAY),
    });
    expect(decision).toMatchObject({ ok: false, reason: expect.stringContaining('not one we issued') });
  });
});
