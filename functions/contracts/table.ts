/**
 * The single DynamoDB table's physical schema, shared by the CDK table
 * construct and the local runtime (which creates the same table in dynalite).
 * See docs/data-model.md for the access patterns behind the keys.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** Epoch seconds after which DynamoDB may delete an item (sessions and other short-lived records); readers still check expiry themselves. */
  ttlAttribute: 'ttl',
} as const;

export type IndexName = (typeof TABLE_SCHEMA.indexes)[number]['name'];
