/**
 * BlobStore on an S3 bucket.
 *
 * Every put carries ChecksumSHA256: S3 refuses the object if the bytes it received differ from
 * the bytes we hashed, and a bucket with Object Lock (the evidence bucket) requires an integrity
 * checksum on every put. Path-style addressing when ISMS_S3_FORCE_PATH_STYLE=true (the local S3).
 * The endpoint is the SDK's own business (AWS_ENDPOINT_URL_S3 locally).
 */
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { MissingConfiguration } from './dynamodb.ts';
import {
  assertBlobKey,
  BlobNotFound,
  sha256Of,
  type BlobStore,
  type StoredBlob,
} from '../store/blob-store.ts';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
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

  constructor(options: S3BlobStoreOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
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
    return new S3BlobStore({ client: s3ClientFromEnv(env), bucket });
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
