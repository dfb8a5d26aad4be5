/**
 * Reading a cycle's evidence from a deployed or local stack: the table (records, events, outbox),
 * the evidence bucket (package, attachments, sent mail, anchors) and the raw mail bucket (mail
 * as received). `exportEvidence` writes the bundle to a file; a script (the demo) or the CLI
 * calls it the same way.
 *
 * The stack is named by the runtime contract in `env`: TABLE_NAME, EVIDENCE_BUCKET,
 * RAW_MAIL_BUCKET, and locally the emulators' AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3,
 * AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and ISMS_S3_FORCE_PATH_STYLE. They are read
 * from `env` (not only from process.env), so one process can export from any stack.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { systemClock, type Clock } from '../clock.ts';
import { buildEvidenceBundle, type EvidenceSource, type ExportProgress } from '../evidence/export.ts';
import type { Manifest } from '../evidence/bundle.ts';
import { MissingConfiguration } from './configuration.ts';
import { DynamoDbRepository } from './dynamodb-repository.ts';
import { DynamoOutboxStore } from './outbox-dynamodb.ts';
import { anchorSignerFromEnvIfAny } from './anchor-signer-env.ts';
import { FileSigner } from './file-signer.ts';
import { S3AnchorStore } from './s3-anchor-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new MissingConfiguration(
      `${name} is not set: set it from the stack outputs (on AWS) or run against the local stack (\`npm start\`)`,
    );
  }
  return value;
}

function common(env: Env, endpointVariable: string) {
  const config: {
    region?: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {};
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (env[endpointVariable]) config.endpoint = env[endpointVariable];
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  }
  return config;
}

/** An S3 client for the stack `env` names (path-style and checksum settings as the local S3 needs). */
export function s3ClientFor(env: Env): S3Client {
  const config: S3ClientConfig = {
    ...common(env, 'AWS_ENDPOINT_URL_S3'),
    forcePathStyle: env.ISMS_S3_FORCE_PATH_STYLE === 'true',
  };
  if (env.AWS_REQUEST_CHECKSUM_CALCULATION === 'WHEN_REQUIRED')
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
  if (env.AWS_RESPONSE_CHECKSUM_VALIDATION === 'WHEN_REQUIRED')
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  return new S3Client(config);
}

/** The anchor store of the stack `env` names. */
export function anchorStoreFor(env: Env, client: S3Client = s3ClientFor(env)): S3AnchorStore {
  return new S3AnchorStore({
    client,
    bucket: required(env, 'EVIDENCE_BUCKET'),
    requireLock: env.EVIDENCE_REQUIRE_LOCK === 'true',
    emulated: env.ISMS_S3_EMULATED === 'true',
  });
}

/** Everything the export reads, on the stack `env` names; `close()` releases the clients. */
export function evidenceSourceFor(
  env: Env,
  clock: Clock = systemClock,
): { source: EvidenceSource; close: () => void } {
  const tableName = required(env, 'TABLE_NAME');
  const dynamo = new DynamoDBClient(common(env, 'AWS_ENDPOINT_URL_DYNAMODB') as DynamoDBClientConfig);
  const s3 = s3ClientFor(env);
  // The public key goes into every bundle; only the local stack's key may also sign the manifest
  // here (on AWS only the anchoring function may use kms:Sign).
  const signer = anchorSignerFromEnvIfAny(env);
  return {
    source: {
      repo: new DynamoDbRepository({ client: dynamo, tableName }),
      outbox: new DynamoOutboxStore({ client: dynamo, tableName }),
      evidence: new S3BlobStore({ client: s3, bucket: required(env, 'EVIDENCE_BUCKET') }),
      rawMail: new S3BlobStore({ client: s3, bucket: required(env, 'RAW_MAIL_BUCKET') }),
      anchors: anchorStoreFor(env, s3),
      ...(signer ? { anchorKey: signer } : {}),
      ...(signer instanceof FileSigner ? { manifestSigner: signer } : {}),
      clock,
    },
    close: () => {
      dynamo.destroy();
      s3.destroy();
    },
  };
}

export interface ExportEvidenceOptions {
  readonly cycleId: string;
  /** The ZIP file to write; folders are created. */
  readonly out: string;
  /** The runtime contract naming the stack; default process.env. */
  readonly env?: Env;
  readonly clock?: Clock;
  /** Told each step, e.g. to print progress. */
  readonly onProgress?: ExportProgress;
}

export interface ExportedEvidence {
  /** Absolute path of the ZIP written. */
  readonly path: string;
  readonly bytes: number;
  readonly manifest: Manifest;
}

/** Exports the evidence bundle of `cycleId` to `out` (written to a temporary name, then renamed). */
export async function exportEvidence(options: ExportEvidenceOptions): Promise<ExportedEvidence> {
  const { source, close } = evidenceSourceFor(options.env ?? process.env, options.clock);
  try {
    const { zip, manifest } = await buildEvidenceBundle(source, options.cycleId, options.onProgress);
    const path = resolve(options.out);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    await writeFile(partial, zip);
    await rename(partial, path);
    options.onProgress?.(`wrote ${path} (${zip.length} bytes, ${manifest.files.length + 1} files)`);
    return { path, bytes: zip.length, manifest };
  } finally {
    close();
  }
}
