/** The OutboxStore contract on DynamoDB Local, plus what only the table can show. */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { CorruptOutboxRecord, DynamoOutboxStore, outboxKey } from '#shared/adapters/outbox-dynamodb.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { outboxStoreContract, pending } from '#test/unit/mail/outbox-store-contract.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/adapters/dynamodb.ts';

outboxStoreContract('DynamoDB', async () => new DynamoOutboxStore(await freshTable('outbox')));

describe('DynamoOutboxStore on the table', () => {
  it('names a stored item that does not match the schema', async () => {
    const table = await freshTable('outbox');
    await documentClient(table.client).send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...outboxKey('C-20261001T0800Z-Q', 'broken'), entity: 'outbox', status: 'MAYBE' },
      }),
    );
    await expect(new DynamoOutboxStore(table).get('C-20261001T0800Z-Q', 'broken')).rejects.toBeInstanceOf(
      CorruptOutboxRecord,
    );
  });

  it('keeps the record beside the cycle: pk CYCLE#<cycle>, sk MAIL#<key>', async () => {
    const table = await freshTable('outbox');
    await new DynamoOutboxStore(table).claim(pending({ key: 'action:A-20261001T0800Z-Q-003:overdue-1' }));
    const { Item: item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: {
          pk: { S: 'CYCLE#C-20261001T0800Z-Q' },
          sk: { S: 'MAIL#action:A-20261001T0800Z-Q-003:overdue-1' },
        },
      }),
    );
    expect(item?.status).toEqual({ S: 'PENDING' });
    expect(item?.entity).toEqual({ S: 'outbox' });
    expect(item?.recipients).toEqual({ L: [{ S: 'carol@example.com' }] });
  });
});
