/**
 * The reply keyring: every generation of the HMAC key that signs reply addresses.
 *
 * Stored as JSON (the Secrets Manager secret on AWS, the data folder locally):
 * ```json
 * { "format": "isms-review/reply-keyring@1", "current": "c",
 *   "keys": [ { "id": "b", "key": "<64 hex>", "retiredAt": "2027-01-01T00:00:00.000Z" },
 *             { "id": "c", "key": "<64 hex>", "createdAt": "2026-10-01T00:00:00.000Z" },
 *             { "id": "d", "key": "<64 hex>", "createdAt": "2027-01-01T00:00:00.000Z" } ] }
 * ```
 * - `current` signs new addresses. Every key in `keys` verifies the addresses that name it.
 * - A key newer than `current` (neither current nor retired) is published but does not sign yet:
 *   rotation adds a key one period before it starts signing, so every verifier that read the
 *   keyring during that period (a warm function keeps what it read at its start) already knows it
 *   when the first address signed with it comes back.
 * - A retired key stopped signing at `retiredAt`; rotation drops it once every token it can have
 *   signed has expired (MAX_REPLY_TOKEN_DAYS after it retired).
 * - Key ids are 1 or 2 characters of lower-case base32: the generation number (1 to 1023) in base32
 *   digits (a = 0), so generation 1 is `b`, 2 is `c`, 32 is `ba`. Each rotation takes the next
 *   generation (1023 rotations last 255 years at the stack's 90-day period).
 *
 * The single hex key the stack used to store (64 hex characters) reads as a keyring of one
 * generation, `b` (LEGACY_REPLY_KEY_ID), so deployed stacks keep working and addresses sent before
 * key ids existed still verify with it.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';

export const REPLY_KEYRING_FORMAT = 'isms-review/reply-keyring@1';
/** The key id of the first generation, and of a key stored in the old single-hex form. */
export const LEGACY_REPLY_KEY_ID = 'b';
/** No reply token lives longer than this; a retired key is kept this long after it stopped signing. */
export const MAX_REPLY_TOKEN_DAYS = 400;
/** Bytes of a key that rotation generates. */
export const REPLY_KEY_BYTES = 32;

const DAY = 86_400_000;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MAX_GENERATION = 32 * 32 - 1;
export const REPLY_KEY_ID_PATTERN = /^[a-z2-7]{1,2}$/;

/** The keyring's text (secret value, key file, REPLY_KEY) is not a keyring. */
export class InvalidReplyKeyring extends Error {
  override name = 'InvalidReplyKeyring' as const;
}

export interface ReplyKeyGeneration {
  readonly id: string;
  readonly key: Buffer;
  /** When rotation made it (absent for a key from the single-hex form). */
  readonly createdAt?: string;
  /** When it stopped signing (absent while current or not yet current). */
  readonly retiredAt?: string;
}

export interface ReplyKeyring {
  /** The id of the key that signs new addresses. */
  readonly current: string;
  readonly keys: readonly ReplyKeyGeneration[];
}

const HexKey = z
  .string()
  .regex(/^[0-9a-f]{32,}$/, { error: 'expected a key of at least 32 lower-case hex characters' })
  .refine((hex) => hex.length % 2 === 0, { error: 'expected an even number of hex characters' });
const Timestamp = z.iso.datetime({ error: 'expected a UTC timestamp such as 2026-10-01T00:00:00.000Z' });

const KeyringJson = z
  .strictObject({
    format: z.literal(REPLY_KEYRING_FORMAT, { error: `expected format "${REPLY_KEYRING_FORMAT}"` }),
    current: z.string().regex(REPLY_KEY_ID_PATTERN, { error: 'expected a key id of 1-2 characters a-z 2-7' }),
    keys: z
      .array(
        z.strictObject({
          id: z
            .string()
            .regex(REPLY_KEY_ID_PATTERN, { error: 'expected a key id of 1-2 characters a-z 2-7' }),
          key: HexKey,
          createdAt: z.optional(Timestamp),
          retiredAt: z.optional(Timestamp),
        }),
      )
      .min(1, { error: 'a keyring holds at least one key' }),
  })
  .superRefine((ring, ctx) => {
    const ids = ring.keys.map((k) => k.id);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: 'two keys have the same id' });
    }
    const current = ring.keys.find((k) => k.id === ring.current);
    if (!current) {
      ctx.addIssue({
        code: 'custom',
        path: ['current'],
        message: `no key has the current id "${ring.current}"`,
      });
    } else if (current.retiredAt) {
      ctx.addIssue({ code: 'custom', path: ['current'], message: 'the current key is marked retired' });
    }
  });

/** The key id of generation `n` (1 to 1023). */
export function replyKeyIdOf(generation: number): string {
  if (!Number.isInteger(generation) || generation < 1 || generation > MAX_GENERATION) {
    throw new InvalidReplyKeyring(`a key generation is a whole number from 1 to ${MAX_GENERATION}`);
  }
  const high = Math.floor(generation / 32);
  return (high > 0 ? BASE32[high]! : '') + BASE32[generation % 32]!;
}

/** The generation a key id names. */
export function generationOf(id: string): number {
  if (!REPLY_KEY_ID_PATTERN.test(id)) throw new InvalidReplyKeyring(`"${id}" is not a key id`);
  return [...id].reduce((n, ch) => n * 32 + BASE32.indexOf(ch), 0);
}

/** A keyring of one key (tests, and the single-hex form). */
export function singleKeyring(key: Buffer, id: string = LEGACY_REPLY_KEY_ID): ReplyKeyring {
  if (!REPLY_KEY_ID_PATTERN.test(id)) throw new InvalidReplyKeyring(`"${id}" is not a key id`);
  return { current: id, keys: [{ id, key: Buffer.from(key) }] };
}

/**
 * Reads a keyring: the JSON form, or a single key of at least 32 hex characters (generation 1).
 * The error names what is wrong, never the key.
 */
export function parseReplyKeyring(text: string): ReplyKeyring {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (/^[0-9a-fA-F]+$/.test(trimmed)) {
    const parsed = HexKey.safeParse(trimmed.toLowerCase());
    if (!parsed.success) {
      throw new InvalidReplyKeyring(`the reply key is too short: ${parsed.error.issues[0]!.message}`);
    }
    return singleKeyring(Buffer.from(parsed.data, 'hex'));
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new InvalidReplyKeyring(
      'the reply key is neither a keyring (JSON) nor a key of at least 32 hex characters',
    );
  }
  const parsed = KeyringJson.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'keyring'}: ${i.message}`);
    throw new InvalidReplyKeyring(`the reply keyring is not valid: ${issues.join('; ')}`);
  }
  return {
    current: parsed.data.current,
    keys: parsed.data.keys.map((k) => ({
      id: k.id,
      key: Buffer.from(k.key, 'hex'),
      ...(k.createdAt ? { createdAt: k.createdAt } : {}),
      ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
    })),
  };
}

/** True when `text` reads as a keyring (either stored form). */
export function isReplyKeyring(text: string): boolean {
  try {
    parseReplyKeyring(text);
    return true;
  } catch (error) {
    if (error instanceof InvalidReplyKeyring) return false;
    throw error;
  }
}

/** The keyring as stored (JSON, keys in hex). Secret: never log it. */
export function serializeReplyKeyring(ring: ReplyKeyring): string {
  const text = JSON.stringify({
    format: REPLY_KEYRING_FORMAT,
    current: ring.current,
    keys: ring.keys.map((k) => ({
      id: k.id,
      key: k.key.toString('hex'),
      ...(k.createdAt ? { createdAt: k.createdAt } : {}),
      ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
    })),
  });
  parseReplyKeyring(text);
  return text;
}

/** The key that signs new addresses, with its id. */
export function signingKey(ring: ReplyKeyring): { id: string; key: Buffer } {
  const current = ring.keys.find((k) => k.id === ring.current);
  if (!current) throw new InvalidReplyKeyring(`the keyring has no key with the current id "${ring.current}"`);
  return { id: current.id, key: current.key };
}

/** The key an address names, or undefined when the keyring does not hold it (any more). */
export function verifyingKey(ring: ReplyKeyring, id: string): Buffer | undefined {
  return ring.keys.find((k) => k.id === id)?.key;
}

/**
 * One rotation step: the published key (if any) starts signing and the key that signed until now
 * retires; a new key is published for the next rotation; retired keys whose tokens have all
 * expired are dropped. Pure apart from the random source.
 */
export function rotateReplyKeyring(
  ring: ReplyKeyring,
  options: { now: Date; random?: (size: number) => Buffer; maxTokenDays?: number },
): ReplyKeyring {
  const now = options.now.toISOString();
  const random = options.random ?? randomBytes;
  const keepMs = (options.maxTokenDays ?? MAX_REPLY_TOKEN_DAYS) * DAY;
  const currentGeneration = generationOf(ring.current);
  const published = ring.keys
    .filter((k) => !k.retiredAt && k.id !== ring.current && generationOf(k.id) > currentGeneration)
    .sort((a, b) => generationOf(a.id) - generationOf(b.id))[0];
  const nextCurrent = published?.id ?? ring.current;
  let keys: ReplyKeyGeneration[] = ring.keys.map((k) =>
    published && k.id === ring.current ? { ...k, retiredAt: now } : k,
  );
  keys = keys.filter((k) => !k.retiredAt || options.now.getTime() - Date.parse(k.retiredAt) < keepMs);
  const generation = Math.max(...keys.map((k) => generationOf(k.id))) + 1;
  if (generation > MAX_GENERATION) {
    throw new InvalidReplyKeyring(`every key id up to generation ${MAX_GENERATION} has been used`);
  }
  const key = random(REPLY_KEY_BYTES);
  if (!Buffer.isBuffer(key) || key.length < REPLY_KEY_BYTES) {
    throw new InvalidReplyKeyring('the random source returned too few bytes for a new key');
  }
  keys.push({ id: replyKeyIdOf(generation), key: Buffer.from(key), createdAt: now });
  return { current: nextCurrent, keys };
}
