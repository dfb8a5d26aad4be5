/**
 * The anchoring key of the local stack: an ECDSA P-256 key pair kept in the data folder as PEM
 * (`anchor-signing-key.pem`, mode 0600), created on the first start and reused, so anchors written
 * in earlier runs verify with the same key. A stack without a data folder (tests) keeps a fresh key
 * in memory. The environment carries the private key as ANCHOR_SIGNING_KEY (PKCS#8 PEM), like
 * REPLY_KEY: never log it.
 */
import {
  generateKeyPairSync,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidAnchorKey, type AnchorSigner } from '../evidence/signer.ts';

export const ANCHOR_SIGNING_KEY_FILE = 'anchor-signing-key.pem';

/** A new P-256 private key, PKCS#8 PEM. */
export function newSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return String(privateKey.export({ format: 'pem', type: 'pkcs8' }));
}

/**
 * The data folder's anchoring key (PKCS#8 PEM): read when it is there, created (mode 0600) when it
 * is not. Without a data folder, a fresh key each time.
 */
export async function localSigningKey(dataDir: string | undefined): Promise<string> {
  if (dataDir === undefined) return newSigningKeyPem();
  const file = join(dataDir, ANCHOR_SIGNING_KEY_FILE);
  try {
    const stored = await readFile(file, 'utf8');
    new FileSigner(stored, file);
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fresh = newSigningKeyPem();
  await writeFile(file, fresh, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    // Another process created it first: use theirs.
    if (error.code !== 'EEXIST') throw error;
  });
  return readFile(file, 'utf8');
}

/** Signs with a P-256 private key held in this process. */
export class FileSigner implements AnchorSigner {
  readonly #key: KeyObject;
  readonly #public: Buffer;
  readonly description: string;

  constructor(privateKeyPem: string, where = 'the local anchoring key') {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
    } catch (error) {
      throw new InvalidAnchorKey(`${where} is not a PEM private key: ${(error as Error).message}`);
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new InvalidAnchorKey(`${where} is not an ECDSA P-256 key`);
    }
    this.#key = key;
    this.#public = createPublicKey(key).export({ format: 'der', type: 'spki' });
    this.description = where;
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    return cryptoSign('sha256', data, { key: this.#key, dsaEncoding: 'der' });
  }

  async publicKey(): Promise<Buffer> {
    return Buffer.from(this.#public);
  }
}
