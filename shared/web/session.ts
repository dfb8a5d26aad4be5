/**
 * The web session: a cookie value signed with HMAC-SHA256 under the web's session key, naming the
 * person, the programme, when it was issued and when it ends (at most 12 hours later). It is checked
 * in constant time, and the person is looked up in the current programme at every request
 * (shared/web/viewer.ts), so removing someone from the programme ends their session.
 *
 * Every form carries a CSRF token bound to the session (an HMAC of the session's id); forms shown
 * before sign-in carry one bound to a random nonce kept in a short-lived cookie of their own.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
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

/** The session key, checked: at least 32 bytes. */
export function sessionKey(key: Buffer | string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key.trim(), 'hex') : key;
  if (bytes.length < 32 || (typeof key === 'string' && !/^(?:[0-9a-fA-F]{2})+$/.test(key.trim()))) {
    throw new WebSettingInvalid(
      'the web session key must be at least 32 random bytes (64 hex digits); generate one with `openssl rand -hex 32`',
    );
  }
  return bytes;
}

const mac = (key: Buffer, purpose: string, value: string): Buffer =>
  createHmac('sha256', key).update(`${purpose}\u0000${value}`).digest();

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

function fromBase64Url(text: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
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

/** The cookie value: `v1.<payload>.<signature>`, both base64url. */
export function sealSession(key: Buffer, session: Session): string {
  const payload = Buffer.from(
    JSON.stringify({
      sid: session.id,
      p: session.personId,
      g: session.programmeId,
      iat: session.issuedAt,
      exp: session.expiresAt,
    }),
  ).toString('base64url');
  return `v1.${payload}.${mac(key, 'session', payload).toString('base64url')}`;
}

/** The session a cookie value holds; SessionInvalid when it is malformed, tampered with or expired. */
export function openSession(key: Buffer, value: string | undefined, now: Date): Session {
  if (!value) throw new SessionInvalid('you are not signed in: ask for a sign-in link on the sign-in page');
  const parts = value.split('.');
  const [version, payload, signature] = parts;
  const given = signature === undefined ? undefined : fromBase64Url(signature);
  if (parts.length !== 3 || version !== 'v1' || !payload || !given) {
    throw new SessionInvalid('your session is not readable: sign in again');
  }
  if (!sameBytes(given, mac(key, 'session', payload))) {
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
export function csrfToken(key: Buffer, session: Pick<Session, 'id'>): string {
  return mac(key, 'csrf', session.id).toString('base64url');
}

/** Checks a form's CSRF token against the session; CsrfRejected when missing or wrong. */
export function checkCsrf(key: Buffer, session: Pick<Session, 'id'>, token: unknown): void {
  const given = typeof token === 'string' && token.length < 200 ? fromBase64Url(token) : undefined;
  if (!given || !sameBytes(given, mac(key, 'csrf', session.id))) {
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
export function preSessionCsrfToken(key: Buffer, nonce: string): string {
  return mac(key, 'pre-session-csrf', nonce).toString('base64url');
}

/** Checks a form shown before sign-in: its token must match the nonce in its cookie. */
export function checkPreSessionCsrf(key: Buffer, nonce: string | undefined, token: unknown): void {
  const given = typeof token === 'string' && token.length < 200 ? fromBase64Url(token) : undefined;
  const valid = nonce !== undefined && /^[A-Za-z0-9_-]{22}$/.test(nonce);
  if (!given || !valid || !sameBytes(given, mac(key, 'pre-session-csrf', nonce))) {
    throw new CsrfRejected(
      'this form is out of date or did not come from this site: reload the page and send it again',
    );
  }
}
