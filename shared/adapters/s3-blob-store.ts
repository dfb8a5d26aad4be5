/**
 * BlobStore on an S3 bucket.
 *
 * Every put carries ChecksumSHA256: S3 refuses the object if the bytes it received differ from
 * the bytes we hashed, and a bucket with Object Lock (the evidence bucket) requires an integrity
 * checksum on every put. Path-style addressing when ISMS_S3_FORCE_PATH_STYLE=true (the local S3).
 * The endpoint is the SDK's own business (AWS_ENDPOINT_URL_S3 locally).
 *
 * `putIfAbsent` is one PutObject with `If-None-Match: *` (an S3 conditional write: 412 when the key
 * exists, 409 when another conditional write to it is under way); either way the stored object is
 * read back and compared by SHA-256. The local S3 (s3rver) ignores If-None-Match and would
 * overwrite: with `emulated` (ISMS_S3_EMULATED=true, set only by the local stack) the store reads
 * first and puts only when nothing is there. That is not atomic (two writers could both find the key
 * free), which the local stack accepts; on AWS the header decides.
 */
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { MissingConfiguration } from './configuration.ts';
import {
  alreadyStored,
  assertBlobKey,
  BlobNotFound,
  sha256Of,
  type BlobStore,
  type PutIfAbsentResult,
  type StoredBlob,
} from '../store/blob-store.ts';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** The local S3 emulator, which ignores If-None-Match (see the module note). */
  emulated?: boolean;
}

/** S3 refused a conditional write (`If-None-Match: *`) because the key is taken (412, or 409 in a race). */
export function isKeyTaken(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  return (
    e?.name === 'PreconditionFailed' ||
    e?.Code === 'PreconditionFailed' ||
    e?.name === 'ConditionalRequestConflict' ||
    status === 412 ||
    status === 409
  );
}

/** The S3 client the runtime environment asks for. */
export function s3ClientFromEnv(
  env: Record<string, string | undefined> = process.env,
  config: S3ClientConfig = {},
): S3Client {
  return new S3Client({ forcePathStyle: env.ISMS_S3_FORCE_PATH_STYLE === 'true', ...config });
}

export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly bucket: string;
  readonly #emulated: boolean;

  constructor(options: S3BlobStoreOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    this.#emulated = options.emulated ?? false;
  }

  /** A store on the bucket named by an environment variable, e.g. EVIDENCE_BUCKET. */
  static fromEnv(
    variable: 'EVIDENCE_BUCKET' | 'RAW_MAIL_BUCKET',
    env: Record<string, string | undefined> = process.env,
  ): S3BlobStore {
    const bucket = env[variable]?.trim();
    if (!bucket) {
      throw new MissingConfiguration(
        `${variable} is not set: set it to the bucket name (the stack sets it on every function; locally \`npm start\` prints it)`,
      );
    }
    return new S3BlobStore({
      client: s3ClientFromEnv(env),
      bucket,
      emulated: env.ISMS_S3_EMULATED === 'true',
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<StoredBlob> {
    assertBlobKey(key);
    const sha256 = sha256Of(body);
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ContentLength: body.length,
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      }),
    );
    return { sha256, size: body.length };
  }

  async putIfAbsent(key: string, body: Buffer, contentType: string): Promise<PutIfAbsentResult> {
    assertBlobKey(key);
    if (this.#emulated) {
      const held = await this.get(key).catch((error: unknown) => {
        if (error instanceof BlobNotFound) return undefined;
        throw error;
      });
      if (held) return alreadyStored(key, body, held);
    }
    const sha256 = sha256Of(body);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          IfNoneMatch: '*',
          ContentType: contentType,
          ContentLength: body.length,
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        }),
      );
    } catch (error) {
      if (isKeyTaken(error)) return alreadyStored(key, body, await this.get(key));
      throw error;
    }
    return { sha256, size: body.length, created: true };
  }

  async get(key: string): Promise<Buffer> {
    assertBlobKey(key);
    try {
      const result = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (result.Body === undefined) throw new BlobNotFound(`s3://${this.bucket}/${key} has no body`);
      return Buffer.from(await result.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        throw new BlobNotFound(`No file is stored under s3://${this.bucket}/${key}`);
      }
      throw error;
    }
  }
}
