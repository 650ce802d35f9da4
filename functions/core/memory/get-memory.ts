import type { Deps } from '../context.js';
import { NotFoundError } from '../errors.js';
import { keys } from '../keys.js';
import { fromItem, toView, validateKey, type MemoryView } from './model.js';

/** Reads one memory of the tenant by key (strongly consistent). */
export async function getMemory(deps: Deps, tenantId: string, key: string): Promise<MemoryView> {
  const item = await deps.store.get(keys.memory(tenantId, validateKey(key)));
  const record = item ? fromItem(item) : undefined;
  if (!record || record.state !== 'active') throw new NotFoundError(`no memory with key "${key}"`);
  return toView(record, deps.embedder.modelId, deps.embedder.dimensions);
}
