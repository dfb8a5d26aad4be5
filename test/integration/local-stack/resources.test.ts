import {
  DescribeTableCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { tableDesign } from '#shared/store/table-design.ts';
import { BucketNotCreated, createBuckets, createTable } from '#infra/local/resources.ts';
import {
  applyLocalEnv,
  dynamoDbClient,
  freshBucket,
  freshTable,
  localStack,
  s3Client,
} from '#test/support/local-stack.ts';

describe('local stack resources', () => {
  it('refuses a table name DynamoDB does not accept', async () => {
    const client = dynamoDbClient();
    await expect(createTable(client, 'x')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Invalid table\/index name/),
    });
  });

  it('names a bucket that cannot be created', async () => {
    const attempt = createBuckets(s3Client(), ['Not_A_Valid..Bucket']);
    await expect(attempt).rejects.toBeInstanceOf(BucketNotCreated);
    await expect(attempt).rejects.toThrow(/Not_A_Valid\.\.Bucket/);
  });

  it('creates the stack table with the designed keys and indexes, ALL projected, on demand', async () => {
    const { tableName, region, env } = localStack();
    expect(env.TABLE_NAME).toBe(tableName);
    expect(region).toBe('eu-west-1');
    const { Table: table } = await dynamoDbClient().send(new DescribeTableCommand({ TableName: tableName }));
    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table?.KeySchema).toEqual([
      { AttributeName: tableDesign.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: tableDesign.sortKey.name, KeyType: 'RANGE' },
    ]);
    const indexes = (table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((key) => key.AttributeName),
      projection: index.Projection?.ProjectionType,
    }));
    expect(indexes.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
      tableDesign.globalSecondaryIndexes.map((index) => ({
        name: index.indexName,
        keys: [index.partitionKey.name, index.sortKey.name],
        projection: 'ALL',
      })),
    );
  });

  it('is idempotent: creating an existing table is fine', async () => {
    const { client, tableName } = await freshTable('again');
    await expect(createTable(client, tableName)).resolves.toBeUndefined();
  });

  it('gives every test its own table, usable through the index', async () => {
    const first = await freshTable('iso');
    const second = await freshTable('iso');
    expect(first.tableName).not.toBe(second.tableName);
    await first.client.send(
      new PutItemCommand({
        TableName: first.tableName,
        Item: { pk: { S: 'P#1' }, sk: { S: 'S#1' }, gsi1pk: { S: 'G#1' }, gsi1sk: { S: 'x' } },
      }),
    );
    const byIndex = await first.client.send(
      new QueryCommand({
        TableName: first.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :g',
        ExpressionAttributeValues: { ':g': { S: 'G#1' } },
      }),
    );
    expect(byIndex.Items?.map((item) => item.pk?.S)).toEqual(['P#1']);
    const other = await second.client.send(
      new QueryCommand({
        TableName: second.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'P#1' } },
      }),
    );
    expect(other.Items).toEqual([]);
    // Every page: the whole run creates well over 100 tables, the page size of ListTables.
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await first.client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start);
    expect(names).toEqual(
      expect.arrayContaining([first.tableName, second.tableName, localStack().tableName]),
    );
  });

  it('stores streamed uploads intact for a client configured only from the runtime environment', async () => {
    applyLocalEnv();
    // What a handler does: endpoint, region, credentials and checksum mode all come from env.
    const s3 = new S3Client({ forcePathStyle: process.env.ISMS_S3_FORCE_PATH_STYLE === 'true' });
    const key = `stream/${Date.now()}`;
    await s3.send(
      new PutObjectCommand({
        Bucket: localStack().buckets.evidence,
        Key: key,
        Body: Readable.from([Buffer.from('evidence '), Buffer.from('bundle')]),
        ContentLength: 15,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: localStack().buckets.evidence, Key: key }));
    expect(await got.Body!.transformToString()).toBe('evidence bundle');
  });

  it('has the raw mail and evidence buckets, path-style, and fresh buckets on demand', async () => {
    const { buckets, env } = localStack();
    expect(env.RAW_MAIL_BUCKET).toBe(buckets.rawMail);
    expect(env.EVIDENCE_BUCKET).toBe(buckets.evidence);
    expect(env.ISMS_S3_FORCE_PATH_STYLE).toBe('true');
    const s3 = s3Client();
    for (const bucket of [buckets.rawMail, buckets.evidence]) {
      const key = `probe/${Date.now()}-${Math.random()}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('bytes \u00e9') }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).toString('utf8')).toBe('bytes \u00e9');
    }
    const { bucket } = await freshBucket('Mine_Too');
    expect(bucket).toMatch(/^mine-too-[0-9a-f]{8}$/);
  });
});
