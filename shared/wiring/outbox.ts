/**
 * The exactly-once outbox: its records in the table, the mail through SES, a raw copy of each
 * message in the evidence bucket.
 */
import { createDynamoClients } from '../adapters/dynamodb.ts';
import { DynamoOutboxStore } from '../adapters/outbox-dynamodb.ts';
import { Outbox } from '../mail/outbox.ts';
import { evidenceBucket } from './buckets.ts';
import { clock } from './clock.ts';
import { mailer } from './mailer.ts';
import { part } from './wiring.ts';

export const outbox = part('outbox', async (wiring) => {
  const { client, tableName } = createDynamoClients(wiring.env);
  const configurationSet = wiring.env.SES_CONFIGURATION_SET?.trim();
  const [sender, blobs, now] = await Promise.all([
    wiring.get(mailer),
    wiring.get(evidenceBucket),
    wiring.get(clock),
  ]);
  return new Outbox({
    store: new DynamoOutboxStore({ client, tableName }),
    mailer: sender,
    blobs,
    clock: now,
    ...(configurationSet ? { configurationSet } : {}),
  });
});
