/**
 * The reply-address HMAC keyring as the environment gives it: REPLY_KEY locally, the secret
 * REPLY_KEY_SECRET_ARN names (its AWSCURRENT value) on AWS.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvalidReplyKeyring, parseReplyKeyring, type ReplyKeyring } from '../mail/reply-keyring.ts';

export class MissingReplyKey extends Error {
  override name = 'MissingReplyKey' as const;
}

/** A Secrets Manager client; the endpoint is the SDK's own business (AWS_ENDPOINT_URL_SECRETS_MANAGER). */
export function secretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({});
}

/**
 * The HMAC keyring for reply addresses: REPLY_KEY locally, the secret's AWSCURRENT value on AWS.
 * Either is a keyring (JSON, shared/mail/reply-keyring.ts) or a single key of at least 32 hex
 * characters (the form stacks stored before keys rotated: generation 1).
 */
export async function replyKeyFromEnv(
  env: NodeJS.ProcessEnv,
  client: Pick<SecretsManagerClient, 'send'> = secretsManagerClient(),
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
