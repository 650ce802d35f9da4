import type { EndpointId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

/** Limits of one memory (SPEC "Memory"); they keep an item far below DynamoDB's 400 KB. */
export const MEMORY_LIMITS = {
  keyChars: 256,
  contentChars: 32_000,
  tags: 20,
  tagChars: 64,
  metadataBytes: 8_000,
} as const;

export type MemoryState = 'active' | 'forgotten';
/** `pending`: stored without a vector (the embedder failed); found lexically until embedPending embeds it. */
export type EmbeddingStatus = 'ready' | 'pending';

/** A stored vector with the model and dimension it came from (functions/core/memory/vectors.ts). */
export interface StoredVector {
  readonly model: string;
  readonly dims: number;
  readonly bytes: Uint8Array;
}

/** A memory as stored; a forgotten one keeps only its key and version (a tombstone). */
export interface MemoryRecord {
  readonly key: string;
  readonly state: MemoryState;
  /** Incremented by every write of the key, tombstones included: the order of its versions. */
  readonly version: number;
  readonly content: string;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The role that last wrote it. */
  readonly author: EndpointId;
  /** The principal (key id) that last wrote it; `system:<component>` for Conclave's own records; undefined for memories older than ownership. */
  readonly authorPrincipal?: string;
  /** The role that first wrote it: its owner (ownership.ts). */
  readonly createdBy: EndpointId;
  /** The principal that first wrote it. */
  readonly createdByPrincipal?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly embedding: EmbeddingStatus;
  readonly vector?: StoredVector;
}

/** A memory as tools and workflows see it. `stale`: its vector is from another model (run `npm run memory -- reembed`). */
export interface MemoryView {
  readonly key: string;
  readonly content: string;
  readonly tags: string[];
  readonly metadata: Record<string, unknown>;
  readonly author: EndpointId;
  /** The principal (key id, or system:<component>) that last wrote it. */
  readonly author_principal: string | null;
  /** The owner: the role that first wrote it. Overwrite and forget are the owner's, its superiors' and the board's (or anyone's with the shared_edit tag). */
  readonly created_by: EndpointId;
  readonly created_by_principal: string | null;
  /** Incremented by every write; get_memory {key, version} reads an earlier one. */
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly embedding: 'ready' | 'pending' | 'stale';
}

export function validateKey(key: string): string {
  if (key.length === 0 || key.length > MEMORY_LIMITS.keyChars) throw new ValidationError(`key must be 1 to ${MEMORY_LIMITS.keyChars} characters`);
  if (/[\u0000-\u001f\u007f]/.test(key) || key.trim() !== key) throw new ValidationError('key must not contain control characters or surrounding spaces');
  return key;
}

/** Tags are case-insensitive: trimmed, lower-cased, de-duplicated, order kept. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (!/^[\p{L}\p{N}][\p{L}\p{N} ._:/#+-]*$/u.test(tag) || tag.length > MEMORY_LIMITS.tagChars) {
      throw new ValidationError(`tag "${raw}" must be 1 to ${MEMORY_LIMITS.tagChars} letters, digits, spaces or . _ : / # + - (starting with a letter or digit)`);
    }
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > MEMORY_LIMITS.tags) throw new ValidationError(`at most ${MEMORY_LIMITS.tags} tags`);
  return out;
}

export function validateContent(content: string): string {
  if (content.trim().length === 0 || content.length > MEMORY_LIMITS.contentChars) {
    throw new ValidationError(`content must be 1 to ${MEMORY_LIMITS.contentChars} characters`);
  }
  return content;
}

export function validateMetadata(metadata: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch {
    throw new ValidationError('metadata must be JSON');
  }
  if (new TextEncoder().encode(json).byteLength > MEMORY_LIMITS.metadataBytes) throw new ValidationError(`metadata must be at most ${MEMORY_LIMITS.metadataBytes} bytes of JSON`);
  return JSON.parse(json) as Record<string, unknown>;
}

/** A short random pause before a writer retries after a version conflict, so that colliding writers spread out. */
export function conflictBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
}

/** What is embedded for a memory: its key (read as words) and its content. */
export function embeddingText(key: string, content: string): string {
  return `${key.replace(/[-_./:#]+/g, ' ').trim()}. ${content}`;
}

/** The text BM25 indexes: key, tags and content, so exact ids and names in any of them count. */
export function lexicalText(record: Pick<MemoryRecord, 'key' | 'tags' | 'content'>): string {
  return `${record.key} ${record.tags.join(' ')} ${record.content}`;
}

/** The store item of a memory. `changedAt` orders it in the tenant's change index (GSI1). */
export function toItem(tenantId: string, record: MemoryRecord, changedAt: number): Item {
  const base = {
    ...keys.memory(tenantId, record.key),
    gsi1pk: keys.memoryChanges(tenantId),
    gsi1sk: keys.memoryChange(changedAt, record.key),
    type: 'memory',
    key: record.key,
    state: record.state,
    version: record.version,
    author: record.author,
    created_by: record.createdBy,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    ...(record.authorPrincipal ? { author_principal: record.authorPrincipal } : {}),
    ...(record.createdByPrincipal ? { created_by_principal: record.createdByPrincipal } : {}),
  };
  if (record.state === 'forgotten') return base;
  return {
    ...base,
    content: record.content,
    tags: [...record.tags],
    metadata: record.metadata,
    embedding: record.embedding,
    ...(record.vector ? { vector: record.vector.bytes, vector_model: record.vector.model, vector_dims: record.vector.dims } : {}),
  };
}

export function fromItem(item: Item): MemoryRecord {
  const bytes = item.vector;
  const model = field.strOrNull(item, 'vector_model');
  const dims = field.numOrNull(item, 'vector_dims');
  const vector = bytes instanceof Uint8Array && model !== null && dims !== null ? { model, dims, bytes } : undefined;
  const authorPrincipal = field.strOrNull(item, 'author_principal');
  const createdByPrincipal = field.strOrNull(item, 'created_by_principal');
  const author = field.oneOf<EndpointId>(item, 'author', 'board');
  return {
    key: field.reqStr(item, 'key'),
    state: field.oneOf(item, 'state', 'active', ['active', 'forgotten'] as const),
    version: field.num(item, 'version'),
    content: field.str(item, 'content'),
    tags: field.strs(item, 'tags'),
    metadata: field.obj(item, 'metadata'),
    author,
    ...(authorPrincipal !== null ? { authorPrincipal } : {}),
    createdBy: field.oneOf<EndpointId>(item, 'created_by', author),
    ...(createdByPrincipal !== null ? { createdByPrincipal } : {}),
    createdAt: field.str(item, 'created_at'),
    updatedAt: field.str(item, 'updated_at'),
    embedding: field.str(item, 'embedding') === 'ready' && vector ? 'ready' : 'pending',
    ...(vector ? { vector } : {}),
  };
}

/**
 * The codec of a tenant's memories (fromItem / toItem). `changedAt` orders a
 * write in the tenant's change index, so a codec is made per write.
 */
export function memoryCodec(tenantId: string, changedAt: number): Codec<MemoryRecord> {
  return { decode: fromItem, encode: (record) => toItem(tenantId, record, changedAt) };
}

/** Whether a record's vector can be compared with vectors of this model. */
export function hasVectorOf(record: Pick<MemoryRecord, 'embedding' | 'vector'>, model: string, dims: number): boolean {
  return record.embedding === 'ready' && record.vector?.model === model && record.vector.dims === dims;
}

export function toView(record: MemoryRecord, model: string, dims: number): MemoryView {
  return {
    key: record.key,
    content: record.content,
    tags: [...record.tags],
    metadata: { ...record.metadata },
    author: record.author,
    author_principal: record.authorPrincipal ?? null,
    created_by: record.createdBy,
    created_by_principal: record.createdByPrincipal ?? null,
    version: record.version,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    embedding: record.embedding === 'pending' ? 'pending' : hasVectorOf(record, model, dims) ? 'ready' : 'stale',
  };
}
