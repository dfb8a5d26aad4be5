/**
 * The local stack's resources: the table (built from the same design as the CDK stack) and
 * the buckets. Both functions are idempotent: a resource that exists already is fine.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  eventsTableDesign,
  eventsTableNameFor,
  keyAttributes,
  tableDesign,
  TTL_ATTRIBUTE,
  type TableDesign,
} from '#shared/store/table-design.ts';

export class TableNotActive extends Error {
  override name = 'TableNotActive' as const;
}

export class BucketNotCreated extends Error {
  override name = 'BucketNotCreated' as const;
}

/** The CreateTable request for the designed table: every index projects ALL, on-demand billing. */
export function createTableInput(
  tableName: string,
  design: TableDesign = tableDesign,
): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes(design).map((attribute) => ({
      AttributeName: attribute.name,
      AttributeType: attribute.type,
    })),
    KeySchema: [
      { AttributeName: design.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: design.sortKey.name, KeyType: 'RANGE' },
    ],
    ...(design.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: design.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/**
 * Creates the table and, beside it, its events table (eventsTableNameFor: the name with `-events`,
 * eventsTableDesign) unless they exist, then waits until they and their indexes are ACTIVE.
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  await createOneTable(client, tableName, tableDesign, options);
  await createOneTable(client, eventsTableNameFor(tableName), eventsTableDesign, options);
}

async function createOneTable(
  client: DynamoDBClient,
  tableName: string,
  design: TableDesign,
  options: { timeoutMs?: number },
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName, design)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new TableNotActive(
        `Table ${tableName} is ${table?.TableStatus ?? 'missing'} after ${timeoutMs} ms; check the DynamoDB endpoint.`,
      );
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/**
 * Turns on the table's time to live on TTL_ATTRIBUTE, as the CDK stack does (DynamoDB Local
 * accepts the setting; an already enabled TTL is fine).
 */
export async function enableTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  if (ttl?.TimeToLiveStatus === 'ENABLED' && ttl.AttributeName === TTL_ATTRIBUTE) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}

/** Creates each bucket unless it exists (path-style S3 emulator; no Object Lock locally). */
export async function createBuckets(s3: S3Client, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      const code = (error as { name?: string }).name;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') {
        // Some emulators answer with a generic error for an existing bucket: check before failing.
        const exists = await s3.send(new HeadBucketCommand({ Bucket: name })).then(
          () => true,
          () => false,
        );
        if (!exists) {
          throw new BucketNotCreated(`Bucket ${name} could not be created: ${(error as Error).message}`);
        }
      }
    }
  }
}
