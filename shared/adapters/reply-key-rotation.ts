/**
 * Rotation of the reply keyring secret, as Secrets Manager's rotation contract asks: it invokes the
 * rotation function four times per rotation with `{ Step, SecretId, ClientRequestToken }`.
 *
 * | step         | what it does here                                                          |
 * | ------------ | -------------------------------------------------------------------------- |
 * | createSecret | reads AWSCURRENT, rotates the keyring (shared/mail/reply-keyring.ts) and    |
 * |              | stores it as the version `ClientRequestToken` staged AWSPENDING (once)      |
 * | setSecret    | nothing: no other system holds the key, the functions read the secret       |
 * | testSecret   | reads AWSPENDING: it must parse, keep every key of AWSCURRENT that has not  |
 * |              | expired, and sign and verify an address with its current key              |
 * | finishSecret | moves AWSCURRENT to the new version (AWSPREVIOUS follows by itself)        |
 *
 * Every step first checks that rotation is enabled and that the version is staged for this
 * rotation (AWSPENDING, or already AWSCURRENT: a repeated invocation then does nothing), so a
 * retried or repeated step is harmless. The key material is never logged or put in an error.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { Clock } from '../clock.ts';
import { signReplyAddress, verifyReplyAddress, decodeReplyAddress } from '../mail/reply-address.ts';
import {
  MAX_REPLY_TOKEN_DAYS,
  parseReplyKeyring,
  rotateReplyKeyring,
  serializeReplyKeyring,
  type ReplyKeyring,
} from '../mail/reply-keyring.ts';

/** The rotation event is not what Secrets Manager sends. */
export class InvalidRotationEvent extends Error {
  override name = 'InvalidRotationEvent' as const;
}

/** The secret or the version is not in a state this step can work on. */
export class RotationNotReady extends Error {
  override name = 'RotationNotReady' as const;
}

/** The pending keyring fails its test; AWSCURRENT stays where it was. */
export class PendingKeyringInvalid extends Error {
  override name = 'PendingKeyringInvalid' as const;
}

export const RotationEvent = z.looseObject({
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret'], {
    error: 'expected Step createSecret, setSecret, testSecret or finishSecret',
  }),
  SecretId: z.string().min(1, { error: 'expected the secret id' }),
  ClientRequestToken: z.string().min(32, { error: 'expected the version id (ClientRequestToken)' }).max(64),
});
export type RotationEvent = z.infer<typeof RotationEvent>;

export interface RotationDeps {
  readonly secrets: Pick<SecretsManagerClient, 'send'>;
  readonly clock: Clock;
  /** Random bytes for the new key (tests pass a fixed source). */
  readonly random?: (size: number) => Buffer;
  /** How long a retired key is kept; default MAX_REPLY_TOKEN_DAYS. */
  readonly maxTokenDays?: number;
}

export type RotationResult =
  | { readonly step: RotationEvent['Step']; readonly done: 'already-current' | 'nothing-to-do' }
  | {
      readonly step: 'createSecret';
      readonly done: 'created' | 'already-pending';
      readonly keyIds?: string[];
    }
  | { readonly step: 'testSecret'; readonly done: 'tested'; readonly keyIds: string[] }
  | { readonly step: 'finishSecret'; readonly done: 'finished' };

const DAY = 86_400_000;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof ResourceNotFoundException ||
    (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException'
  );
}

async function keyringOf(
  deps: RotationDeps,
  secretId: string,
  version: { VersionStage: string; VersionId?: string },
): Promise<ReplyKeyring> {
  const out = await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId, ...version }));
  if (typeof out.SecretString !== 'string') {
    throw new RotationNotReady(`the ${version.VersionStage} version of the reply keyring holds no text`);
  }
  return parseReplyKeyring(out.SecretString);
}

/** Runs one rotation step. */
export async function rotateReplyKey(deps: RotationDeps, input: unknown): Promise<RotationResult> {
  const parsed = RotationEvent.safeParse(input);
  if (!parsed.success) {
    throw new InvalidRotationEvent(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '),
    );
  }
  const { Step: step, SecretId: secretId, ClientRequestToken: token } = parsed.data;

  const described = await deps.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (described.RotationEnabled !== true) {
    throw new RotationNotReady('rotation is not enabled on the reply keyring secret');
  }
  const versions = described.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) {
    throw new RotationNotReady(`version ${token} is not a version of the reply keyring secret`);
  }
  if (stages.includes('AWSCURRENT')) return { step, done: 'already-current' };
  if (!stages.includes('AWSPENDING')) {
    throw new RotationNotReady(`version ${token} is not staged AWSPENDING for this rotation`);
  }

  switch (step) {
    case 'createSecret': {
      const current = await keyringOf(deps, secretId, { VersionStage: 'AWSCURRENT' });
      try {
        await keyringOf(deps, secretId, { VersionStage: 'AWSPENDING', VersionId: token });
        return { step, done: 'already-pending' };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      const next = rotateReplyKeyring(current, {
        now: deps.clock.now(),
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.maxTokenDays !== undefined ? { maxTokenDays: deps.maxTokenDays } : {}),
      });
      await deps.secrets.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: serializeReplyKeyring(next),
          VersionStages: ['AWSPENDING'],
        }),
      );
      return { step, done: 'created', keyIds: next.keys.map((k) => k.id) };
    }
    case 'setSecret':
      return { step, done: 'nothing-to-do' };
    case 'testSecret': {
      const current = await keyringOf(deps, secretId, { VersionStage: 'AWSCURRENT' });
      let pending: ReplyKeyring;
      try {
        pending = await keyringOf(deps, secretId, { VersionStage: 'AWSPENDING', VersionId: token });
      } catch (error) {
        if (isNotFound(error)) throw new PendingKeyringInvalid(`version ${token} has no value to test`);
        if ((error as Error).name === 'InvalidReplyKeyring') {
          throw new PendingKeyringInvalid(`the pending keyring does not read: ${(error as Error).message}`);
        }
        throw error;
      }
      testPending(current, pending, deps);
      return { step, done: 'tested', keyIds: pending.keys.map((k) => k.id) };
    }
    case 'finishSecret': {
      const currentVersion = Object.entries(versions).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      await deps.secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          ...(currentVersion ? { RemoveFromVersionId: currentVersion } : {}),
        }),
      );
      return { step, done: 'finished' };
    }
  }
}

/**
 * The pending keyring must keep every key of the current one that can still verify an unexpired
 * token, and its current key must sign an address that it then verifies.
 */
function testPending(current: ReplyKeyring, pending: ReplyKeyring, deps: RotationDeps): void {
  const keepMs = (deps.maxTokenDays ?? MAX_REPLY_TOKEN_DAYS) * DAY;
  const now = deps.clock.now().getTime();
  for (const key of current.keys) {
    const expired = key.retiredAt !== undefined && now - Date.parse(key.retiredAt) >= keepMs;
    if (expired) continue;
    const kept = pending.keys.find((k) => k.id === key.id);
    if (!kept || !kept.key.equals(key.key)) {
      throw new PendingKeyringInvalid(
        `the pending keyring drops or changes key ${key.id}, which still verifies outstanding reply addresses`,
      );
    }
  }
  const sample = { localPart: 'review', id: 'rotationte', purpose: 'inputs', recipient: 'test@example.com' };
  const address = signReplyAddress({ ...sample, keys: pending, domain: 'reply.example.com' });
  const parts = decodeReplyAddress(address, { localPart: 'review', domain: 'reply.example.com' });
  if (parts.keyId !== pending.current || !verifyReplyAddress({ ...sample, keys: pending, parts })) {
    throw new PendingKeyringInvalid('the pending keyring does not verify an address its current key signed');
  }
}
