/**
 * Anchors in the evidence bucket, under Object Lock, never overwritten.
 *
 * `put` is one PutObject with `If-None-Match: *` (S3 conditional write: refused with 412 when the
 * key exists; the bucket policy denies writes to `anchors/*` without it), ObjectLockMode COMPLIANCE
 * and ObjectLockRetainUntilDate (the anchor's retainUntil) and a SHA-256 checksum, then one
 * GetObjectRetention to confirm what the store did:
 * - mode COMPLIANCE, retained at least until retainUntil: locked.
 * - the endpoint answers NotImplemented (HTTP 501): it has no Object Lock at all. That is the local
 *   S3 (s3rver accepts the lock headers and ignores them, and answers 501 to GetObjectRetention).
 *   The anchor is kept, reported as not locked, with the reason. With `requireLock` (set
 *   EVIDENCE_REQUIRE_LOCK=true) this is AnchorNotLocked instead.
 * - anything else (no lock, another mode, a shorter date): AnchorNotLocked. On AWS the evidence
 *   bucket has Object Lock enabled, and a PutObject with lock headers into a bucket without it is
 *   refused by S3 itself.
 * A 412 (or 409, a concurrent conditional write) means "already anchored": the stored anchor is read
 * and returned, and nothing is written.
 *
 * `list` reads every version of every anchor object (ListObjectVersions): each anchor is returned as
 * first written (its oldest version), with the number of versions and delete markers found, which
 * verification requires to be one and zero. An endpoint without versions (the local S3 answers
 * MethodNotAllowed) is listed with ListObjectsV2 and its anchors carry no history.
 *
 * The local S3 (s3rver) ignores If-None-Match on PUT. With `emulated` (ISMS_S3_EMULATED=true, which
 * only the local stack sets) the store checks with a HEAD first and does not write when the key
 * exists; that check and the write are two requests, so it is not atomic the way S3's conditional
 * write is. On AWS the header is always sent and S3 itself refuses the second write.
 *
 * IAM: s3:PutObject and s3:PutObjectRetention on `anchors/*`, s3:GetObject, s3:GetObjectVersion,
 * s3:GetObjectRetention, s3:ListBucket and s3:ListBucketVersions on the evidence bucket.
 */
import {
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MissingConfiguration } from './configuration.ts';
import { isKeyTaken, s3ClientFromEnv } from './s3-blob-store.ts';
import { sha256Of } from '../store/blob-store.ts';
import {
  AnchorNotLocked,
  anchorBody,
  InvalidAnchor,
  anchorKey,
  anchorPrefix,
  parseAnchor,
  SignedAnchor,
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
  /**
   * The endpoint is the local S3, which ignores If-None-Match on PUT: check with HEAD first
   * (default false; never on AWS).
   */
  readonly emulated?: boolean;
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

const isMethodNotAllowed = (error: unknown): boolean =>
  (error as { name?: string }).name === 'MethodNotAllowed' || statusOf(error) === 405;

const isNotFound = (error: unknown): boolean => {
  const name = (error as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(error) === 404;
};

const isNotImplemented = (error: unknown): boolean => {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotImplemented' || e.Code === 'NotImplemented' || e.$metadata?.httpStatusCode === 501;
};

export class S3AnchorStore implements AnchorStore {
  readonly #client: S3Client;
  readonly bucket: string;
  readonly #requireLock: boolean;
  readonly #emulated: boolean;

  constructor(options: S3AnchorStoreOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    this.#requireLock = options.requireLock ?? false;
    this.#emulated = options.emulated ?? false;
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
      emulated: env.ISMS_S3_EMULATED === 'true',
    });
  }

  get location(): string {
    return `s3://${this.bucket}/anchors/`;
  }

  async put(input: SignedAnchor): Promise<StoredAnchor> {
    const anchor = parseWith(SignedAnchor, input, 'anchor');
    const key = anchorKey(anchor);
    const body = anchorBody(anchor);
    const retainUntil = new Date(anchor.retainUntil);
    if (this.#emulated && (await this.#exists(key))) return this.#read(key);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          IfNoneMatch: '*',
          ContentType: 'application/json',
          ContentLength: body.length,
          ChecksumSHA256: Buffer.from(sha256Of(body), 'hex').toString('base64'),
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: retainUntil,
        }),
      );
    } catch (error) {
      if (isKeyTaken(error)) return this.#read(key);
      throw error;
    }
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
    const versions = await this.#versions(prefix);
    if (!versions) return this.#listLatest(prefix);
    const stored: StoredAnchor[] = [];
    for (const [key, history] of [...versions.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const oldest = history.versions[0];
      if (!oldest) {
        // Only delete markers under the key: the anchor itself was deleted.
        throw new InvalidAnchor(
          `s3://${this.bucket}/${key} holds only ${history.deleteMarkers} delete marker(s): the anchor written there was deleted`,
        );
      }
      stored.push(
        await this.#read(key, oldest, {
          versions: history.versions.length,
          deleteMarkers: history.deleteMarkers,
        }),
      );
    }
    return stored;
  }

  /** Every version id (oldest first) and delete-marker count per key; undefined without versioning. */
  async #versions(
    prefix: string,
  ): Promise<Map<string, { versions: string[]; deleteMarkers: number }> | undefined> {
    const found = new Map<string, { versions: { id: string; at: number }[]; deleteMarkers: number }>();
    const entry = (key: string) => {
      let held = found.get(key);
      if (!held) found.set(key, (held = { versions: [], deleteMarkers: 0 }));
      return held;
    };
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
          }),
        );
        for (const version of page.Versions ?? []) {
          if (!version.Key) continue;
          entry(version.Key).versions.push({
            id: version.VersionId ?? 'null',
            at: version.LastModified?.getTime() ?? 0,
          });
        }
        for (const marker of page.DeleteMarkers ?? []) if (marker.Key) entry(marker.Key).deleteMarkers += 1;
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker);
    } catch (error) {
      // The local S3 keeps no versions: it answers ListObjectVersions with MethodNotAllowed (405).
      if (isNotImplemented(error) || isMethodNotAllowed(error)) return undefined;
      throw error;
    }
    return new Map(
      [...found.entries()].map(([key, held]) => [
        key,
        {
          versions: [...held.versions].sort((a, b) => a.at - b.at).map((v) => v.id),
          deleteMarkers: held.deleteMarkers,
        },
      ]),
    );
  }

  async #listLatest(prefix: string): Promise<StoredAnchor[]> {
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
    for (const key of keys) stored.push(await this.#read(key));
    return stored;
  }

  async #exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async #read(key: string, versionId?: string, history?: StoredAnchor['history']): Promise<StoredAnchor> {
    const result = await this.#client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(versionId && versionId !== 'null' ? { VersionId: versionId } : {}),
      }),
    );
    const body = Buffer.from((await result.Body?.transformToByteArray()) ?? new Uint8Array());
    const anchor = parseAnchor(key, body);
    const lock = await this.#lockOf(key, new Date(anchor.retainUntil));
    return {
      key,
      anchor,
      body,
      lock: { locked: lock.locked, note: lock.note },
      ...(history ? { history } : {}),
    };
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
