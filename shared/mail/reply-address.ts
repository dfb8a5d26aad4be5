/**
 * Signed reply addresses: `<local>+<key id>.<id>.<mac>@<inbound domain>`, e.g.
 * `review+c.k7qd3mzx2a.n4xq7b2kd5ym3p6r@reply.example.com`.
 *
 * - `key id`: 1 or 2 characters of lower-case base32 naming the generation of the reply key that
 *   signed it (shared/mail/reply-keyring.ts): keys rotate, and an address is verified with the key
 *   it names for as long as the keyring holds that key.
 * - `id`: 10 random characters of lower-case base32 (RFC 4648 alphabet a-z 2-7, 50 bits). It names
 *   the stored reply token (cycle, purpose, recipient, expiry); nothing secret is in the address.
 * - `mac`: HMAC-SHA256 with the named reply key over the bytes of
 *   `isms-reply-v2 NUL <key id> NUL <id> NUL <recipient, lower-cased> NUL <purpose>`,
 *   truncated to its first 10 bytes and written as 16 characters of lower-case base32 (80 bits).
 *   The NUL separators keep the fields apart, so no two different (id, recipient, purpose) triples
 *   sign the same bytes. The recipient is whatever the stored token names (e.g. the person id);
 *   the same value must be given when signing and when verifying.
 *
 * The whole local part is `<local>+` + 2 + `.` + 10 + `.` + 16 characters at most, so `<local>` may
 * have at most 33 characters to stay within the 64 characters RFC 5321 allows. Addresses are compared
 * without regard to case, because some mail servers lower-case (or upper-case) what they pass on.
 *
 * Addresses written before key ids existed, `<local>+<id>.<mac>@<domain>` with the MAC over
 * `isms-reply-v1 NUL <id> NUL <recipient> NUL <purpose>`, are still read: they name no key, and
 * are verified with the first generation (the key the stack held as a single hex value).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  LEGACY_REPLY_KEY_ID,
  REPLY_KEY_ID_PATTERN,
  signingKey,
  verifyingKey,
  type ReplyKeyring,
} from './reply-keyring.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_DOMAIN_V1 = 'isms-reply-v1';
const MAC_DOMAIN = 'isms-reply-v2';

export const REPLY_ID_LENGTH = 10;
export const REPLY_MAC_LENGTH = 16;
/** The longest key id (shared/mail/reply-keyring.ts). */
export const REPLY_KEY_ID_MAX_LENGTH = 2;
/** RFC 5321: a local part has at most 64 octets. */
export const MAX_LOCAL_PART = 64;
/** The longest `<local>` that leaves room for `+<id>.<mac>`. */
export const MAX_REPLY_LOCAL_PREFIX =
  MAX_LOCAL_PART - 1 - REPLY_KEY_ID_MAX_LENGTH - 1 - REPLY_ID_LENGTH - 1 - REPLY_MAC_LENGTH;
/** Shortest reply key accepted: 128 bits (32 bytes, 256 bits, is what the stack generates). */
export const MIN_REPLY_KEY_BYTES = 16;

const ID_PATTERN = new RegExp(`^[a-z2-7]{${REPLY_ID_LENGTH}}$`);
const MAC_PATTERN = new RegExp(`^[a-z2-7]{${REPLY_MAC_LENGTH}}$`);
const LOCAL_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]|\.(?!\.))*$/;
const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A reply address setting or part (local part, domain, key, id) that cannot make a valid address. */
export class InvalidReplyAddressSetting extends Error {
  override name = 'InvalidReplyAddressSetting' as const;
}

/** The address is not of the form `<local>+<id>.<mac>@<domain>`. */
export class MalformedReplyAddress extends Error {
  override name = 'MalformedReplyAddress' as const;
}

/** The address is well formed but belongs to another local part or domain than ours. */
export class ForeignReplyAddress extends Error {
  override name = 'ForeignReplyAddress' as const;
}

export interface ReplyAddressParts {
  /** The key generation the address names; absent in an address written before key ids. */
  readonly keyId?: string;
  readonly id: string;
  readonly mac: string;
}

export interface SignInput {
  /** The key's id, signed with the rest; absent: the address form without a key id. */
  readonly keyId?: string | undefined;
  readonly id: string;
  readonly key: Buffer;
  readonly purpose: string;
  readonly recipient: string;
}

/** Lower-case RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** A new reply id: 10 characters of lower-case base32 from 50 random bits. */
export function newReplyId(random: (size: number) => Buffer = randomBytes): string {
  const id = base32(random(7)).slice(0, REPLY_ID_LENGTH);
  if (!ID_PATTERN.test(id)) throw new InvalidReplyAddressSetting('the random source returned too few bytes');
  return id;
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length < MIN_REPLY_KEY_BYTES) {
    throw new InvalidReplyAddressSetting(
      `the reply key must be at least ${MIN_REPLY_KEY_BYTES} bytes; generate 32 random bytes`,
    );
  }
}

function checkSignedField(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) {
    throw new InvalidReplyAddressSetting(`the ${what} to sign must be non-empty text without NUL characters`);
  }
}

/** The MAC of an id for a recipient and purpose, as it appears in the address. */
export function replyMac({ keyId, id, key, purpose, recipient }: SignInput): string {
  checkKey(key);
  if (keyId !== undefined && !REPLY_KEY_ID_PATTERN.test(keyId)) {
    throw new InvalidReplyAddressSetting(`a key id is 1 or 2 characters of a-z and 2-7; got "${keyId}"`);
  }
  if (!ID_PATTERN.test(id)) {
    throw new InvalidReplyAddressSetting(
      `a reply id is ${REPLY_ID_LENGTH} characters of a-z and 2-7; got "${id}"`,
    );
  }
  checkSignedField('purpose', purpose);
  checkSignedField('recipient', recipient);
  const signed =
    keyId === undefined
      ? `${MAC_DOMAIN_V1}\0${id}\0${recipient.toLowerCase()}\0${purpose}`
      : `${MAC_DOMAIN}\0${keyId}\0${id}\0${recipient.toLowerCase()}\0${purpose}`;
  const digest = createHmac('sha256', key).update(signed, 'utf8').digest();
  return base32(digest.subarray(0, 10));
}

function checkLocalPrefix(localPart: string): string {
  const local = localPart.toLowerCase();
  if (local.length === 0 || local.length > MAX_REPLY_LOCAL_PREFIX || !LOCAL_PREFIX_PATTERN.test(local)) {
    throw new InvalidReplyAddressSetting(
      `the reply local part "${localPart}" must be 1 to ${MAX_REPLY_LOCAL_PREFIX} characters of a-z, 0-9, "-" and single "." (starting with a letter or digit) so the address stays within ${MAX_LOCAL_PART} characters`,
    );
  }
  return local;
}

function checkDomain(domain: string): string {
  const lower = domain.toLowerCase();
  if (!DOMAIN_PATTERN.test(lower)) {
    throw new InvalidReplyAddressSetting(`"${domain}" is not a domain name such as reply.example.com`);
  }
  return lower;
}

/** The reply address for a stored id, signed for its recipient and purpose. */
export function encodeReplyAddress(input: {
  localPart: string;
  keyId?: string;
  id: string;
  key: Buffer;
  purpose: string;
  recipient: string;
  domain: string;
}): string {
  const local = checkLocalPrefix(input.localPart);
  const domain = checkDomain(input.domain);
  const mac = replyMac(input);
  return `${local}+${input.keyId === undefined ? '' : `${input.keyId}.`}${input.id}.${mac}@${domain}`;
}

/** The reply address for a stored id, signed with the keyring's current key and naming it. */
export function signReplyAddress(input: {
  keys: ReplyKeyring;
  localPart: string;
  id: string;
  purpose: string;
  recipient: string;
  domain: string;
}): string {
  const { id: keyId, key } = signingKey(input.keys);
  return encodeReplyAddress({ ...input, keyId, key });
}

/**
 * True when the decoded address's MAC is right for this recipient and purpose under the key it
 * names (an address without a key id: the first generation). False when the keyring does not hold
 * that key (unknown, or dropped because every token it signed has expired).
 */
export function verifyReplyAddress(input: {
  keys: ReplyKeyring;
  parts: ReplyAddressParts;
  purpose: string;
  recipient: string;
}): boolean {
  const key = verifyingKey(input.keys, input.parts.keyId ?? LEGACY_REPLY_KEY_ID);
  if (!key) return false;
  return verifyReplyMac({
    keyId: input.parts.keyId,
    id: input.parts.id,
    mac: input.parts.mac,
    key,
    purpose: input.purpose,
    recipient: input.recipient,
  });
}

/**
 * Reads `<local>+<key id>.<id>.<mac>@<domain>` or `<local>+<id>.<mac>@<domain>` (any case) and
 * returns the key id (when there is one), the id and the MAC in lower case.
 * Throws MalformedReplyAddress when the address has another shape, ForeignReplyAddress when it is
 * addressed to another local part or domain. It does not check the MAC: see verifyReplyMac.
 */
export function decodeReplyAddress(
  address: string,
  { localPart, domain }: { localPart: string; domain: string },
): ReplyAddressParts {
  const ourLocal = checkLocalPrefix(localPart);
  const ourDomain = checkDomain(domain);
  if (typeof address !== 'string' || address.length > 320) {
    throw new MalformedReplyAddress('a reply address is an email address of at most 320 characters');
  }
  const lower = address.toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0 || at === lower.length - 1) {
    throw new MalformedReplyAddress(`"${address}" is not an email address`);
  }
  const local = lower.slice(0, at);
  const addressDomain = lower.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus < 0) {
    throw new MalformedReplyAddress(`"${address}" carries no reply token (expected ${ourLocal}+<token>@...)`);
  }
  const prefix = local.slice(0, plus);
  if (prefix !== ourLocal || addressDomain !== ourDomain) {
    throw new ForeignReplyAddress(`"${address}" is not a reply address of ${ourLocal}+...@${ourDomain}`);
  }
  if (local.length > MAX_LOCAL_PART) {
    throw new MalformedReplyAddress(
      `the local part of "${address}" is longer than ${MAX_LOCAL_PART} characters`,
    );
  }
  const fields = local.slice(plus + 1).split('.');
  const [keyId, id, mac] = fields.length === 3 ? fields : [undefined, ...fields];
  if (
    fields.length < 2 ||
    fields.length > 3 ||
    (keyId !== undefined && !REPLY_KEY_ID_PATTERN.test(keyId)) ||
    !ID_PATTERN.test(id ?? '') ||
    !MAC_PATTERN.test(mac ?? '')
  ) {
    throw new MalformedReplyAddress(
      `the token in "${address}" is not <${REPLY_ID_LENGTH} characters>.<${REPLY_MAC_LENGTH} characters> (after a key id of 1-2 characters and a dot) of a-z and 2-7`,
    );
  }
  return { ...(keyId === undefined ? {} : { keyId }), id: id!, mac: mac! };
}

/**
 * True when `mac` is the MAC of `id` for this recipient and purpose. Compares in constant time.
 * A MAC of the wrong shape is simply not valid (false).
 */
export function verifyReplyMac(input: SignInput & { mac: string }): boolean {
  const expected = Buffer.from(replyMac(input), 'ascii');
  const given = Buffer.from(typeof input.mac === 'string' ? input.mac.toLowerCase() : '', 'utf8');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
