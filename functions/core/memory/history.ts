import { expiresAt, TABLE_SCHEMA } from '../../contracts/table.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { expired, retentionOf } from '../retention.js';
import { fromItem, toView, validateKey, type MemoryRecord, type MemoryView } from './model.js';

/**
 * A memory's previous versions. Before a store or forget replaces version n,
 * version n is copied (without its vector: search ranks current versions
 * only) to the key's history partition. A history keeps the newest
 * `memoryVersions` versions for at most `memoryVersionDays` days (TTL in AWS).
 */

/** One entry of a memory's history, newest first. */
export interface MemoryVersionView {
  readonly version: number;
  readonly state: 'active' | 'forgotten';
  /** Who wrote this version: the role and principal. */
  readonly author: MemoryView['author'];
  readonly author_principal: string | null;
  /** When this version was written. */
  readonly at: string;
  readonly tags: string[];
  /** The first 200 characters of its content (read it whole with get_memory {key, version}). */
  readonly preview: string;
  readonly current: boolean;
}

/** Copies the version about to be replaced into the history, and drops the one that falls out of the count. */
export async function keepPreviousVersion(deps: Deps, tenantId: string, previous: MemoryRecord): Promise<void> {
  const retention = retentionOf(deps);
  const now = deps.clock.now();
  const { vector: _dropped, ...kept } = previous;
  const snapshot: MemoryRecord = { ...kept, embedding: 'pending' };
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...attributes } = snapshotItem(tenantId, snapshot);
  await deps.store.put({
    ...keys.memoryVersion(tenantId, previous.key, previous.version),
    ...attributes,
    type: 'memory_version',
    [TABLE_SCHEMA.ttlAttribute]: expiresAt(now, retention.memoryVersionDays * 86_400_000),
  });
  const outOfCount = previous.version - retention.memoryVersions;
  if (outOfCount >= 1) await deps.store.delete(keys.memoryVersion(tenantId, previous.key, outOfCount));
}

function snapshotItem(tenantId: string, record: MemoryRecord): Item {
  return {
    ...keys.memory(tenantId, record.key),
    key: record.key,
    state: record.state,
    version: record.version,
    author: record.author,
    created_by: record.createdBy,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    content: record.content,
    tags: [...record.tags],
    metadata: record.metadata,
    embedding: 'pending',
    ...(record.authorPrincipal ? { author_principal: record.authorPrincipal } : {}),
    ...(record.createdByPrincipal ? { created_by_principal: record.createdByPrincipal } : {}),
  };
}

/** The current record of a key, tombstones included. */
export async function currentRecord(deps: Deps, tenantId: string, key: string): Promise<MemoryRecord | undefined> {
  const item = await deps.store.get(keys.memory(tenantId, validateKey(key)));
  return item ? fromItem(item) : undefined;
}

/** One version of a memory (the current one or a kept previous one); not_found when it was never written, is past retention or was a forget. */
export async function readVersion(deps: Deps, tenantId: string, key: string, version: number): Promise<MemoryRecord> {
  if (!Number.isInteger(version) || version < 1) throw new ValidationError('version must be a whole number from 1');
  const current = await currentRecord(deps, tenantId, key);
  const missing = () => new NotFoundError(`no version ${version} of memory "${key}" (kept: the last ${retentionOf(deps).memoryVersions} versions, up to ${retentionOf(deps).memoryVersionDays} days)`);
  if (!current) throw new NotFoundError(`no memory with key "${key}"`);
  if (version === current.version) {
    if (current.state !== 'active') throw missing();
    return current;
  }
  if (version > current.version) throw missing();
  const item = await deps.store.get(keys.memoryVersion(tenantId, key, version));
  if (!item || expired(item, deps.clock.now())) throw missing();
  const record = fromItem(item);
  if (record.state !== 'active') throw missing();
  return record;
}

export async function getMemoryVersion(deps: Deps, tenantId: string, key: string, version: number): Promise<MemoryView> {
  return toView(await readVersion(deps, tenantId, key, version), deps.embedder.modelId, deps.embedder.dimensions);
}

function versionView(record: MemoryRecord, current: boolean): MemoryVersionView {
  return {
    version: record.version,
    state: record.state,
    author: record.author,
    author_principal: record.authorPrincipal ?? null,
    at: record.updatedAt,
    tags: [...record.tags],
    preview: record.content.slice(0, 200),
    current,
  };
}

/** A memory's versions newest first: the current one (a forget shows as a `forgotten` version) and the kept previous ones. */
export async function memoryHistory(deps: Deps, tenantId: string, key: string, limit = 50): Promise<{ key: string; versions: MemoryVersionView[] }> {
  const current = await currentRecord(deps, tenantId, key);
  if (!current) throw new NotFoundError(`no memory with key "${key}"`);
  const now = deps.clock.now();
  const page = await deps.store.query({ pk: keys.memoryVersions(tenantId, key), descending: true, limit: Math.max(1, limit - 1) });
  const previous = page.items.filter((i) => !expired(i, now)).map((i) => versionView(fromItem(i), false));
  return { key, versions: [versionView(current, true), ...previous].slice(0, limit) };
}
