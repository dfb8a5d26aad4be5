/**
 * Where whole files are kept: raw mail as sent and received, packages, evidence bundles.
 * On AWS an S3 bucket (shared/adapters/s3-blob-store.ts); in unit tests MemoryBlobStore.
 *
 * Keys are relative paths without a leading slash, e.g. `cycles/C-20261001T0800Z-Q/mail/x.eml`.
 * `put` returns the SHA-256 of what was stored (lower-case hex) and its size in bytes, so the
 * caller can record them beside the record the file proves.
 *
 * `putIfAbsent` never replaces what is there: evidence kept at ingest (a raw message, an attachment)
 * is written once. When the key is taken it reads the stored bytes back: the same bytes are "already
 * there" (a retried delivery), other bytes are BlobConflict (nothing is overwritten either way).
 */
import { createHash } from 'node:crypto';

export interface StoredBlob {
  /** SHA-256 of the bytes, 64 lower-case hex characters. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

export interface PutIfAbsentResult extends StoredBlob {
  /** False when the same bytes were already stored under the key. */
  created: boolean;
}

export interface BlobStore {
  put(key: string, body: Buffer, contentType: string): Promise<StoredBlob>;
  /** Stores `body` unless the key is taken; BlobConflict when other bytes are stored there. */
  putIfAbsent(key: string, body: Buffer, contentType: string): Promise<PutIfAbsentResult>;
  /** The bytes stored under `key`; BlobNotFound when there are none. */
  get(key: string): Promise<Buffer>;
}

export class BlobNotFound extends Error {
  override name = 'BlobNotFound' as const;
}

export class InvalidBlobKey extends Error {
  override name = 'InvalidBlobKey' as const;
}

/** Other bytes are already stored under a key that is written once; nothing was overwritten. */
export class BlobConflict extends Error {
  override name = 'BlobConflict' as const;
}

/** What putIfAbsent answers once it found the key taken and read the stored bytes back. */
export function alreadyStored(key: string, body: Buffer, stored: Buffer): PutIfAbsentResult {
  const sha256 = sha256Of(body);
  const storedSha256 = sha256Of(stored);
  if (storedSha256 !== sha256) {
    throw new BlobConflict(
      `${key} already holds other bytes (SHA-256 ${storedSha256}, not ${sha256}); it is written once and was left as it is`,
    );
  }
  return { sha256, size: stored.length, created: false };
}

/** A key is 1 to 1024 characters of [A-Za-z0-9 ! - _ . * ' ( ) /], no leading /, no empty or dot segment. */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  if (
    key.length === 0 ||
    key.length > 1024 ||
    !/^[A-Za-z0-9!_.*'()/-]+$/.test(key) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new InvalidBlobKey(
      `"${key.slice(0, 200)}" is not a valid file key: use letters, digits and ! - _ . * ' ( ) separated by single /, ` +
        'with no empty, "." or ".." part',
    );
  }
}

export function sha256Of(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Blobs kept in memory: for unit tests and tools that need no bucket. Copies in and out. */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, { body: Buffer; contentType: string }>();

  async put(key: string, body: Buffer, contentType: string): Promise<StoredBlob> {
    assertBlobKey(key);
    this.#blobs.set(key, { body: Buffer.from(body), contentType });
    return { sha256: sha256Of(body), size: body.length };
  }

  async putIfAbsent(key: string, body: Buffer, contentType: string): Promise<PutIfAbsentResult> {
    assertBlobKey(key);
    const held = this.#blobs.get(key);
    if (held) return alreadyStored(key, body, held.body);
    return { ...(await this.put(key, body, contentType)), created: true };
  }

  async get(key: string): Promise<Buffer> {
    assertBlobKey(key);
    const blob = this.#blobs.get(key);
    if (blob === undefined) throw new BlobNotFound(`No file is stored under ${key}`);
    return Buffer.from(blob.body);
  }

  /** Keys stored, sorted: lets a test see what was written. */
  keys(): string[] {
    return [...this.#blobs.keys()].sort();
  }

  contentTypeOf(key: string): string | undefined {
    return this.#blobs.get(key)?.contentType;
  }
}
