/**
 * The exactly-once outbox: its records in the table, the mail through SES, a raw copy of each
 * message in the evidence bucket.
 */
import { DynamoDbRepository } from '../adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '../adapters/outbox-dynamodb.ts';
import { Outbox } from '../mail/outbox.ts';
import { evidenceBucket } from './buckets.ts';
import { clock } from './clock.ts';
import { mailer } from './mailer.ts';
import { repository } from './repository.ts';
import { part } from './wiring.ts';

export const outbox = part('outbox', async (wiring) => {
  const configurationSet = wiring.env.SES_CONFIGURATION_SET?.trim();
  const [sender, blobs, now, repo] = await Promise.all([
    wiring.get(mailer),
    wiring.get(evidenceBucket),
    wiring.get(clock),
    wiring.get(repository),
  ]);
  return new Outbox({
    // On the repository's table and event chain: the `mail.sent` events chain on the heads it knows.
    store: repo instanceof DynamoDbRepository ? repo.outboxStore() : DynamoOutboxStore.fromEnv(wiring.env),
    mailer: sender,
    blobs,
    clock: now,
    ...(configurationSet ? { configurationSet } : {}),
  });
});
