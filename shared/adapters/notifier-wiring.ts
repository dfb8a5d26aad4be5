/**
 * Builds the notifier from the environment: the outbox (DynamoDB records, SES SendRawEmail, raw
 * copies in the evidence bucket) and the reply-token key (Secrets Manager on AWS, REPLY_KEY locally).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../clock.ts';
import { CycleNotifier } from '../mail/notifier.ts';
import { Outbox } from '../mail/outbox.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { createDynamoClients } from './dynamodb.ts';
import { DynamoOutboxStore } from './outbox-dynamodb.ts';
import { BlobPackageStore } from './package-wiring.ts';
import { S3BlobStore } from './s3-blob-store.ts';
import { SesMailer } from './ses-mailer.ts';

export class MissingReplyKey extends Error {
  override name = 'MissingReplyKey' as const;
}

/** The HMAC key for reply addresses: REPLY_KEY (hex) locally, the secret's value on AWS. */
export async function replyKeyFromEnv(env: NodeJS.ProcessEnv): Promise<Buffer> {
  const hex = env.REPLY_KEY?.trim() || undefined;
  const secretArn = env.REPLY_KEY_SECRET_ARN?.trim();
  let value = hex;
  if (!value && secretArn) {
    const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
    value = out.SecretString?.trim();
  }
  if (!value || !/^[0-9a-fA-F]{32,}$/.test(value)) {
    throw new MissingReplyKey(
      'no reply-token key: set REPLY_KEY_SECRET_ARN (AWS) or REPLY_KEY to at least 32 hex characters (local)',
    );
  }
  return Buffer.from(value, 'hex');
}

export async function createNotifier({
  env,
  repo,
  clock,
}: {
  env: NodeJS.ProcessEnv;
  repo: ReviewRepository;
  clock: Clock;
}): Promise<CycleNotifier> {
  const { client, tableName } = createDynamoClients(env);
  const evidence = S3BlobStore.fromEnv('EVIDENCE_BUCKET', env);
  const configurationSet = env.SES_CONFIGURATION_SET?.trim();
  const outbox = new Outbox({
    store: new DynamoOutboxStore({ client, tableName }),
    mailer: SesMailer.fromEnv(env),
    blobs: evidence,
    clock,
    ...(configurationSet ? { configurationSet } : {}),
  });
  const packages = new BlobPackageStore(evidence);
  const { renderMinutesTemplate } = await import('../minutes/template.ts');
  const { programmeCatalogue } = await import('../programme/queries.ts');
  return new CycleNotifier({
    outbox,
    repo,
    clock,
    replyKey: await replyKeyFromEnv(env),
    loadPackage: (stored) => packages.load(stored),
    minutesTemplate: (cycle, programme) =>
      renderMinutesTemplate({ programme, cycle, catalogue: programmeCatalogue(programme) }),
  });
}
