/**
 * The web session: a cookie value signed with HMAC-SHA256 under a session key, naming the person,
 * the programme, when it was issued and when it ends (at most 12 hours later). It is checked in
 * constant time, and the person is looked up in the current programme at every request
 * (shared/web/viewer.ts), so removing someone from the programme ends their session.
 *
 * Every form carries a CSRF token bound to the session (an HMAC of the session's id); forms shown
 * before sign-in carry one bound to a random nonce kept in a short-lived cookie of their own.
 *
 * The session keys are derived from the reply keyring (shared/mail/reply-keyring.ts), one per key
 * generation, with HKDF-SHA256 under a label of their own (WEB_SESSION_KEY_INFO): no secret of their
 * own, and never the key that signs reply addresses. Cookies and tokens name the generation they were
 * signed under: the current one signs, any generation the keyring still holds verifies, so a rotation
 * of the keyring signs nobody out.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { ReplyKeyring } from '../mail/reply-keyring.ts';
import { PersonId, ProgrammeId } from '../model/common.ts';
import { CsrfRejected, SessionInvalid, WebSettingInvalid } from './errors.ts';

/** The longest a session may live. */
export const MAX_SESSION_HOURS = 12;
/** How long a session lives when nothing else is asked. */
export const SESSION_HOURS = 8;

/** The cookie names: the session, and the nonce of forms shown before sign-in. */
export const SESSION_COOKIE = 'isms_session';
export const PRE_SESSION_COOKIE = 'isms_presession';

const HOUR_MS = 3_600_000;
/** Clocks of two servers may differ a little. */
const SKEW_MS = 60_000;

export interface Session {
  /** A random id: what the CSRF token is bound to. */
  readonly id: string;
  readonly personId: string;
  readonly programmeId: string;
  /** Epoch milliseconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

const Payload = z.strictObject({
  sid: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  p: PersonId,
  g: ProgrammeId,
  iat: z.int().positive(),
  exp: z.int().positive(),
});

/** HKDF's `info` for the session keys: a label of their own, so they differ from any other use of the keyring. */
export const WEB_SESSION_KEY_INFO = 'isms-review web session v1';
/** Bytes of a derived session key. */
const SESSION_KEY_BYTES = 32;
/** A key id as the reply keyring writes it (1-2 characters a-z, 2-7). */
const KEY_ID = /^[a-z2-7]{1,2}$/;

/** The session keys, by keyring generation: `current` signs, every key verifies. Never log them. */
export interface SessionKeys {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/**
 * The session keys of a reply keyring: HKDF-SHA256 of each generation's key with `info` (default
 * WEB_SESSION_KEY_INFO) and no salt (the keys are uniformly random). WebSettingInvalid when the
 * keyring's current key is not among its keys, or a key is shorter than 32 bytes.
 */
export function deriveSessionKeys(ring: ReplyKeyring, info: string = WEB_SESSION_KEY_INFO): SessionKeys {
  if (!ring.keys.some((k) => k.id === ring.current)) {
    throw new WebSettingInvalid(
      `the reply keyring has no key with its current id "${ring.current.slice(0, 8)}"`,
    );
  }
  const keys = new Map<string, Buffer>();
  for (const { id, key } of ring.keys) {
    if (!KEY_ID.test(id) || key.length < SESSION_KEY_BYTES) {
      throw new WebSettingInvalid(
        `the reply keyring's key "${id.slice(0, 8)}" cannot give a session key: it needs an id of 1-2 characters a-z 2-7 and at least ${SESSION_KEY_BYTES} bytes`,
      );
    }
    keys.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, SESSION_KEY_BYTES)));
  }
  return { current: ring.current, keys };
}

const mac = (key: Buffer, purpose: string, value: string): Buffer =>
  createHmac('sha256', key).update(`${purpose}\u0000${value}`).digest();

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

function fromBase64Url(text: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
}

/** `value` signed under the current key: `<key id>.<HMAC of the purpose, key id and value>`. */
function signed(keys: SessionKeys, purpose: string, value: string): string {
  const key = keys.keys.get(keys.current);
  if (!key) throw new WebSettingInvalid(`the session keys have no key with the current id "${keys.current}"`);
  return `${keys.current}.${mac(key, purpose, `${keys.current}.${value}`).toString('base64url')}`;
}

/** True when `token` is `value` signed for `purpose` under a key the keys still hold. */
function verifies(keys: SessionKeys, purpose: string, value: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length >= 200) return false;
  const [id, signature, ...rest] = token.split('.');
  const key = id === undefined ? undefined : keys.keys.get(id);
  const given = signature === undefined ? undefined : fromBase64Url(signature);
  if (rest.length > 0 || !key || !given) return false;
  return sameBytes(given, mac(key, purpose, `${id}.${value}`));
}

/** A new session for a person, from `now`, for `hours` (at most MAX_SESSION_HOURS). */
export function newSession(
  args: { personId: string; programmeId: string; now: Date },
  hours = SESSION_HOURS,
): Session {
  const life = Math.min(Math.max(hours, 0), MAX_SESSION_HOURS) * HOUR_MS;
  const issuedAt = args.now.getTime();
  return {
    id: randomBytes(16).toString('base64url'),
    personId: args.personId,
    programmeId: args.programmeId,
    issuedAt,
    expiresAt: issuedAt + life,
  };
}

/** The cookie value: `v2.<payload>.<key id>.<signature>`, payload and signature base64url. */
export function sealSession(keys: SessionKeys, session: Session): string {
  const payload = Buffer.from(
    JSON.stringify({
      sid: session.id,
      p: session.personId,
      g: session.programmeId,
      iat: session.issuedAt,
      exp: session.expiresAt,
    }),
  ).toString('base64url');
  return `v2.${payload}.${signed(keys, 'session', payload)}`;
}

/** The session a cookie value holds; SessionInvalid when it is malformed, tampered with or expired. */
export function openSession(keys: SessionKeys, value: string | undefined, now: Date): Session {
  if (!value) throw new SessionInvalid('you are not signed in: ask for a sign-in link on the sign-in page');
  const parts = value.split('.');
  const [version, payload, keyId, signature] = parts;
  if (parts.length !== 4 || version !== 'v2' || !payload || !keyId || !signature) {
    throw new SessionInvalid('your session is not readable: sign in again');
  }
  if (!verifies(keys, 'session', payload, `${keyId}.${signature}`)) {
    throw new SessionInvalid('your session was not issued by this server: sign in again');
  }
  let data: z.infer<typeof Payload>;
  try {
    data = Payload.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new SessionInvalid('your session is not readable: sign in again');
  }
  const at = now.getTime();
  if (data.exp - data.iat > MAX_SESSION_HOURS * HOUR_MS || data.iat > at + SKEW_MS) {
    throw new SessionInvalid('your session is not valid: sign in again');
  }
  if (data.exp <= at) throw new SessionInvalid('your session has ended: sign in again');
  return { id: data.sid, personId: data.p, programmeId: data.g, issuedAt: data.iat, expiresAt: data.exp };
}

/** The CSRF token of a session: what every form of the session carries. */
export function csrfToken(keys: SessionKeys, session: Pick<Session, 'id'>): string {
  return signed(keys, 'csrf', session.id);
}

/** Checks a form's CSRF token against the session; CsrfRejected when missing or wrong. */
export function checkCsrf(keys: SessionKeys, session: Pick<Session, 'id'>, token: unknown): void {
  if (!verifies(keys, 'csrf', session.id, token)) {
    throw new CsrfRejected(
      'this form is out of date or did not come from this site: reload the page and send it again',
    );
  }
}

/** A nonce for forms shown before sign-in (kept in PRE_SESSION_COOKIE). */
export function newPreSessionNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** The CSRF token of a form shown before sign-in, bound to the nonce of its cookie. */
export function preSessionCsrfToken(keys: SessionKeys, nonce: string): string {
  return signed(keys, 'pre-session-csrf', nonce);
}

/** Checks a form shown before sign-in: its token must match the nonce in its cookie. */
export function checkPreSessionCsrf(keys: SessionKeys, nonce: string | undefined, token: unknown): void {
  const valid = nonce !== undefined && /^[A-Za-z0-9_-]{22}$/.test(nonce);
  if (!valid || !verifies(keys, 'pre-session-csrf', nonce, token)) {
    throw new CsrfRejected(
      'this form is out of date or did not come from this site: reload the page and send it again',
    );
  }
}
