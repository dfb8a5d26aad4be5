/**
 * The review's stores on DynamoDB, as one object: every port of shared/store/repository.ts,
 * each implemented by its own adapter under dynamodb/ over one shared table helper (dynamodb/table.ts)
 * and one event chain (dynamodb/event-chain.ts). The main table and the append-only events table are
 * described in shared/store/table-design.ts, keys and access patterns in shared/store/keys.ts. No
 * Scan; every list is a Query whose pages are all read; nothing here updates or deletes an event,
 * or deletes any item.
 *
 * A function that needs one aggregate can build that adapter alone (e.g.
 * `new DynamoActionStore(table, chain)`); this composite is for callers that use many.
 */
import { createDynamoClients } from './dynamodb.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { DynamoActionStore } from './dynamodb/actions.ts';
import { DynamoCycleStore } from './dynamodb/cycles.ts';
import { EventChain, type EventChainOptions } from './dynamodb/event-chain.ts';
import { DynamoEventLog } from './dynamodb/event-log.ts';
import { DynamoInboundMailStore } from './dynamodb/held-mail.ts';
import { DynamoMailRecordStore } from './dynamodb/mail-records.ts';
import { DynamoMinutesStore } from './dynamodb/minutes.ts';
import { DynamoPeriodClaims } from './dynamodb/periods.ts';
import { DynamoProgrammeStore } from './dynamodb/programmes.ts';
import { DynamoSignInTokenStore } from './dynamodb/sign-in-tokens.ts';
import { DynamoTable, type DynamoTableOptions } from './dynamodb/table.ts';
import { DynamoTaskTokenStore } from './dynamodb/task-tokens.ts';
import { DynamoOutboxStore } from './outbox-dynamodb.ts';

export { REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY, SEEN_MESSAGE_TTL_DAYS } from './dynamodb/mail-records.ts';

export interface DynamoDbRepositoryOptions extends DynamoTableOptions, EventChainOptions {}

/** Copies the methods of each store onto `target`, bound to their store. */
function expose(target: object, stores: readonly object[]): void {
  for (const store of stores) {
    const proto = Object.getPrototypeOf(store) as object;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const method = (store as Record<string, unknown>)[name];
      if (typeof method === 'function') {
        Object.defineProperty(target, name, {
          value: method.bind(store),
          enumerable: false,
          writable: true,
          configurable: true,
        });
      }
    }
  }
}

// The class and the interface merge: the class's instances carry every port's methods (expose).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface DynamoDbRepository extends ReviewRepository {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class DynamoDbRepository {
  /** The main table and the events table this repository reads and writes. */
  readonly tableName: string;
  readonly eventsTableName: string;
  readonly #table: DynamoTable;
  readonly #chain: EventChain;

  constructor(options: DynamoDbRepositoryOptions) {
    const table = new DynamoTable(options);
    this.tableName = table.tableName;
    this.eventsTableName = table.eventsTableName;
    const chain = new EventChain(table, options);
    this.#table = table;
    this.#chain = chain;
    expose(this, [
      new DynamoProgrammeStore(table),
      new DynamoCycleStore(table, chain),
      new DynamoActionStore(table, chain),
      new DynamoMinutesStore(table, chain),
      new DynamoEventLog(table, chain),
      new DynamoMailRecordStore(table),
      new DynamoInboundMailStore(table, chain),
      new DynamoTaskTokenStore(table),
      new DynamoPeriodClaims(table),
      new DynamoSignInTokenStore(table),
    ]);
  }

  /** The outbox's records on this table, chaining its `mail.sent` events on this repository's chain. */
  outboxStore(): DynamoOutboxStore {
    return new DynamoOutboxStore({ table: this.#table, chain: this.#chain });
  }
}

/** A repository from the runtime environment (TABLE_NAME; the endpoint from the SDK's own variables). */
export function repositoryFromEnv(env: Record<string, string | undefined> = process.env): DynamoDbRepository {
  const { client, tableName } = createDynamoClients(env);
  const eventsTableName = env.EVENTS_TABLE_NAME?.trim();
  return new DynamoDbRepository({ client, tableName, ...(eventsTableName ? { eventsTableName } : {}) });
}
