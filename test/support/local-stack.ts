/**
 * What integration tests use to reach the local stack started by test/global-setup.ts.
 * Every test gets its own table or bucket (freshTable, freshBucket), so no test depends on
 * another test's data.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS } from '#infra/local/emulators/s3.ts';
import { createBuckets, createTable } from '#infra/local/resources.ts';
import type { LocalStackInfo } from '#infra/local/stack.ts';

export type { LocalStackInfo };

export class LocalStackNotProvided extends Error {
  override name = 'LocalStackNotProvided' as const;
}

/** Endpoints, names and runtime environment of the stack started for this test run. */
export function localStack(): LocalStackInfo {
  const info = inject('localStack');
  if (info === undefined) {
    throw new LocalStackNotProvided(
      'No local stack in this test run: emulator tests belong under test/integration, test/e2e or test/bench, ' +
        'where vitest.config.ts starts the stack (test/unit does not).',
    );
  }
  return info;
}

/** Sets the runtime contract variables (TABLE_NAME, endpoints, REPLY_KEY, ...) on process.env. */
export function applyLocalEnv(overrides: Record<string, string> = {}): void {
  Object.assign(process.env, localStack().env, overrides);
}

const clientConfig = () => ({ region: localStack().region, credentials: LOCAL_CREDENTIALS });

export function dynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ ...clientConfig(), endpoint: localStack().endpoints.dynamodb });
}

export function s3Client(): S3Client {
  return new S3Client({
    ...clientConfig(),
    endpoint: localStack().endpoints.s3,
    forcePathStyle: true,
    // See AWS_REQUEST_CHECKSUM_CALCULATION in infra/local/stack.ts.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function sesClient(): SESClient {
  return new SESClient({ ...clientConfig(), endpoint: localStack().endpoints.ses });
}

/** A unique, lower-case, DNS-safe name: `<prefix>-<8 hex>`. */
export function uniqueName(prefix = 'test'): string {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
  return `${safe}-${randomUUID().slice(0, 8)}`;
}

/** A new table with the designed keys and indexes, for this test alone. */
export async function freshTable(prefix = 'test'): Promise<{ client: DynamoDBClient; tableName: string }> {
  const client = dynamoDbClient();
  const tableName = uniqueName(prefix);
  await createTable(client, tableName);
  return { client, tableName };
}

/** A new, empty bucket, for this test alone. */
export async function freshBucket(prefix = 'test'): Promise<{ client: S3Client; bucket: string }> {
  const client = s3Client();
  const bucket = uniqueName(prefix);
  await createBuckets(client, [bucket]);
  return { client, bucket };
}
