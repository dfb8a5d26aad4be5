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

/** Every attribute named in a key schema, for AttributeDefinitions. */
export function keyAttributes(design: TableDesign = tableDesign): KeyAttribute[] {
  const all = [
    design.partitionKey,
    design.sortKey,
    ...design.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return [...new Map(all.map((attribute) => [attribute.name, attribute])).values()];
}
