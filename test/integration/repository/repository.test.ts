/**
 * The DynamoDB repository against DynamoDB Local: what only the table can show. Everything the
 * ports promise is in the store contracts (test/contracts/, run on DynamoDB Local by
 * dynamodb-contracts.test.ts); here, items written by hand, a condition on an item no port could
 * have left, and paging.
 */
import { describe, it, expect, beforeEach } from 'vitest';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import { AlreadyExists, CorruptRecord } from '#shared/store/repository.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { cycleKeys, inputKeys } from '#shared/store/keys.ts';
import { eventsTableNameFor } from '#shared/store/table-design.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { rejection } from '#test/contracts/records.ts';
import { aCycle, anEvent, anInputRequest } from '#test/unit/model/builders.ts';

let repo: DynamoDbRepository;
let raw: ReturnType<typeof documentClient>;
let tableName: string;

beforeEach(async () => {
  const table = await freshTable('repo');
  tableName = table.tableName;
  raw = documentClient(table.client);
  repo = new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
});

/** Every item of a cycle's partition, read straight from the table and the events table, by sort key. */
async function partition(cycleId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const name of [tableName, eventsTableNameFor(tableName)]) {
    const output = await raw.send(
      new QueryCommand({
        TableName: name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycleId) },
        ConsistentRead: true,
      }),
    );
    items.push(...(output.Items ?? []));
  }
  return items.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

async function openCycle(cycle: Cycle = aCycle(), keys = ['b', 'd1', 'f']) {
  return repo.createCycle(
    cycle,
    keys.map((key) => anInputRequest(cycle, key)),
    { event: anEvent('cycle.opened', { keys }) },
  );
}

describe('items written by hand', () => {
  it('reports a stored item edited by hand out of shape as CorruptRecord', async () => {
    const { cycle } = await openCycle();
    await raw.send(
      new UpdateCommand({
        TableName: tableName,
        Key: cycleKeys.cycle(cycle.id),
        UpdateExpression: 'SET phase = :p',
        ExpressionAttributeValues: { ':p': 'PARTY' },
      }),
    );
    const error = await rejection(repo.getCycle(cycle.id));
    expect(error).toBeInstanceOf(CorruptRecord);
    expect(error.message).toContain(
      `stored cycle ${cycle.id} (CYCLE#${cycle.id} / CYCLE) does not match its schema: phase:`,
    );
  });

  it('is atomic: one failing condition (an input request already there) leaves no item written', async () => {
    const cycle = aCycle();
    const blocker = anInputRequest(cycle, 'f');
    await raw.send(
      new PutCommand({ TableName: tableName, Item: { ...inputKeys.request(cycle.id, 'f'), ...blocker } }),
    );
    const error = await rejection(openCycle(cycle, ['b', 'd1', 'f']));
    expect(error).toBeInstanceOf(AlreadyExists);
    expect(error.message).toContain(`input request ${cycle.id}/f already exists`);
    const items = await partition(cycle.id);
    expect(items.map((item) => item.sk)).toEqual(['INPUT#f']);
  });
});

describe('paging', () => {
  it('lists events from a seq, and reads every page of a long log', async () => {
    const { cycle } = await openCycle();
    const big = 'x'.repeat(60_000);
    for (let n = 0; n < 20; n += 1) await repo.appendEvent(cycle.id, anEvent('test.big', { n, big }));
    // 21 events of ~60 KB are more than one 1 MB query page.
    const firstPage = await raw.send(
      new QueryCommand({
        TableName: eventsTableNameFor(tableName),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
        ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycle.id), ':events': 'EVENT#' },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items!.length).toBeLessThan(21);
    const events = await repo.listEvents(cycle.id);
    expect(events).toHaveLength(21);
    expect(verifyChain(events, { head: await repo.getChainHead(cycle.id) }).ok).toBe(true);
    expect((await repo.listEvents(cycle.id, 19)).map((event) => event.seq)).toEqual([19, 20, 21]);
  });
});
