/**
 * On the emulators: the items that serve only a while (seen Message-IDs, reply tokens, their
 * Message-ID links) carry the table's TTL attribute, and still read back as records; the local
 * table has TTL on; the evidence store on the local S3 writes a key once and never over it.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import {
  DynamoDbRepository,
  REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY,
  SEEN_MESSAGE_TTL_DAYS,
} from '#shared/adapters/dynamodb-repository.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { messageKeys, replyTokenKeys } from '#shared/store/keys.ts';
import { BlobConflict, InvalidBlobKey } from '#shared/store/blob-store.ts';
import { TTL_ATTRIBUTE } from '#shared/store/table-design.ts';
import { enableTimeToLive } from '#infra/local/resources.ts';
import { applyLocalEnv, freshBucket, freshTable } from '#test/support/local-stack.ts';

const DAY_SECONDS = 86_400;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('time to live', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let repo: DynamoDbRepository;
  const item = async (key: { pk: string; sk: string }) =>
    (await documentClient(table.client).send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;

  beforeAll(async () => {
    applyLocalEnv();
    table = await freshTable('ttl');
    repo = new DynamoDbRepository(table);
  });

  it('refuses an empty Message-ID before writing anything', async () => {
    await expect(repo.markMessageSeen('  ', { at: '2026-10-06T08:00:00.000Z' })).rejects.toThrow('is empty');
    await expect(repo.linkReplyToken('', 'abcdefghij')).rejects.toThrow('is empty');
  });

  it('turns TTL on for the local table, once', async () => {
    await enableTimeToLive(table.client, table.tableName);
    await enableTimeToLive(table.client, table.tableName);
    const { TimeToLiveDescription } = await table.client.send(
      new DescribeTimeToLiveCommand({ TableName: table.tableName }),
    );
    expect(TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: TTL_ATTRIBUTE,
    });
  });

  it('gives seen messages, reply tokens and their links a TTL; the records still read back', async () => {
    const messageId = `<${randomUUID()}@example.com>`;
    const at = '2026-10-06T08:00:00.000Z';
    expect(await repo.markMessageSeen(messageId, { at, rawS3Key: 'inbound/m1' })).toBe(true);
    const seen = await item(messageKeys.message(messageKeys.hashOf(messageId)));
    expect(seen?.[TTL_ATTRIBUTE]).toBe(epoch(at) + SEEN_MESSAGE_TTL_DAYS * DAY_SECONDS);

    const token = {
      tokenId: randomUUID().replace(/-/g, '').slice(0, 10),
      cycleId: 'C-20261001T0800Z-Q',
      purpose: 'inputs',
      recipientId: 'auditor',
      issuedAt: '2026-10-01T08:00:00.000Z',
      expiresAt: '2026-12-01T00:00:00.000Z',
    };
    await repo.putReplyToken(token);
    const stored = await item(replyTokenKeys.token(token.tokenId));
    const ttl = epoch(token.expiresAt) + REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY * DAY_SECONDS;
    expect(stored?.[TTL_ATTRIBUTE]).toBe(ttl);
    expect(await repo.getReplyToken(token.tokenId)).toEqual(token);

    const sent = `<${randomUUID()}@isms.example.com>`;
    await repo.linkReplyToken(sent, token.tokenId);
    expect((await item(replyTokenKeys.byMessage(messageKeys.hashOf(sent))))?.[TTL_ATTRIBUTE]).toBe(ttl);
    expect(await repo.replyTokenOfMessage(sent)).toBe(token.tokenId);
  });
});

describe('write-once evidence on the local S3', () => {
  let store: S3BlobStore;
  beforeAll(async () => {
    applyLocalEnv();
    const { bucket } = await freshBucket('once');
    store = new S3BlobStore({
      client: s3ClientFromEnv(),
      bucket,
      emulated: process.env.ISMS_S3_EMULATED === 'true',
    });
  });

  it('refuses a bad key', async () => {
    await expect(store.putIfAbsent('cycles//x', Buffer.from('a'), 'text/plain')).rejects.toBeInstanceOf(
      InvalidBlobKey,
    );
  });

  it('writes once; the same bytes again are already there; other bytes are refused and left unwritten', async () => {
    const key = `cycles/C-20261001T0800Z-Q/inbound/${randomUUID()}/message.eml`;
    const first = Buffer.from('From: a@example.com\r\n\r\nfirst\r\n');
    expect(await store.putIfAbsent(key, first, 'message/rfc822')).toMatchObject({ created: true });
    expect(await store.putIfAbsent(key, first, 'message/rfc822')).toMatchObject({ created: false });
    await expect(store.putIfAbsent(key, Buffer.from('second'), 'message/rfc822')).rejects.toBeInstanceOf(
      BlobConflict,
    );
    expect(await store.get(key)).toEqual(first);
  });
});
