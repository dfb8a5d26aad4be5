/**
 * The reply keyring's rotation function, step by step, against a mocked Secrets Manager (there is
 * no local Secrets Manager to run it on): what each step reads and writes, what a repeated step
 * does, and every failure it must refuse. Also reading the keyring from the environment.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingReplyKey, replyKeyFromEnv } from '#shared/adapters/reply-key-secret.ts';
import {
  InvalidRotationEvent,
  PendingKeyringInvalid,
  rotateReplyKey,
  RotationNotReady,
} from '#shared/adapters/reply-key-rotation.ts';
import { FixedClock } from '#shared/clock.ts';
import { parseReplyKeyring, rotateReplyKeyring, serializeReplyKeyring } from '#shared/mail/reply-keyring.ts';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ReplyKey-abc123';
const CURRENT_VERSION = '11111111-1111-4111-8111-111111111111';
const TOKEN = '22222222-2222-4222-8222-222222222222';
const HEX = 'ab'.repeat(32);
const NOW = new Date('2027-01-01T00:00:00.000Z');
const clock = new FixedClock(NOW);
const random = (size: number) => Buffer.alloc(size, 0x5a);
const deps = () => ({ secrets: new SecretsManagerClient({ region: 'eu-west-1' }), clock, random });
const event = (Step: string, ClientRequestToken = TOKEN) => ({ Step, SecretId: SECRET, ClientRequestToken });

function described(stages: Record<string, string[]>, RotationEnabled = true) {
  sm.on(DescribeSecretCommand).resolves({ ARN: SECRET, RotationEnabled, VersionIdsToStages: stages });
}
const staged = () => described({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
const notFound = () => new ResourceNotFoundException({ message: 'no such version', $metadata: {} });

describe('the rotation event and the secret state', () => {
  it('refuses an event that is not a rotation step', async () => {
    await expect(rotateReplyKey(deps(), {})).rejects.toBeInstanceOf(InvalidRotationEvent);
    await expect(rotateReplyKey(deps(), event('deleteSecret'))).rejects.toThrow('expected Step');
    await expect(rotateReplyKey(deps(), event('createSecret', 'short'))).rejects.toThrow(
      'ClientRequestToken',
    );
    expect(sm.calls()).toHaveLength(0);
  });

  it('refuses to work when rotation is not enabled, or the version is not one of this rotation', async () => {
    described({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] }, false);
    await expect(rotateReplyKey(deps(), event('createSecret'))).rejects.toThrow('not enabled');
    described({ [CURRENT_VERSION]: ['AWSCURRENT'] });
    await expect(rotateReplyKey(deps(), event('createSecret'))).rejects.toBeInstanceOf(RotationNotReady);
    described({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPREVIOUS'] });
    await expect(rotateReplyKey(deps(), event('testSecret'))).rejects.toThrow('not staged AWSPENDING');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it('does nothing for a version that is already current (a repeated step)', async () => {
    described({ [TOKEN]: ['AWSCURRENT'] });
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await expect(rotateReplyKey(deps(), event(step))).resolves.toEqual({ step, done: 'already-current' });
    }
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('passes on a failure of Secrets Manager itself', async () => {
    sm.on(DescribeSecretCommand).rejects(
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    );
    await expect(rotateReplyKey(deps(), event('createSecret'))).rejects.toThrow('throttled');
  });
});

describe('createSecret', () => {
  it('refuses a current value that is not a keyring, and writes nothing', async () => {
    staged();
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'not a key' });
    await expect(rotateReplyKey(deps(), event('createSecret'))).rejects.toThrow('neither a keyring');
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({});
    await expect(rotateReplyKey(deps(), event('createSecret'))).rejects.toThrow('holds no text');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('turns the single hex key into a keyring with a published next key, staged AWSPENDING', async () => {
    staged();
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: HEX });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).rejects(notFound());
    sm.on(PutSecretValueCommand).resolves({});
    await expect(rotateReplyKey(deps(), event('createSecret'))).resolves.toEqual({
      step: 'createSecret',
      done: 'created',
      keyIds: ['b', 'c'],
    });
    const put = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ SecretId: SECRET, ClientRequestToken: TOKEN, VersionStages: ['AWSPENDING'] });
    const ring = parseReplyKeyring(put.SecretString!);
    expect(ring.current).toBe('b');
    expect(ring.keys.map((k) => [k.id, k.key.toString('hex')])).toEqual([
      ['b', HEX],
      ['c', '5a'.repeat(32)],
    ]);
  });

  it('writes nothing when the pending version exists already (a retried step)', async () => {
    staged();
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: HEX });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).resolves({
      SecretString: serializeReplyKeyring(rotateReplyKeyring(parseReplyKeyring(HEX), { now: NOW, random })),
    });
    await expect(rotateReplyKey(deps(), event('createSecret'))).resolves.toMatchObject({
      done: 'already-pending',
    });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('passes on an access error reading the pending version instead of creating one', async () => {
    staged();
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: HEX });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
    );
    await expect(rotateReplyKey(deps(), event('createSecret'))).rejects.toThrow('denied');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('setSecret, testSecret, finishSecret', () => {
  const current = rotateReplyKeyring(parseReplyKeyring(HEX), {
    now: new Date('2026-10-01T00:00:00Z'),
    random,
  });
  const pending = rotateReplyKeyring(current, { now: NOW, random: (n) => Buffer.alloc(n, 0x33) });

  it('setSecret has nothing to set', async () => {
    staged();
    await expect(rotateReplyKey(deps(), event('setSecret'))).resolves.toEqual({
      step: 'setSecret',
      done: 'nothing-to-do',
    });
  });

  it('testSecret refuses a pending keyring that is missing, unreadable, or drops a live key', async () => {
    staged();
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: serializeReplyKeyring(current),
    });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).rejects(notFound());
    await expect(rotateReplyKey(deps(), event('testSecret'))).rejects.toBeInstanceOf(PendingKeyringInvalid);

    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).resolves({
      SecretString: '{"format":"isms-review/reply-keyring@1"}',
    });
    await expect(rotateReplyKey(deps(), event('testSecret'))).rejects.toThrow('does not read');

    const dropped = { current: pending.current, keys: pending.keys.filter((k) => k.id !== 'b') };
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).resolves({
      SecretString: serializeReplyKeyring(dropped),
    });
    await expect(rotateReplyKey(deps(), event('testSecret'))).rejects.toThrow('drops or changes key b');

    const changed = {
      current: pending.current,
      keys: pending.keys.map((k) => (k.id === 'c' ? { ...k, key: Buffer.alloc(32, 1) } : k)),
    };
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).resolves({
      SecretString: serializeReplyKeyring(changed),
    });
    await expect(rotateReplyKey(deps(), event('testSecret'))).rejects.toThrow('drops or changes key c');
  });

  it('testSecret passes the keyring createSecret made', async () => {
    staged();
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: serializeReplyKeyring(current),
    });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING', VersionId: TOKEN }).resolves({
      SecretString: serializeReplyKeyring(pending),
    });
    await expect(rotateReplyKey(deps(), event('testSecret'))).resolves.toEqual({
      step: 'testSecret',
      done: 'tested',
      keyIds: ['b', 'c', 'd'],
    });
  });

  it('finishSecret moves AWSCURRENT from the old version to the new one', async () => {
    staged();
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    await expect(rotateReplyKey(deps(), event('finishSecret'))).resolves.toEqual({
      step: 'finishSecret',
      done: 'finished',
    });
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: CURRENT_VERSION,
    });
  });

  it('finishSecret passes on a failure to move the label', async () => {
    staged();
    sm.on(UpdateSecretVersionStageCommand).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
    );
    await expect(rotateReplyKey(deps(), event('finishSecret'))).rejects.toThrow('denied');
  });
});

describe('reading the keyring from the environment', () => {
  it('refuses a missing or unusable key, without naming the key', async () => {
    await expect(replyKeyFromEnv({})).rejects.toBeInstanceOf(MissingReplyKey);
    await expect(replyKeyFromEnv({ REPLY_KEY: 'abcd' })).rejects.toThrow('too short');
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"format":"x"}' });
    const read = replyKeyFromEnv(
      { REPLY_KEY_SECRET_ARN: SECRET },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    await expect(read).rejects.toBeInstanceOf(MissingReplyKey);
    await expect(read).rejects.toThrow('the REPLY_KEY_SECRET_ARN secret');
  });

  it('reads REPLY_KEY (hex or keyring) locally and the secret on AWS', async () => {
    expect((await replyKeyFromEnv({ REPLY_KEY: HEX })).current).toBe('b');
    expect(await replyKeyFromEnv({ REPLY_KEY: serializeReplyKeyring(pending()) })).toEqual(pending());
    sm.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({
      SecretString: serializeReplyKeyring(pending()),
    });
    const ring = await replyKeyFromEnv(
      { REPLY_KEY_SECRET_ARN: SECRET },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    expect(ring.current).toBe('b');
    expect(ring.keys.map((k) => k.id)).toEqual(['b', 'c']);
  });

  function pending() {
    return rotateReplyKeyring(parseReplyKeyring(HEX), { now: NOW, random });
  }
});
