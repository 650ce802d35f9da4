import type { EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { currentRecord, readVersion } from './history.js';
import { assertMayEdit } from './ownership.js';
import { storeMemory, type StoreMemoryResult } from './store-memory.js';

/**
 * Brings an earlier version of a memory back as its newest version (the
 * versions in between stay in the history). Works on a forgotten memory too.
 * Allowed to whoever may overwrite it (ownership.ts); the owner is kept.
 */
export async function restoreMemory(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; key: string; version: number; by: EndpointId; principal?: string },
): Promise<StoreMemoryResult & { restored_version: number }> {
  const current = await currentRecord(deps, input.tenantId, input.key);
  if (!current) throw new NotFoundError(`no memory with key "${input.key}"`);
  const writer = { role: input.by, ...(input.principal ? { principal: input.principal } : {}) };
  await assertMayEdit(deps, input.tenantId, current, writer, 'restore');
  const old = await readVersion(deps, input.tenantId, input.key, input.version);
  const result = await storeMemory(deps, ctx, {
    tenantId: input.tenantId,
    key: old.key,
    content: old.content,
    tags: old.tags,
    metadata: old.metadata,
    author: input.by,
    ...(input.principal ? { principal: input.principal } : {}),
    keepOwner: true,
  });
  return { ...result, restored_version: input.version };
}
