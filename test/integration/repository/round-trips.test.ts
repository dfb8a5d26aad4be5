/**
 * What an append costs in DynamoDB requests, against DynamoDB Local: the chain head a write moved,
 * or a consistent read of the cycle item showed, is chained on without reading it again; a head
 * another writer moved meanwhile costs the failed attempt only, whose cancellation carries the
 * current head. The chain stays one unbroken chain whatever the order.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import { messageKeys, replyTokenKeys } from '#shared/store/keys.ts';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { RequestCounter } from '#shared/adapters/request-counter.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle, anEvent, aProgrammeVersion } from '#test/unit/model/builders.ts';
import { aReplyToken } from '#test/contracts/records.ts';

let table: Awaited<ReturnType<typeof freshTable>>;
let counter: RequestCounter;

beforeEach(async () => {
  table = await freshTable('round-trips');
  counter = new RequestCounter();
  counter.attach(table.client);
});

const repository = () => new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });

async function openedCycle(repo: DynamoDbRepository) {
  const cycle = aCycle();
  await repo.saveProgrammeVersion(aProgrammeVersion());
  await repo.createCycle(cycle, [], { event: anEvent('cycle.opened') });
  return cycle;
}

describe('appending to the event chain', () => {
  it('a head moved by another writer costs one failed attempt, and the retry chains on the head it returned', async () => {
    const mine = repository();
    const theirs = repository();
    const cycle = await openedCycle(mine);
    await mine.appendEvent(cycle.id, anEvent('cycle.noted'));
    await theirs.appendEvent(cycle.id, anEvent('cycle.noted'));

    const { result, counts } = await counter.measure(() =>
      mine.appendEvent(cycle.id, anEvent('cycle.noted')),
    );

    expect(result.seq).toBe(4);
    expect(counts.commands).toEqual({ TransactWriteItems: 2 });
    const events = await mine.listEvents(cycle.id);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('an append reads the head once; the appends after it and after a read of the cycle do not', async () => {
    const repo = repository();
    const cycle = await openedCycle(repository());

    const first = await counter.measure(() => repo.appendEvent(cycle.id, anEvent('cycle.noted')));
    const second = await counter.measure(() => repo.appendEvent(cycle.id, anEvent('cycle.noted')));
    const afterRead = await counter.measure(async () => {
      const read = await repo.getCycle(cycle.id);
      return repo.updateCycle(read!, { event: anEvent('cycle.noted') });
    });

    expect(first.counts.commands).toEqual({ GetItem: 1, TransactWriteItems: 1 });
    expect(second.counts.commands).toEqual({ TransactWriteItems: 1 });
    expect(afterRead.counts.commands).toEqual({ GetItem: 1, TransactWriteItems: 1 });
    expect(verifyChain(await repo.listEvents(cycle.id)).ok).toBe(true);
  });
});

describe('linking a sent Message-ID to its reply token', () => {
  it('with the expiry given, the link takes the token’s time to live in one write, without reading the token', async () => {
    const repo = repository();
    const token = aReplyToken();
    await repo.putReplyToken(token);

    const { counts } = await counter.measure(() =>
      repo.linkReplyToken('<request-1@isms.example.com>', token.tokenId, token.expiresAt),
    );

    expect(counts.commands).toEqual({ PutItem: 1 });
    const raw = documentClient(table.client);
    const read = async (key: { pk: string; sk: string }) =>
      (await raw.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;
    const link = await read(replyTokenKeys.byMessage(messageKeys.hashOf('request-1@isms.example.com')));
    const stored = await read(replyTokenKeys.token(token.tokenId));
    expect(link?.ttl).toBeTypeOf('number');
    expect(link?.ttl).toBe(stored?.ttl);
  });
});
