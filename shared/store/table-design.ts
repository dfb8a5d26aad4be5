/**
 * The one DynamoDB table: its key schema and indexes.
 *
 * This is the single source of truth for the table's shape. The CDK stack (infra/) and the
 * local stack (infra/local/) both build the table from this object, so the key schema and
 * indexes cannot drift between AWS and a developer's machine.
 *
 * Which items live under which keys, and which access pattern uses which index, is written
 * down beside the key builders in shared/store/keys.ts.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDesign {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDesign {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDesign[];
}

export const tableDesign: TableDesign = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
    {
      // Sparse: only items that need a timer (open actions, pending requests) carry gsi2 keys,
      // so a due-date sweep never reads closed work.
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
    },
  ],
};

/**
 * The events table: every cycle's hash-chained event log, apart from the other records so that IAM
 * can make it append-only (roles hold PutItem, GetItem and Query on it; nobody may update or delete
 * an event). Same key names as the main table: an event is `pk = CYCLE#<c>`, `sk = EVENT#<seq:10>`
 * (shared/store/keys.ts). The chain head stays on the cycle item in the main table; an append puts
 * the event here and moves the head there in one TransactWriteItems. No indexes, no time to live.
 */
export const eventsTableDesign: TableDesign = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
};

/**
 * The events table's name when none is given (EVENTS_TABLE_NAME): the main table's name with this
 * suffix. The CDK stack names its events table so (and sets EVENTS_TABLE_NAME too), and the local
 * stack creates it beside the main table.
 */
export const EVENTS_TABLE_SUFFIX = '-events';

export function eventsTableNameFor(tableName: string): string {
  return `${tableName}${EVENTS_TABLE_SUFFIX}`;
}

/** Every attribute named in a key schema, for AttributeDefinitions. */
export function keyAttributes(design: TableDesign = tableDesign): KeyAttribute[] {
  const all = [
    design.partitionKey,
    design.sortKey,
    ...design.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return [...new Map(all.map((attribute) => [attribute.name, attribute])).values()];
}

/**
 * The table's time-to-live attribute (epoch seconds): items that only serve a while carry it and
 * DynamoDB deletes them some time after (seen Message-IDs, reply tokens and their Message-ID
 * links). Records that are evidence never carry it.
 */
export const TTL_ATTRIBUTE = 'ttl';
