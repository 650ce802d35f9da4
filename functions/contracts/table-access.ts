import type { ConsumerId } from './rules.js';

/**
 * Which parts of the table each function may use, as Store operations. The
 * CDK stack grants exactly the DynamoDB actions these map to (lib/), and the
 * local runtime runs each consumer with a Store that refuses any other
 * operation (functions/adapters/local/store-access.ts), so a consumer that
 * starts using a new operation fails its tests instead of failing in AWS.
 */

/** The Store port's operations (functions/ports/store.ts). */
export const STORE_OPERATIONS = ['get', 'getMany', 'put', 'putMany', 'increment', 'delete', 'query'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/**
 * The one DynamoDB action the DynamoDB adapter (functions/adapters/aws/dynamo-store.ts)
 * sends for each operation. Never Scan, DescribeTable, ConditionCheckItem,
 * transactions, PartiQL or streams: nothing in Conclave needs them.
 */
export const DYNAMODB_ACTION: Readonly<Record<StoreOperation, string>> = {
  get: 'dynamodb:GetItem',
  getMany: 'dynamodb:BatchGetItem',
  put: 'dynamodb:PutItem',
  putMany: 'dynamodb:BatchWriteItem',
  increment: 'dynamodb:UpdateItem',
  delete: 'dynamodb:DeleteItem',
  query: 'dynamodb:Query',
};

/**
 * The bus consumers' table access. The three notifiers only write inbox
 * entries (a conditional put per recipient); the inbound-alert consumer also
 * starts an incident run (put, then reads it back); the two decision-workflow
 * consumers settle waiters, tasks and runs and need every operation, as does
 * approval-effects (budgets, change windows, outcome records, inboxes).
 */
export const CONSUMER_STORE_ACCESS: Readonly<Record<ConsumerId, readonly StoreOperation[]>> = {
  'inbox-fanout': ['put'],
  // It also settles a request whose vote landed first: reads the decision (query), then resolves (get, put, delete).
  'vote-notifier': ['get', 'put', 'query', 'delete'],
  'agent-status': ['put'],
  'inbound-alert': ['get', 'put'],
  'escalation-starter': STORE_OPERATIONS,
  'decision-workflows': STORE_OPERATIONS,
  'approval-effects': STORE_OPERATIONS,
};
