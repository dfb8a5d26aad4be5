/** The OutboxStore batch contract on DynamoDB Local, on the repository's table and event chain. */
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { outboxBatchContract } from '#test/unit/mail/outbox-batch-contract.ts';

outboxBatchContract('DynamoDB', async () => {
  const repo = new DynamoDbRepository(await freshTable('outbox-batch'));
  return { store: repo.outboxStore(), repo };
});
