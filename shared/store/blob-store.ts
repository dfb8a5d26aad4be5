/**
 * Where whole files are kept: raw mail as sent and received, packages, evidence bundles.
 * On AWS an S3 bucket (shared/adapters/s3-blob-store.ts); in unit tests MemoryBlobStore.
 *
 * Keys are relative paths without a leading slash, e.g. `cycles/C-20261001T0800Z-Q/mail/x.eml`.
 * `put` returns the SHA-256 of what was stored (lower-case hex) and its size in bytes, so the
 * caller can record them beside the record the file proves.
 */
import { createHash } from 'node:crypto';

export interface StoredBlob {
  /** SHA-256 of the bytes, 64 lower-case hex characters. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

export interface BlobStore {
  put(key: string, body: Buffer, contentType: string): Promise<StoredBlob>;
  /** The bytes stored under `key`; BlobNotFound when there are none. */
  get(key: string): Promise<Buffer>;
}

export class BlobNotFound extends Error {
  override name = 'BlobNotFound' as const;
}

export class InvalidBlobKey extends Error {
  override name = 'InvalidBlobKey' as const;
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
