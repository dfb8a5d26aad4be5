import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import {
  base32,
  decodeReplyAddress,
  encodeReplyAddress,
  ForeignReplyAddress,
  InvalidReplyAddressSetting,
  MalformedReplyAddress,
  MAX_REPLY_LOCAL_PREFIX,
  newReplyId,
  replyMac,
  verifyReplyMac,
} from '#shared/mail/reply-address.ts';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const OURS = { localPart: 'review', domain: 'reply.example.com' };
const SIGNED = { id: 'k7qd3mzx2a', key: KEY, purpose: 'input.d1', recipient: 'priya' };

function address(overrides: Partial<Parameters<typeof encodeReplyAddress>[0]> = {}): string {
  return encodeReplyAddress({ ...OURS, ...SIGNED, ...overrides });
}

describe('reply address settings and parts', () => {
  it('refuses a short key, a bad local part, a bad domain and a bad id', () => {
    expect(() => address({ key: Buffer.alloc(15) })).toThrow(InvalidReplyAddressSetting);
    expect(() => address({ key: Buffer.alloc(15) })).toThrow('at least 16 bytes');
    expect(() => address({ localPart: 'a'.repeat(MAX_REPLY_LOCAL_PREFIX + 1) })).toThrow(
      'within 64 characters',
    );
    expect(() => address({ localPart: '' })).toThrow(InvalidReplyAddressSetting);
    expect(() => address({ localPart: 'review+x' })).toThrow(InvalidReplyAddressSetting);
    expect(() => address({ localPart: 'a..b' })).toThrow(InvalidReplyAddressSetting);
    expect(() => address({ localPart: '.review' })).toThrow(InvalidReplyAddressSetting);
    expect(() => address({ domain: 'localhost' })).toThrow('is not a domain name');
    expect(() => address({ domain: 'reply..example.com' })).toThrow(InvalidReplyAddressSetting);
    expect(() => address({ id: 'short' })).toThrow('a reply id is 10 characters');
    expect(() => address({ id: 'k7qd3mzx21' })).toThrow(InvalidReplyAddressSetting); // 1 is not base32
    expect(() => address({ id: 'K7QD3MZX2A' })).toThrow(InvalidReplyAddressSetting); // the id is stored lower case
    expect(() => address({ purpose: '' })).toThrow('purpose to sign');
    expect(() => address({ recipient: 'a\0b' })).toThrow('recipient to sign');
  });

  it('refuses to decode what is not one of our reply addresses, naming why', () => {
    const good = address();
    expect(() => decodeReplyAddress('', OURS)).toThrow(MalformedReplyAddress);
    expect(() => decodeReplyAddress('no-at-sign', OURS)).toThrow('is not an email address');
    expect(() => decodeReplyAddress('review@reply.example.com', OURS)).toThrow('carries no reply token');
    expect(() => decodeReplyAddress(good.replace('reply.example.com', 'evil.example.com'), OURS)).toThrow(
      ForeignReplyAddress,
    );
    expect(() => decodeReplyAddress(good.replace('review+', 'other+'), OURS)).toThrow(ForeignReplyAddress);
    expect(() => decodeReplyAddress('review+k7qd3mzx2a@reply.example.com', OURS)).toThrow(
      MalformedReplyAddress,
    );
    expect(() => decodeReplyAddress('review+k7qd3mzx2a.0000000000000000@reply.example.com', OURS)).toThrow(
      'is not <10 characters>.<16 characters>',
    );
    expect(() => decodeReplyAddress(`review+${'a'.repeat(60)}@reply.example.com`, OURS)).toThrow(
      'longer than 64 characters',
    );
    expect(() => decodeReplyAddress('x'.repeat(321), OURS)).toThrow('at most 320 characters');
  });

  it('does not accept a MAC made for another recipient, purpose or key, or of the wrong shape', () => {
    const { id, mac } = decodeReplyAddress(address(), OURS);
    expect(verifyReplyMac({ ...SIGNED, id, mac, recipient: 'tom' })).toBe(false);
    expect(verifyReplyMac({ ...SIGNED, id, mac, purpose: 'input.d2' })).toBe(false);
    expect(verifyReplyMac({ ...SIGNED, id, mac, key: Buffer.alloc(32, 7) })).toBe(false);
    expect(verifyReplyMac({ ...SIGNED, id, mac: mac.slice(1) })).toBe(false);
    expect(verifyReplyMac({ ...SIGNED, id, mac: `${mac}a` })).toBe(false);
    expect(verifyReplyMac({ ...SIGNED, id, mac: 'é'.repeat(16) })).toBe(false);
    expect(verifyReplyMac({ ...SIGNED, id, mac })).toBe(true);
  });

  it('writes <local>+<id>.<mac>@<domain> with the MAC the module comment documents', () => {
    const mac = base32(
      createHmac('sha256', KEY).update('isms-reply-v1\0k7qd3mzx2a\0priya\0input.d1').digest().subarray(0, 10),
    );
    expect(mac).toMatch(/^[a-z2-7]{16}$/);
    expect(address()).toBe(`review+k7qd3mzx2a.${mac}@reply.example.com`);
    expect(replyMac(SIGNED)).toBe(mac);
  });

  it('compares the recipient without regard to case, and reads addresses in any case', () => {
    const upper = address().toUpperCase();
    const { id, mac } = decodeReplyAddress(upper, { localPart: 'REVIEW', domain: 'Reply.Example.COM' });
    expect(verifyReplyMac({ ...SIGNED, id, mac, recipient: 'PRIYA' })).toBe(true);
    expect(verifyReplyMac({ ...SIGNED, id, mac: mac.toUpperCase() })).toBe(true);
  });

  it('keeps the local part within 64 characters at the longest allowed prefix and key id', () => {
    const longest = address({ localPart: 'r'.repeat(MAX_REPLY_LOCAL_PREFIX), keyId: '77' });
    expect(longest.split('@')[0]).toHaveLength(64);
    expect(decodeReplyAddress(longest, { ...OURS, localPart: 'r'.repeat(MAX_REPLY_LOCAL_PREFIX) }).id).toBe(
      SIGNED.id,
    );
  });

  it('encodes base32 as RFC 4648 does, in lower case without padding', () => {
    expect(base32(Buffer.from(''))).toBe('');
    expect(base32(Buffer.from('f'))).toBe('my');
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
  });

  it('makes ids of 10 base32 characters, and refuses a random source that gives too little', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newReplyId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{10}$/);
    expect(() => newReplyId(() => Buffer.alloc(2))).toThrow(InvalidReplyAddressSetting);
  });
});

const localPrefix = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,35}$/);
const domain = fc
  .array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/), { minLength: 1, maxLength: 3 })
  .chain((labels) => fc.stringMatching(/^[a-z]{2,6}$/).map((tld) => [...labels, tld].join('.')));
const signed = fc.record({
  id: fc.stringMatching(/^[a-z2-7]{10}$/),
  key: fc.uint8Array({ minLength: 16, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  purpose: fc.stringMatching(/^[a-z][a-z0-9]{0,10}([._:-][A-Za-z0-9]{1,20}){0,3}$/),
  recipient: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}(@[a-z0-9-]{1,10}\.[a-z]{2,5})?$/),
});
const setup = fc.record({ localPart: localPrefix, domain, signed });

function accepted(
  candidate: string,
  {
    localPart,
    domain: ourDomain,
    signed: input,
  }: { localPart: string; domain: string; signed: typeof SIGNED },
): boolean {
  try {
    const parts = decodeReplyAddress(candidate, { localPart, domain: ourDomain });
    return parts.id === input.id && verifyReplyMac({ ...input, mac: parts.mac });
  } catch (error) {
    if (error instanceof MalformedReplyAddress || error instanceof ForeignReplyAddress) return false;
    throw error;
  }
}

describe('reply addresses (properties)', () => {
  it('every valid address round-trips, in any case', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const encoded = encodeReplyAddress({ ...s.signed, localPart: s.localPart, domain: s.domain });
        expect(encoded.split('@')[0]!.length).toBeLessThanOrEqual(64);
        expect(accepted(encoded, s)).toBe(true);
        expect(accepted(encoded.toUpperCase(), s)).toBe(true);
      }),
      { numRuns: 150 },
    );
  }, 30_000);

  it('any single changed, added or removed character is rejected', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789.+-_@ '.split('');
    const edit = fc.record({
      kind: fc.constantFrom('change', 'add', 'remove'),
      at: fc.nat(),
      char: fc.constantFrom(...alphabet),
    });
    fc.assert(
      fc.property(setup, fc.array(edit, { minLength: 1, maxLength: 40 }), (s, edits) => {
        const encoded = encodeReplyAddress({ ...s.signed, localPart: s.localPart, domain: s.domain });
        for (const e of edits) {
          const at = e.at % (encoded.length + (e.kind === 'add' ? 1 : 0));
          // A change of case is no change: addresses are read without regard to case.
          if (e.kind === 'change' && encoded[at]!.toLowerCase() === e.char) continue;
          const changed =
            e.kind === 'remove'
              ? encoded.slice(0, at) + encoded.slice(at + 1)
              : encoded.slice(0, at) + e.char + encoded.slice(e.kind === 'add' ? at : at + 1);
          if (accepted(changed, s)) throw new Error(`accepted ${changed} (from ${encoded})`);
        }
      }),
      { numRuns: 150 },
    );
  }, 30_000);
});
