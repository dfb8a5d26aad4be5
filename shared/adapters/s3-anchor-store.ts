/**
 * Anchors in the evidence bucket, under Object Lock.
 *
 * `put` is one PutObject with ObjectLockMode COMPLIANCE and ObjectLockRetainUntilDate (the
 * anchor's retainUntil) and a SHA-256 checksum, then one GetObjectRetention to confirm what the
 * store did:
 * - mode COMPLIANCE, retained at least until retainUntil: locked.
 * - the endpoint answers NotImplemented (HTTP 501): it has no Object Lock at all. That is the local
 *   S3 (s3rver accepts the lock headers and ignores them, and answers 501 to GetObjectRetention).
 *   The anchor is kept, reported as not locked, with the reason. With `requireLock` (set
 *   EVIDENCE_REQUIRE_LOCK=true) this is AnchorNotLocked instead.
 * - anything else (no lock, another mode, a shorter date): AnchorNotLocked. On AWS the evidence
 *   bucket has Object Lock enabled, and a PutObject with lock headers into a bucket without it is
 *   refused by S3 itself.
 *
 * IAM: s3:PutObject, s3:PutObjectRetention (for the lock headers), s3:GetObjectRetention,
 * s3:GetObject and s3:ListBucket on the evidence bucket (the `evidence:readWrite` grant).
 */
import {
  GetObjectCommand,
  GetObjectRetentionCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MissingConfiguration } from './dynamodb.ts';
import { s3ClientFromEnv } from './s3-blob-store.ts';
import { sha256Of } from '../store/blob-store.ts';
import {
  Anchor,
  AnchorNotLocked,
  anchorBody,
  anchorKey,
  anchorPrefix,
  parseAnchor,
  type AnchorLock,
  type AnchorStore,
  type StoredAnchor,
} from '../evidence/anchor.ts';
import { parseWith } from '../model/common.ts';

export interface S3AnchorStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Refuse an anchor the store did not lock (default false: report it as not locked). */
  readonly requireLock?: boolean;
}

const isNotImplemented = (error: unknown): boolean => {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotImplemented' || e.Code === 'NotImplemented' || e.$metadata?.httpStatusCode === 501;
};

export class S3AnchorStore implements AnchorStore {
  readonly #client: S3Client;
  readonly bucket: string;
  readonly #requireLock: boolean;

  constructor(options: S3AnchorStoreOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    this.#requireLock = options.requireLock ?? false;
  }

  /** The store on EVIDENCE_BUCKET; EVIDENCE_REQUIRE_LOCK=true refuses an unlocked anchor. */
  static fromEnv(env: Record<string, string | undefined> = process.env): S3AnchorStore {
    const bucket = env.EVIDENCE_BUCKET?.trim();
    if (!bucket) {
      throw new MissingConfiguration(
        'EVIDENCE_BUCKET is not set: set it to the evidence bucket name (the stack sets it on every function; locally `npm start` prints it)',
      );
    }
    return new S3AnchorStore({
      client: s3ClientFromEnv(env),
      bucket,
      requireLock: env.EVIDENCE_REQUIRE_LOCK === 'true',
    });
  }

  get location(): string {
    return `s3://${this.bucket}/anchors/`;
  }

  async put(input: Anchor): Promise<StoredAnchor> {
    const anchor = parseWith(Anchor, input, 'anchor');
    const key = anchorKey(anchor);
    const body = anchorBody(anchor);
    const retainUntil = new Date(anchor.retainUntil);
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ContentLength: body.length,
        ChecksumSHA256: Buffer.from(sha256Of(body), 'hex').toString('base64'),
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: retainUntil,
      }),
    );
    const lock = await this.#lockOf(key, retainUntil);
    if (!lock.locked && (this.#requireLock || !lock.unsupported)) {
      throw new AnchorNotLocked(
        `the anchor s3://${this.bucket}/${key} was written but is not locked: ${lock.note}. ` +
          'Enable Object Lock (COMPLIANCE) on the evidence bucket; the stack does this on AWS.',
      );
    }
    return { key, anchor, body, lock: { locked: lock.locked, note: lock.note } };
  }

  async list(cycleId: string): Promise<StoredAnchor[]> {
    const prefix = anchorPrefix(cycleId);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    const stored: StoredAnchor[] = [];
    for (const key of keys) {
      const result = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = Buffer.from((await result.Body?.transformToByteArray()) ?? new Uint8Array());
      const anchor = parseAnchor(key, body);
      const lock = await this.#lockOf(key, new Date(anchor.retainUntil));
      stored.push({ key, anchor, body, lock: { locked: lock.locked, note: lock.note } });
    }
    return stored;
  }

  async #lockOf(key: string, retainUntil: Date): Promise<AnchorLock & { unsupported: boolean }> {
    try {
      const { Retention } = await this.#client.send(
        new GetObjectRetentionCommand({ Bucket: this.bucket, Key: key }),
      );
      const until = Retention?.RetainUntilDate;
      if (Retention?.Mode !== 'COMPLIANCE') {
        return {
          locked: false,
          unsupported: false,
          note: `its retention mode is ${Retention?.Mode ?? 'none'}, not COMPLIANCE`,
        };
      }
      if (!until || until.getTime() < retainUntil.getTime() - 1000) {
        return {
          locked: false,
          unsupported: false,
          note: `it is retained until ${until?.toISOString() ?? 'no date'}, before ${retainUntil.toISOString()}`,
        };
      }
      return {
        locked: true,
        unsupported: false,
        note: `COMPLIANCE mode until ${until.toISOString()}`,
      };
    } catch (error) {
      if (isNotImplemented(error)) {
        return {
          locked: false,
          unsupported: true,
          note: 'this S3 endpoint does not implement Object Lock (GetObjectRetention answered NotImplemented), as the local S3 does not',
        };
      }
      const name = (error as { name?: string }).name ?? 'Error';
      if (name === 'NoSuchObjectLockConfiguration' || name === 'ObjectLockConfigurationNotFoundError') {
        return { locked: false, unsupported: false, note: 'the object has no retention' };
      }
      throw error;
    }
  }
}

/** The anchor store the runtime environment names (EVIDENCE_BUCKET). */
export function createAnchorStore({ env }: { env: NodeJS.ProcessEnv }): AnchorStore {
  return S3AnchorStore.fromEnv(env);
}
