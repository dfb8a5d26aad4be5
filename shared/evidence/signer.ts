/**
 * The anchoring key: an asymmetric key (ECDSA on NIST P-256, SHA-256) that signs every anchor and
 * bundle manifest. On AWS it is a KMS key whose policy lets only the anchoring function sign
 * (shared/adapters/kms-signer.ts); on the local stack it is a key pair in the data folder
 * (shared/adapters/file-signer.ts). Verification needs only the public key and node:crypto.
 *
 * The key is named by its fingerprint: the SHA-256 of its public key in SPKI DER form, lower-case
 * hex. People compare it grouped, `SHA256:ab12 cd34 …` (formatFingerprint).
 *
 * Signatures are DER-encoded ECDSA signatures (what KMS returns, and what node:crypto makes and
 * checks by default).
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** The one signing scheme used: ECDSA P-256 over SHA-256, DER signature. */
export const SIGNING_ALGORITHM = 'ECDSA_P256_SHA256' as const;

/** Who can sign anchors: only the anchoring step holds one. */
export interface AnchorSigner {
  /** An ECDSA P-256 / SHA-256 signature (DER) over `data`. */
  sign(data: Uint8Array): Promise<Buffer>;
  /** The public key, SPKI DER. */
  publicKey(): Promise<Buffer>;
  /** Where the key lives, for messages (a KMS key ARN, a file path); never secret material. */
  readonly description: string;
}

/** The public half of the anchoring key as an auditor receives it. */
export interface AnchorKey {
  /** SPKI DER. */
  readonly spki: Buffer;
  /** SHA-256 of the SPKI DER, 64 lower-case hex characters. */
  readonly fingerprint: string;
  /** PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly pem: string;
}

/** A public key that is not an ECDSA P-256 key, or not a key at all. */
export class InvalidAnchorKey extends Error {
  override name = 'InvalidAnchorKey' as const;
}

/** The signer failed: the key is missing, disabled or not allowed to this caller. */
export class SigningFailed extends Error {
  override name = 'SigningFailed' as const;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

/** The fingerprint of a public key (SPKI DER): SHA-256, lower-case hex. */
export function fingerprintOf(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}

/** `SHA256:ab12 cd34 …` (16 groups of four), the form people read aloud and compare. */
export function formatFingerprint(fingerprint: string): string {
  return `SHA256:${(fingerprint.match(/.{1,4}/g) ?? []).join(' ')}`;
}

/**
 * A fingerprint as a person may type it: 64 hex characters, optionally with the `SHA256:` prefix,
 * spaces or colons between groups, any case. Undefined when it is not one.
 */
export function parseFingerprint(text: string): string | undefined {
  const cleaned = text
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
  return FINGERPRINT.test(cleaned) ? cleaned : undefined;
}

function ecP256(key: KeyObject, where: string): KeyObject {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new InvalidAnchorKey(
      `${where} is a ${key.asymmetricKeyType ?? 'unknown'} key${details?.namedCurve ? ` on ${details.namedCurve}` : ''}; the anchoring key is ECDSA on NIST P-256`,
    );
  }
  return key;
}

/** The anchor key from its SPKI DER bytes. InvalidAnchorKey when it is not a P-256 public key. */
export function anchorKeyFromSpki(spki: Uint8Array, where = 'the public key'): AnchorKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new InvalidAnchorKey(`${where} is not a public key (SPKI DER): ${(error as Error).message}`);
  }
  ecP256(key, where);
  const der = key.export({ format: 'der', type: 'spki' });
  return {
    spki: der,
    fingerprint: fingerprintOf(der),
    pem: String(key.export({ format: 'pem', type: 'spki' })),
  };
}

/** The anchor key from a PEM public key. InvalidAnchorKey when it is not a P-256 public key. */
export function anchorKeyFromPem(pem: string, where = 'the public key'): AnchorKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new InvalidAnchorKey(`${where} is not a PEM public key: ${(error as Error).message}`);
  }
  if (key.type !== 'public') throw new InvalidAnchorKey(`${where} is not a public key`);
  return anchorKeyFromSpki(key.export({ format: 'der', type: 'spki' }), where);
}

/** The signer's public key with its fingerprint. */
export async function anchorKeyOf(signer: AnchorSigner): Promise<AnchorKey> {
  return anchorKeyFromSpki(await signer.publicKey(), `the public key of ${signer.description}`);
}

/** True when `signature` (DER, or base64 of it) is a valid signature of `data` by `key`. */
export function verifySignature(key: AnchorKey, data: Uint8Array, signature: Uint8Array | string): boolean {
  const bytes = typeof signature === 'string' ? Buffer.from(signature, 'base64') : Buffer.from(signature);
  if (bytes.length === 0) return false;
  try {
    return cryptoVerify('sha256', data, { key: key.spki, format: 'der', type: 'spki' }, bytes);
  } catch {
    // A malformed DER signature is not a valid one.
    return false;
  }
}
