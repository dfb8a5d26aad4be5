/**
 * Failure paths DynamoDB Local cannot be made to produce on demand: a transaction conflict,
 * a cancellation for a reason other than a condition, a throttled request, missing configuration.
 * Everything else about the repository is tested against DynamoDB Local (test/integration/repository).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDBClient,
  TransactionCanceledException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { createDynamoClients, MissingConfiguration } from '#shared/adapters/dynamodb.ts';
import { ChainConflict } from '#shared/store/repository.ts';
import { GENESIS_HASH } from '#shared/evidence/hash-chain.ts';
import { aCycle, anAction, anEvent } from '#test/unit/model/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const cycle = aCycle();

function cancelled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function repository(maxEventAttempts = 3): DynamoDbRepository {
  return new DynamoDbRepository({
    client: new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    tableName: 'isms-review',
    maxEventAttempts,
    backoff: () => Promise.resolve(),
  });
}

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({
    Item: { eventHeadSeq: 4, eventHeadHash: GENESIS_HASH, eventHeadAt: '2026-10-01T08:00:00.000Z' },
  });
});

afterEach(() => {
  documents.reset();
});

describe('DynamoDbRepository failure paths', () => {
  it('a cancellation for a reason other than a condition is passed on unchanged', async () => {
    const error = cancelled(['None', 'ValidationError']);
    documents.on(TransactWriteCommand).rejects(error);
    await expect(repository().appendEvent(cycle.id, anEvent())).rejects.toBe(error);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a throttled request is passed on unchanged (the SDK has already retried it)', async () => {
    const error = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    documents.on(TransactWriteCommand).rejects(error);
    await expect(repository().updateAction(anAction(cycle))).rejects.toBe(error);
  });

  it('a transaction conflict is retried, and the retry chains on the re-read head', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['TransactionConflict', 'None']))
      .resolves({});
    const event = await repository().appendEvent(cycle.id, anEvent('cycle.noted'));
    expect(event).toMatchObject({ seq: 5, prevHash: GENESIS_HASH, type: 'cycle.noted' });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
    // Each attempt reads the head once: seq, hash and the time of its event are on the cycle item.
    expect(documents.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('a head moved before heads kept their time costs one read of the head event, whose time bounds the next', async () => {
    documents.on(GetCommand).resolvesOnce({ Item: { eventHeadSeq: 4, eventHeadHash: GENESIS_HASH } });
    documents
      .on(GetCommand, { TableName: 'isms-review-events' })
      .resolves({ Item: { at: '2099-01-01T00:00:00.000Z' } });
    documents.on(TransactWriteCommand).resolves({});
    const event = await repository().appendEvent(cycle.id, anEvent('cycle.noted'));
    expect(documents.commandCalls(GetCommand)).toHaveLength(2);
    expect(event.at).toBe('2099-01-01T00:00:00.000Z');
  });

  it('conflicts that never end give up after the configured attempts with ChainConflict', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None']));
    const error = await repository(4)
      .appendEvent(cycle.id, anEvent())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChainConflict);
    expect((error as Error).message).toContain('(gave up after 4 attempts)');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });
});

describe('createDynamoClients', () => {
  it('refuses to start without TABLE_NAME and says what to set', () => {
    expect(() => createDynamoClients({})).toThrow(MissingConfiguration);
    expect(() => createDynamoClients({ TABLE_NAME: '  ' })).toThrow('TABLE_NAME is not set');
  });

  it('builds a client and a document client that drops undefined values', () => {
    const { doc, tableName } = createDynamoClients({ TABLE_NAME: 'isms-review' }, { region: 'eu-west-1' });
    expect(tableName).toBe('isms-review');
    expect(doc.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
  });
});
