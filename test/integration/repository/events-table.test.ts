/**
 * The event log lives in its own, append-only table (IAM grants PutItem, GetItem and Query there),
 * against DynamoDB Local: events are put there in the same transaction that moves the chain head on
 * the cycle item of the main table, and nothing on the write paths deletes an item. What the event
 * log promises whatever the store is in the contracts (test/contracts/event-log.contract.ts).
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository, repositoryFromEnv } from '#shared/adapters/dynamodb-repository.ts';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { actionIdFor } from '#shared/model/ids.ts';
import { cycleKeys, eventKeys, notificationKeys } from '#shared/store/keys.ts';
import { eventsTableDesign, eventsTableNameFor } from '#shared/store/table-design.ts';
import { applyLocalEnv, freshTable, uniqueName } from '#test/support/local-stack.ts';
import { createTable } from '#infra/local/resources.ts';
import { aCycle, anEvent, aProgrammeVersion } from '#test/unit/model/builders.ts';

let table: Awaited<ReturnType<typeof freshTable>>;
let repo: DynamoDbRepository;
let raw: ReturnType<typeof documentClient>;

beforeEach(async () => {
  table = await freshTable('events');
  raw = documentClient(table.client);
  repo = new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
});

async function itemsOf(tableName: string, cycleId: string): Promise<Record<string, unknown>[]> {
  const output = await raw.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycleId) },
      ConsistentRead: true,
    }),
  );
  return output.Items ?? [];
}

async function openedCycle() {
  const cycle = aCycle();
  await repo.saveProgrammeVersion(aProgrammeVersion());
  await repo.createCycle(cycle, [], { event: anEvent('cycle.opened') });
  return cycle;
}

describe('a repository whose events table is missing', () => {
  it('fails the append and leaves the chain head where it was', async () => {
    const cycle = await openedCycle();
    const head = await repo.getChainHead(cycle.id);
    const broken = new DynamoDbRepository({ ...table, eventsTableName: uniqueName('no-such-table') });
    await expect(broken.appendEvent(cycle.id, anEvent('input.requested'))).rejects.toThrow();
    expect(await repo.getChainHead(cycle.id)).toEqual(head);
  });
});

describe('the local stack', () => {
  it('creates the events table beside the table, with the keys of eventsTableDesign and no index', async () => {
    const name = uniqueName('pair');
    await createTable(table.client, name);
    await createTable(table.client, name); // again: idempotent
    const { Table: events } = await table.client.send(
      new DescribeTableCommand({ TableName: eventsTableNameFor(name) }),
    );
    expect(events?.TableStatus).toBe('ACTIVE');
    expect(events?.KeySchema).toEqual([
      { AttributeName: eventsTableDesign.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: eventsTableDesign.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(events?.GlobalSecondaryIndexes).toBeUndefined();
  });
});

describe('events', () => {
  it('are put in the events table, not the main table; the chain head stays on the cycle item', async () => {
    const cycle = await openedCycle();
    await repo.appendEvent(cycle.id, anEvent('input.requested'));
    const main = await itemsOf(table.tableName, cycle.id);
    expect(main.filter((item) => String(item.sk).startsWith('EVENT#'))).toEqual([]);
    const events = await itemsOf(eventsTableNameFor(table.tableName), cycle.id);
    expect(events.map((item) => item.sk)).toEqual([
      eventKeys.event(cycle.id, 1).sk,
      eventKeys.event(cycle.id, 2).sk,
    ]);
    const head = await repo.getChainHead(cycle.id);
    expect(head.seq).toBe(2);
    expect(head.hash).toBe(events[1]!.hash);
    const listed = await repo.listEvents(cycle.id);
    expect(verifyChain(listed).ok).toBe(true);
    expect((await repo.getCycleRecords(cycle.id))?.events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it('are never written over: a second event at a taken seq is refused, the first stays', async () => {
    const cycle = await openedCycle();
    const [first] = await repo.listEvents(cycle.id);
    await expect(
      raw.send(
        new PutCommand({
          TableName: eventsTableNameFor(table.tableName),
          Item: { ...eventKeys.event(cycle.id, 1), entity: 'event', ...first, actor: 'someone-else' },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(await repo.listEvents(cycle.id)).toEqual([first]);
  });

  it('are found through EVENTS_TABLE_NAME by a repository built from the environment', async () => {
    const cycle = await openedCycle();
    // Region, endpoint and credentials of the emulator, as the SDK reads them from process.env.
    applyLocalEnv();
    const env = { TABLE_NAME: table.tableName, EVENTS_TABLE_NAME: eventsTableNameFor(table.tableName) };
    const fromEnv = repositoryFromEnv(env);
    expect((await fromEnv.listEvents(cycle.id)).map((event) => event.seq)).toEqual([1]);
    const elsewhere = repositoryFromEnv({ ...env, EVENTS_TABLE_NAME: uniqueName('other') });
    await expect(elsewhere.listEvents(cycle.id)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('a released notification claim', () => {
  it('is marked released, not deleted; claimed again, the item is put anew without the mark', async () => {
    const cycle = await openedCycle();
    const key = `action:${actionIdFor(cycle.id, 1)}:remind-7d`;
    expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:00:00.000Z')).toBe(true);
    await repo.releaseNotification(cycle.id, key);
    const released = await raw.send(
      new GetCommand({
        TableName: table.tableName,
        Key: notificationKeys.sent(cycle.id, key),
        ConsistentRead: true,
      }),
    );
    expect(released.Item).toMatchObject({ released: true, claimedAt: '2026-12-08T07:00:00.000Z' });
    expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:10:00.000Z')).toBe(true);
    const reclaimed = await raw.send(
      new GetCommand({
        TableName: table.tableName,
        Key: notificationKeys.sent(cycle.id, key),
        ConsistentRead: true,
      }),
    );
    expect(reclaimed.Item?.released).toBeUndefined();
    expect(reclaimed.Item?.claimedAt).toBe('2026-12-08T07:10:00.000Z');
  });

  it('releasing what was never claimed writes nothing', async () => {
    const cycle = await openedCycle();
    const key = `action:${actionIdFor(cycle.id, 2)}:remind-7d`;
    await repo.releaseNotification(cycle.id, key);
    const item = await raw.send(
      new GetCommand({
        TableName: table.tableName,
        Key: notificationKeys.sent(cycle.id, key),
        ConsistentRead: true,
      }),
    );
    expect(item.Item).toBeUndefined();
  });
});
