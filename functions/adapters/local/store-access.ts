import { DYNAMODB_ACTION, STORE_OPERATIONS, type StoreOperation } from '../../contracts/table-access.js';
import type { Store } from '../../ports/store.js';

/** A Store operation outside what the caller is granted (in AWS, DynamoDB would answer AccessDenied). */
export class StoreAccessError extends Error {
  constructor(
    readonly who: string,
    readonly operation: StoreOperation,
  ) {
    super(
      `${who} may not ${operation} (${DYNAMODB_ACTION[operation]}): add it to its access in functions/contracts/table-access.ts, which the stack grants from`,
    );
    this.name = 'StoreAccessError';
  }
}

/**
 * The local stand-in for the per-function IAM grants on the table: a Store
 * that serves `allowed` operations from `store` and refuses the others with a
 * StoreAccessError, so the local runtime (and every test that runs through
 * it) breaks the same way a deployed function with too narrow a grant would.
 */
export function restrictStore(store: Store, allowed: readonly StoreOperation[], who: string): Store {
  const restricted = {} as Record<StoreOperation, unknown>;
  for (const operation of STORE_OPERATIONS) {
    restricted[operation] = allowed.includes(operation)
      ? (store[operation] as (...args: unknown[]) => unknown).bind(store)
      : () => Promise.reject(new StoreAccessError(who, operation));
  }
  return restricted as unknown as Store;
}
