/** The S3 buckets: evidence (EVIDENCE_BUCKET) and the raw inbound mail (RAW_MAIL_BUCKET). */
import { S3BlobStore } from '../adapters/s3-blob-store.ts';
import { part } from './wiring.ts';

export const evidenceBucket = part('evidence', (wiring) =>
  S3BlobStore.fromEnv('EVIDENCE_BUCKET', wiring.env),
);
export const rawMailBucket = part('rawMail', (wiring) => S3BlobStore.fromEnv('RAW_MAIL_BUCKET', wiring.env));
