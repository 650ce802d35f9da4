import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { memoryIndex } from './memory-index.js';
import { normalizeTags, toView, type MemoryRecord, type MemoryView } from './model.js';

const PREVIEW_CHARS = 200;

export interface ListMemoriesInput {
  readonly tenantId: string;
  readonly tag?: string;
  readonly author?: EndpointId;
  readonly limit?: number;
  readonly cursor?: string;
}

export type MemorySummary = Omit<MemoryView, 'content' | 'metadata'> & { readonly preview: string };

export interface ListMemoriesResult {
  readonly memories: MemorySummary[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly next_cursor: string | null;
}

interface Position {
  readonly u: string;
  readonly k: string;
  readonly tag: string | null;
  readonly author: string | null;
}

/**
 * Lists a tenant's memories, most recently updated first, optionally only
 * those with a tag or last written by a role. Served from the process's
 * index of the tenant (memory-index.ts): a memory written on another
 * instance appears within the index's settle time. A cursor continues after
 * the last memory of the previous page and only with the same filters.
 */
export async function listMemories(deps: Deps, input: ListMemoriesInput): Promise<ListMemoriesResult> {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('limit must be 1 to 100');
  const tag = input.tag === undefined ? null : (normalizeTags([input.tag])[0] as string);
  const author = input.author ?? null;
  const after = input.cursor === undefined ? undefined : decode(input.cursor, tag, author);
  const index = await memoryIndex(deps, input.tenantId);
  const all = index.newestFirst((r) => (tag === null || r.tags.includes(tag)) && (author === null || r.author === author));
  const start = after ? all.findIndex((r) => r.updatedAt < after.u || (r.updatedAt === after.u && r.key > after.k)) : 0;
  const page = start < 0 ? [] : all.slice(start, start + limit);
  const last = page.at(-1);
  const more = start >= 0 && start + limit < all.length;
  return {
    memories: page.map((r) => summary(r, deps)),
    next_cursor: more && last ? Buffer.from(JSON.stringify({ u: last.updatedAt, k: last.key, tag, author } satisfies Position)).toString('base64url') : null,
  };
}

function summary(record: MemoryRecord, deps: Deps): MemorySummary {
  const { content, metadata: _metadata, ...view } = toView(record, deps.embedder.modelId, deps.embedder.dimensions);
  return { ...view, preview: content.length > PREVIEW_CHARS ? `${content.slice(0, PREVIEW_CHARS - 1)}…` : content };
}

function decode(cursor: string, tag: string | null, author: string | null): Position {
  let position: Partial<Position> | undefined;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
  } catch {
    position = undefined;
  }
  if (!position || typeof position.u !== 'string' || typeof position.k !== 'string') {
    throw new ValidationError('invalid cursor: pass back the next_cursor of the previous page unchanged');
  }
  if (position.tag !== tag || position.author !== author) throw new ValidationError('the cursor belongs to a listing with other filters');
  return position as Position;
}
