/**
 * The web session keys, derived from the reply keyring with HKDF (shared/web/session.ts): what a
 * forged or garbled cookie gets, what a rotation of the keyring does to sessions already issued, and
 * that the derivation is a function of the keyring and the label alone.
 */
import { describe, expect, it } from 'vitest';
import { rotateReplyKeyring, singleKeyring, type ReplyKeyring } from '#shared/mail/reply-keyring.ts';
import { CsrfRejected, SessionInvalid, WebSettingInvalid } from '#shared/web/errors.ts';
import {
  checkCsrf,
  checkPreSessionCsrf,
  csrfToken,
  deriveSessionKeys,
  newPreSessionNonce,
  newSession,
  openSession,
  preSessionCsrfToken,
  sealSession,
  WEB_SESSION_KEY_INFO,
} from '#shared/web/session.ts';

const NOW = new Date('2027-03-01T09:00:00.000Z');
const ring = singleKeyring(Buffer.alloc(32, 7));
const session = newSession({ personId: 'alice', programmeId: 'example-ltd', now: NOW });
/** A rotation step with a fixed random source (the next key's bytes). */
const rotate = (from: ReplyKeyring, fill: number) =>
  rotateReplyKeyring(from, { now: NOW, random: (size) => Buffer.alloc(size, fill) });

describe('web session keys', () => {
  it('refuse a forged, garbled, truncated or foreign cookie with SessionInvalid', () => {
    const keys = deriveSessionKeys(ring);
    const good = sealSession(keys, session);
    const [version, payload, keyId, signature] = good.split('.');
    const forged = sealSession(deriveSessionKeys(singleKeyring(Buffer.alloc(32, 8))), session);
    const otherPerson = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), p: 'ceo' }),
    ).toString('base64url');
    const refused = [
      forged,
      `${version}.${otherPerson}.${keyId}.${signature}`,
      `${version}.${payload}.z.${signature}`,
      `${version}.${payload}.${keyId}.${signature!.slice(0, -2)}`,
      `${version}.${payload}.${keyId}.${signature}.extra`,
      `v1.${payload}.${signature}`,
      `${version}.${payload}.${keyId}.not*base64`,
      'garbage',
      'A'.repeat(5000),
    ];
    for (const value of refused) {
      expect(() => openSession(keys, value, NOW), value.slice(0, 40)).toThrow(SessionInvalid);
    }
    expect(() => openSession(keys, forged, NOW)).toThrow('your session was not issued by this server');
    expect(() => openSession(keys, undefined, NOW)).toThrow('you are not signed in');
    // The same cookie, untouched, opens.
    expect(openSession(keys, good, NOW)).toEqual(session);
  });

  it('refuse a keyring that cannot give keys, naming it', () => {
    expect(() => deriveSessionKeys({ current: 'c', keys: ring.keys })).toThrow(WebSettingInvalid);
    expect(() => deriveSessionKeys({ current: 'c', keys: ring.keys })).toThrow(
      /no key with its current id "c"/,
    );
    const short = { current: 'b', keys: [{ id: 'b', key: Buffer.alloc(16, 1) }] };
    expect(() => deriveSessionKeys(short)).toThrow(/at least 32 bytes/);
  });

  it('are the same from the same keyring, differ under another label, and are never the keyring key', () => {
    const keys = deriveSessionKeys(ring);
    expect(WEB_SESSION_KEY_INFO).toBe('isms-review web session v1');
    expect(keys.current).toBe('b');
    const again = deriveSessionKeys(singleKeyring(Buffer.alloc(32, 7)));
    expect(again.keys.get('b')!.equals(keys.keys.get('b')!)).toBe(true);
    // A session sealed by one execution environment opens in another that read the same keyring.
    expect(openSession(again, sealSession(keys, session), NOW)).toEqual(session);
    const other = deriveSessionKeys(ring, 'isms-review something else v1');
    expect(other.keys.get('b')!.equals(keys.keys.get('b')!)).toBe(false);
    expect(() => openSession(other, sealSession(keys, session), NOW)).toThrow(SessionInvalid);
    expect(keys.keys.get('b')!.equals(ring.keys[0]!.key)).toBe(false);
    expect(keys.keys.get('b')).toHaveLength(32);
  });

  it('keep sessions and forms across a rotation while the old key is in the keyring, not after', () => {
    const before = deriveSessionKeys(ring);
    const cookie = sealSession(before, session);
    const csrf = csrfToken(before, session);
    const nonce = newPreSessionNonce();
    const preCsrf = preSessionCsrfToken(before, nonce);
    // The first rotation publishes generation c; the second makes it current and retires b.
    const published = rotate(ring, 3);
    const rotated = rotate(published, 4);
    expect(rotated.current).toBe('c');
    expect(rotated.keys.map((k) => k.id)).toEqual(['b', 'c', 'd']);
    const after = deriveSessionKeys(rotated);
    // New sessions are signed under c; those signed under b still open, their forms still post.
    expect(sealSession(after, session).split('.')[2]).toBe('c');
    expect(cookie.split('.')[2]).toBe('b');
    expect(openSession(after, cookie, NOW)).toEqual(session);
    expect(() => checkCsrf(after, session, csrf)).not.toThrow();
    expect(() => checkPreSessionCsrf(after, nonce, preCsrf)).not.toThrow();
    // An environment still on the old keyring (which already held c, published) opens the new ones.
    expect(openSession(deriveSessionKeys(published), sealSession(after, session), NOW)).toEqual(session);
    // Once b has left the keyring, what it signed is refused.
    const withoutB = { current: rotated.current, keys: rotated.keys.filter((k) => k.id !== 'b') };
    const later = deriveSessionKeys(withoutB);
    expect(() => openSession(later, cookie, NOW)).toThrow(SessionInvalid);
    expect(() => checkCsrf(later, session, csrf)).toThrow(CsrfRejected);
    expect(() => checkPreSessionCsrf(later, nonce, preCsrf)).toThrow(CsrfRejected);
  });

  it('bind a CSRF token to its session and a pre-session token to its nonce', () => {
    const keys = deriveSessionKeys(ring);
    const other = newSession({ personId: 'alice', programmeId: 'example-ltd', now: NOW });
    for (const token of [csrfToken(keys, other), '', 'b.', 'b.x.y', undefined, 42, 'z'.repeat(300)]) {
      expect(() => checkCsrf(keys, session, token)).toThrow(CsrfRejected);
    }
    expect(() => checkCsrf(keys, session, csrfToken(keys, session))).not.toThrow();
    const nonce = newPreSessionNonce();
    expect(() => checkPreSessionCsrf(keys, newPreSessionNonce(), preSessionCsrfToken(keys, nonce))).toThrow(
      CsrfRejected,
    );
    expect(() => checkPreSessionCsrf(keys, undefined, preSessionCsrfToken(keys, nonce))).toThrow(
      CsrfRejected,
    );
    expect(() => checkPreSessionCsrf(keys, nonce, preSessionCsrfToken(keys, nonce))).not.toThrow();
  });
});
