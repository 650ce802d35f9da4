/**
 * The single DynamoDB table's physical schema, shared by the CDK table
 * construct and the local runtime (which creates the same table in dynalite).
 * See docs/data-model.md for the access patterns behind the keys.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** DynamoDB TTL: items with this attribute (epoch seconds) are deleted after it (audit entries, memory versions; core/retention.ts). */
  ttlAttribute: 'expires_at',
} as const;

export type IndexName = (typeof TABLE_SCHEMA.indexes)[number]['name'];
