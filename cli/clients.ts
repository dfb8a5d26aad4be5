/**
 * SDK clients for the chosen backend. Locally each client gets the emulator's endpoint, region and
 * dummy credentials explicitly; on AWS the SDK's own chain decides. The SDK is imported only when a
 * command needs it, so `--help` and `programme validate` start fast.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { requireSetting, type Backend, type ContractVariable } from './backend.ts';

export interface ClientOptions {
  /** For reachability checks: one attempt, short timeouts, so a dead endpoint fails in seconds. */
  readonly quick?: boolean;
}

interface BaseConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
  requestHandler?: { connectionTimeout: number; requestTimeout: number };
}

function baseConfig(
  backend: Backend,
  endpointVariable: ContractVariable,
  options: ClientOptions,
): BaseConfig {
  const config: BaseConfig = {};
  const { env } = backend;
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (backend.kind === 'local') {
    // Never fall through to a real AWS endpoint from the local backend.
    config.endpoint = requireSetting(backend, endpointVariable);
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
    };
  }
  if (options.quick) {
    config.maxAttempts = 1;
    config.requestHandler = { connectionTimeout: 2_000, requestTimeout: 5_000 };
  }
  return config;
}

export async function dynamoDbClient(backend: Backend, options: ClientOptions = {}): Promise<DynamoDBClient> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  return new DynamoDBClient(baseConfig(backend, 'AWS_ENDPOINT_URL_DYNAMODB', options));
}

export async function s3Client(backend: Backend, options: ClientOptions = {}): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    ...baseConfig(backend, 'AWS_ENDPOINT_URL_S3', options),
    forcePathStyle: backend.env.ISMS_S3_FORCE_PATH_STYLE === 'true',
  });
}

export async function sesClient(backend: Backend, options: ClientOptions = {}): Promise<SESClient> {
  const { SESClient } = await import('@aws-sdk/client-ses');
  return new SESClient(baseConfig(backend, 'AWS_ENDPOINT_URL_SES', options));
}

export async function sfnClient(backend: Backend, options: ClientOptions = {}): Promise<SFNClient> {
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  return new SFNClient(baseConfig(backend, 'AWS_ENDPOINT_URL_SFN', options));
}

/** The review repository on the backend's table; call `close()` when done. */
export async function openRepository(
  backend: Backend,
): Promise<{ repository: ReviewRepository; close: () => void }> {
  const tableName = requireSetting(backend, 'TABLE_NAME');
  const client = await dynamoDbClient(backend);
  const { DynamoDbRepository } = await import('#shared/adapters/dynamodb-repository.ts');
  return { repository: new DynamoDbRepository({ client, tableName }), close: () => client.destroy() };
}
