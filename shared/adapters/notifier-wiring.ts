/**
 * Builds the notifier from the environment: the outbox (DynamoDB records, SES SendRawEmail, raw
 * copies in the evidence bucket) and the reply-token key (Secrets Manager on AWS, REPLY_KEY locally).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../clock.ts';
import { CycleNotifier } from '../notify/notifier.ts';
import { Outbox } from '../mail/outbox.ts';
import { InvalidReplyKeyring, parseReplyKeyring, type ReplyKeyring } from '../mail/reply-keyring.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { createDynamoClients } from './dynamodb.ts';
import { DynamoOutboxStore } from './outbox-dynamodb.ts';
import { BlobPackageStore } from './package-wiring.ts';
import { S3BlobStore } from './s3-blob-store.ts';
import { SesMailer } from './ses-mailer.ts';

export class MissingReplyKey extends Error {
  override name = 'MissingReplyKey' as const;
}

/**
 * The HMAC keyring for reply addresses: REPLY_KEY locally, the secret's AWSCURRENT value on AWS.
 * Either is a keyring (JSON, shared/mail/reply-keyring.ts) or a single key of at least 32 hex
 * characters (the form stacks stored before keys rotated: generation 1).
 */
export async function replyKeyFromEnv(
  env: NodeJS.ProcessEnv,
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<ReplyKeyring> {
  const local = env.REPLY_KEY?.trim() || undefined;
  const secretArn = env.REPLY_KEY_SECRET_ARN?.trim();
  let value = local;
  if (!value && secretArn) {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    value = out.SecretString?.trim();
  }
  if (!value) {
    throw new MissingReplyKey(
      'no reply-token key: set REPLY_KEY_SECRET_ARN (AWS) or REPLY_KEY to a keyring or at least 32 hex characters (local)',
    );
  }
  try {
    return parseReplyKeyring(value);
  } catch (error) {
    if (error instanceof InvalidReplyKeyring) {
      throw new MissingReplyKey(
        `no usable reply-token key in ${local ? 'REPLY_KEY' : 'the REPLY_KEY_SECRET_ARN secret'}: ${error.message}`,
      );
    }
    throw error;
  }
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
    anchorKeyFingerprint: anchorKeyFingerprintFromEnv(env),
    minutesTemplate: (cycle, programme) =>
      renderMinutesTemplate({ programme, cycle, catalogue: programmeCatalogue(programme) }),
  });
}

/**
 * The anchoring key's fingerprint for the witness line, read once and only when a package or
 * minutes email is built: the KMS key's public half on AWS (kms:GetPublicKey), the data folder's key
 * locally. Undefined when the environment names no anchoring key.
 */
export function anchorKeyFingerprintFromEnv(env: NodeJS.ProcessEnv): () => Promise<string | undefined> {
  let fingerprint: Promise<string | undefined> | undefined;
  return () => {
    fingerprint ??= (async () => {
      const [{ anchorSignerFromEnvIfAny }, { anchorKeyOf, formatFingerprint }] = await Promise.all([
        import('./anchor-signer-env.ts'),
        import('../evidence/signer.ts'),
      ]);
      const signer = anchorSignerFromEnvIfAny(env);
      return signer ? formatFingerprint((await anchorKeyOf(signer)).fingerprint) : undefined;
    })();
    // A failed read is retried by the next email rather than remembered.
    fingerprint.catch(() => {
      fingerprint = undefined;
    });
    return fingerprint;
  };
}
